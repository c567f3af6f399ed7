package io.sluice.topic;

/**
 * Where a consumer starts in a partition that has no committed offset for its group, or whose position
 * fell outside the log (for example below the start after retention trimmed it).
 */
public enum OffsetReset {
  /** The first offset still held. */
  EARLIEST,
  /** The end: only records appended from now on. Kafka's default. */
  LATEST,
  /** No reset: the consumer reports {@code offset_out_of_range} and that partition stops until {@code seek}. */
  NONE
}
