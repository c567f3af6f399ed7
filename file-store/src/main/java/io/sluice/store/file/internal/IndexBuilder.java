package io.sluice.store.file.internal;

/**
 * The one rule deciding which batches get index entries, shared by the writer (as it appends) and by
 * recovery (as it rebuilds an index from the segment), so both produce the same entries.
 *
 * <p>Rule: before a batch is placed, if at least {@code indexIntervalBytes} were written since the last
 * entry, the batch gets an offset entry (its relative offset, its position) and, if the largest
 * timestamp grew, a time entry. Sealing adds a last time entry so the time index ends with the
 * segment's largest timestamp.
 *
 * <p>Thread contract: not thread-safe; owned by the log's writer (or a recovery scan).
 */
final class IndexBuilder {

  private final long base;
  private final int interval;
  final OffsetIndex offsets;
  final TimeIndex times;
  private int bytesSinceEntry;
  private long maxTimestamp = -1;
  private int lastBatchRelative = -1;

  IndexBuilder(long base, int interval) {
    this(base, interval, new OffsetIndex(), new TimeIndex(), 0, -1, -1);
  }

  /** Continues indexes loaded for an active segment. */
  IndexBuilder(long base, int interval, OffsetIndex offsets, TimeIndex times, int bytesSinceEntry,
      long maxTimestamp, int lastBatchRelative) {
    this.base = base;
    this.interval = interval;
    this.offsets = offsets;
    this.times = times;
    this.bytesSinceEntry = bytesSinceEntry;
    this.maxTimestamp = maxTimestamp;
    this.lastBatchRelative = lastBatchRelative;
  }

  void add(long batchBaseOffset, long position, int size, long batchMaxTimestamp) {
    int rel = (int) (batchBaseOffset - base);
    maxTimestamp = Math.max(maxTimestamp, batchMaxTimestamp);
    if (bytesSinceEntry >= interval && position > 0) {
      offsets.append(rel, (int) position);
      times.maybeAppend(maxTimestamp, rel);
      bytesSinceEntry = 0;
    }
    bytesSinceEntry += size;
    lastBatchRelative = rel;
  }

  /** Adds the closing time entry; call when the segment is sealed or the log closes. */
  void finish() {
    if (lastBatchRelative >= 0) {
      times.maybeAppend(maxTimestamp, lastBatchRelative);
    }
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  int bytesSinceEntry() {
    return bytesSinceEntry;
  }

  int lastBatchRelative() {
    return lastBatchRelative;
  }
}
