package io.sluice.topic;

import io.sluice.api.store.LogReplicas;
import java.util.Optional;

/**
 * One partition as {@code describe} sees it: the offsets it holds, {@code [startOffset, endOffset)}, and on a
 * replicated store where its replicas are (its leader, replicas and in-sync replicas when described).
 *
 * @param replicas where the partition's log lives, or {@code null} on a store that does not replicate
 */
public record PartitionInfo(int partition, long startOffset, long endOffset, LogReplicas replicas) {

  /** A partition on a store that does not replicate. */
  public PartitionInfo(int partition, long startOffset, long endOffset) {
    this(partition, startOffset, endOffset, null);
  }

  /** The number of records held. */
  public long size() {
    return endOffset - startOffset;
  }

  /** Where the partition's log lives; empty on a store that does not replicate. */
  public Optional<LogReplicas> replication() {
    return Optional.ofNullable(replicas);
  }
}
