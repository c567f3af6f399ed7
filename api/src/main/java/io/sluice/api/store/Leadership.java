package io.sluice.api.store;

import io.sluice.api.internal.LeadershipTracker;

/**
 * Which logs of a store this node leads, and a signal when that changes. On a local store this node
 * leads every log and nothing ever moves; on a replicated store each log has one leader in the cluster,
 * which is where a mode runs the single writer of that log (a partition owner, a queue's cursor, a
 * registry). Modes learn only this, never which cluster technology moves the leaderships.
 *
 * <p>Thread contract: thread-safe. {@link #leads} answers at once from this node's current view; a
 * listener runs on the Vert.x context that added it (or on the store's thread when added off any
 * context), in the order the changes happened, and must not block.
 */
public interface Leadership {

  /** Told when this node became ({@code leader} true) or stopped being the leader of {@code log}. */
  @FunctionalInterface
  interface Listener {
    void leadershipChanged(String log, boolean leader);
  }

  /** True when this node is, in its current view, the leader of {@code log} (always true on a local store). */
  boolean leads(String log);

  /**
   * True when leaderships can move between nodes (a replicated store): a mode then deploys a log's
   * single writer only where {@link #leads} says, and clients retry while it moves.
   */
  boolean distributed();

  /** Tells {@code listener} about every later change; on a local store it is never called. */
  void addListener(Listener listener);

  /** Stops telling {@code listener}; unknown listeners are ignored. */
  void removeListener(Listener listener);

  /** The leadership of a store with no cluster: this node leads every log, always. */
  static Leadership local() {
    return LeadershipTracker.LOCAL;
  }
}
