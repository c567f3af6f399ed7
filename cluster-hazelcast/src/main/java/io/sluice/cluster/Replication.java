package io.sluice.cluster;

import io.sluice.api.InvalidArgumentException;
import java.util.Objects;

/** Replication settings of one log: replicas, in-sync replicas an {@code acks=all} append needs, and the acks mode. */
public record Replication(int factor, int minInSync, Acks acks) {

  public Replication {
    if (factor < 1) {
      throw new InvalidArgumentException("replication factor must be >= 1, got " + factor);
    }
    if (minInSync < 1 || minInSync > factor) {
      throw new InvalidArgumentException("minInSync must be 1.." + factor + ", got " + minInSync);
    }
    Objects.requireNonNull(acks, "acks");
  }

  /** The node's defaults. */
  public static Replication of(ClusterOptions options) {
    return new Replication(options.getReplicationFactor(), options.getMinInSync(), options.getAcks());
  }
}
