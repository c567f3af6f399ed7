package io.sluice.cluster;

import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.cluster.internal.ReplicaManager;
import io.vertx.core.Future;

/**
 * A {@link LogStore} whose logs are replicated across the cluster, Kafka-style: each log has a leader
 * and followers on distinct nodes, each holding a full copy in its own local store; followers pull
 * from the leader. Modes use it like any other store: a {@link PartitionLog} from it works on every
 * node (calls on a node that does not lead the log are forwarded to the leader over the event bus).
 *
 * <p>What a replicated log promises on top of the {@link PartitionLog} contract:
 * <ul>
 *   <li>Reads, {@code endOffset} and {@code awaitAppend} see only records below the high watermark:
 *       records every in-sync replica holds. A read from an offset the leader holds but cannot show yet
 *       (right after a leader change, before the followers confirmed it) answers empty rather than
 *       {@code offset_out_of_range}, so a consumer waits instead of resetting.</li>
 *   <li>With {@link Acks#ALL} an append completes with {@link io.sluice.api.Durability#REPLICATED} once
 *       every in-sync replica has it, and fails with {@code not_enough_replicas} (nothing acknowledged)
 *       while fewer than {@code minInSync} replicas are in sync. With {@link Acks#LEADER} it completes
 *       after the leader's local append.</li>
 *   <li>During a leader change calls fail with {@code not_leader} (retriable) inside the store, which
 *       retries them for {@link ClusterOptions#getRetryTimeoutMs()} before giving up.</li>
 *   <li>{@link PartitionLog#truncateTo} is not offered to users of a replicated log (replicas truncate
 *       themselves after a leader change); it fails with {@code invalid_argument}.</li>
 * </ul>
 *
 * <p>Thread-safe; every method returns at once. Futures complete on the caller's context.
 */
public interface ReplicatedLogStore extends LogStore {

  /** The store {@code default} on {@code node}, over the node's local store {@code local} (the file store in production). */
  static Future<ReplicatedLogStore> create(ClusterNode node, LogStore local) {
    return create(node, local, "default");
  }

  /**
   * A store on {@code node} over {@code local}. Stores with the same {@code namespace} on several nodes
   * form one replicated store; different namespaces are independent (their own metadata and addresses).
   * The local store is closed with this store.
   */
  static Future<ReplicatedLogStore> create(ClusterNode node, LogStore local, String namespace) {
    return ReplicaManager.deploy(node, local, namespace);
  }

  /**
   * Opens a log with its own replication settings (the node's {@link ClusterOptions} give the defaults
   * used by {@link #open(String, LogOptions)}). Settings apply when the log is created; an existing log keeps its own.
   */
  Future<PartitionLog> open(String name, LogOptions options, Replication replication);

  /** Where the log lives now, as the cluster metadata says; fails with {@code unknown_log}. */
  Future<Placement> placement(String name);

  /** Tells {@code listener} whenever this node starts or stops leading a log of this store. */
  void addLeadershipListener(LeadershipListener listener);

  /**
   * Hands every leadership this node holds in this store to an in-sync follower (after letting followers
   * catch up, at most {@link ClusterOptions#getHandOverTimeoutMs()}), as before a graceful leave. Appends
   * sent here meanwhile fail with {@code not_leader} and are retried at the new leader.
   */
  Future<Void> handOverLeadership();

  /**
   * Asks the controller to rebalance this store's logs over the live nodes that run it, as it does by itself
   * when a node joins: replicas move to the nodes holding fewer (a new replica catches up first, the old one
   * is dropped, and deletes its copy, only once the new one is in sync), then leaderships move to in-sync
   * replicas until every node leads a fair share, each by a graceful hand-over. At most
   * {@link ClusterOptions#getMaxConcurrentMoves()} moves run at once. Completes once the controller took the
   * request; the moves follow in the background.
   */
  Future<Void> rebalance();
}
