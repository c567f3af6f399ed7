package io.sluice.cluster;

/**
 * Told when this node starts or stops leading a log: where a mode's owner (a group coordinator, a
 * queue's shared cursor) starts and stops. Called on the replicated store's context, in the order the
 * changes happen; must not block.
 */
@FunctionalInterface
public interface LeadershipListener {

  /**
   * @param leader true when this node became the leader of {@code log} for {@code epoch}, false when it
   *               stopped leading it (the epoch is then the new one, or the last one when the log went away)
   */
  void leadershipChanged(String log, boolean leader, long epoch);
}
