package io.sluice.cluster.internal;

import io.sluice.api.internal.AppendWaiters;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * This node's copy of one replicated log: the local log, its epoch history, its role, and while
 * leading, what the leader tracks (follower positions, the high watermark, appends waiting for it).
 *
 * <p>Not thread-safe: confined to the replicated store's context, except {@link #highWatermark}, which
 * the high-watermark waiters' timers read.
 */
final class Replica {

  enum Role { NONE, LEADER, FOLLOWER }

  /** What the leader knows of one follower, from its fetches. */
  static final class Progress {
    /** The follower holds every offset below this (its last fetch offset); -1 unknown. */
    long position = -1;
    /** When the follower was last caught up with the leader's end (ms, monotonic). */
    long caughtUpAt;
    long lastFetchLeaderEnd = -1;
    long lastFetchAt;
  }

  /** An acks=all append, appended locally, waiting for the high watermark to pass it. */
  record Pending(AppendResult local, Promise<AppendResult> promise, long timerId) {
  }

  final String name;
  final PartitionLog log;
  EpochHistory history;
  Assignment assignment;
  Role role = Role.NONE;
  /** Grows with every role change; a fetch loop or an answer of an older generation stops. */
  long generation;
  /** Offsets below it are on every in-sync replica: what reads and waiters may see. */
  volatile long highWatermark;
  /** The local log's end, as the leader's appends leave it. */
  long leaderEnd;
  /**
   * The log's end when this node became leader: its leadership is announced (modes start their owners and
   * replay state) only once the high watermark reaches it, so a replay sees everything acknowledged before.
   */
  long announceAt;
  /** Whether this leadership has been announced to listeners. */
  boolean announced;
  /** Completes when the local appends of the last fetch answer are done (whatever their outcome). */
  Future<Void> appending = Future.succeededFuture();
  boolean leaving;
  boolean isrChangeInFlight;
  final Map<String, Progress> progress = new HashMap<>();
  final PriorityQueue<Pending> pending = new PriorityQueue<>((a, b) -> Long.compare(a.local.lastOffset(), b.local.lastOffset()));
  final AppendWaiters hwWaiters;

  Replica(Vertx vertx, String name, PartitionLog log, EpochHistory history) {
    this.name = name;
    this.log = log;
    this.history = history;
    this.hwWaiters = new AppendWaiters(vertx);
  }

  boolean isLeader() {
    return role == Role.LEADER;
  }

  static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
