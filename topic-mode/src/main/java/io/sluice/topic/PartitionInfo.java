package io.sluice.topic;

/** One partition as {@code describe} sees it: the offsets it holds, {@code [startOffset, endOffset)}. */
public record PartitionInfo(int partition, long startOffset, long endOffset) {

  /** The number of records held. */
  public long size() {
    return endOffset - startOffset;
  }
}
