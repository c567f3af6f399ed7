package io.sluice.cluster;

import java.util.List;

/**
 * Where a replicated log lives, as the cluster metadata records it: its replicas (node ids), the
 * leader (null while there is none: every in-sync replica is down), the leader epoch, and the in-sync
 * replicas. A snapshot; it changes with failover.
 */
public record Placement(String log, List<String> replicas, String leader, long leaderEpoch, List<String> isr,
    int minInSync, Acks acks) {

  public Placement {
    replicas = List.copyOf(replicas);
    isr = List.copyOf(isr);
  }
}
