package io.sluice.cluster;

/** When a replicated append completes. */
public enum Acks {
  /** After the leader's local append (durability of the local store): a leader crash can lose it. */
  LEADER,
  /**
   * Once every in-sync replica has it ({@link io.sluice.api.Durability#REPLICATED}); refused with
   * {@code not_enough_replicas} while fewer than {@code minInSync} replicas are in sync.
   */
  ALL
}
