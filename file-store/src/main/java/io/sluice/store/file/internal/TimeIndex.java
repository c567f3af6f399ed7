package io.sluice.store.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sparse time index of a segment ({@code <baseOffset>.timeindex}).
 *
 * <pre>
 * entry (12 bytes, big-endian): int64 maxTimestampSoFar, int32 relativeOffset
 * </pre>
 * An entry (T, r) says: every record in the batches of this segment up to and including the batch
 * starting at relative offset r has a timestamp of at most T. Entries are strictly ascending in both
 * fields, added with the offset index's entries when the maximum grew, and once more when the
 * segment is sealed, so the last entry's timestamp is the segment's largest.
 *
 * <p>That is exactly what an exact {@code offsetForTimestamp} needs even when timestamps are out of
 * order: the last entry with T below the target proves that no earlier batch can hold the answer, so
 * the search walks batch headers from there.
 *
 * <p>Thread contract: every method is synchronized.
 */
final class TimeIndex extends SparseIndex {

  static final int ENTRY_SIZE = 12;

  TimeIndex() {
    super(ENTRY_SIZE);
  }

  private TimeIndex(ByteBuffer loaded, boolean readOnly) {
    super(ENTRY_SIZE, loaded, readOnly);
  }

  /** Loads an index file, or returns null when it is missing or insane (see {@link OffsetIndex#load}). */
  static TimeIndex load(Path file, boolean writable, long lastRelativeOffset) throws IOException {
    ByteBuffer buf = readFile(file, ENTRY_SIZE, writable);
    if (buf == null) {
      return null;
    }
    int n = buf.limit() / ENTRY_SIZE;
    long prevTs = Long.MIN_VALUE;
    long prevRel = -1;
    for (int i = 0; i < n; i++) {
      long ts = buf.getLong(i * ENTRY_SIZE);
      int rel = buf.getInt(i * ENTRY_SIZE + 8);
      if ((i > 0 && ts <= prevTs) || rel <= prevRel || rel > lastRelativeOffset) {
        return null;
      }
      prevTs = ts;
      prevRel = rel;
    }
    return new TimeIndex(buf, !writable);
  }

  /**
   * Records that the batches up to the one at {@code relativeOffset} have timestamps of at most
   * {@code maxTimestampSoFar}; ignored unless the maximum grew. The same batch again replaces the entry.
   */
  synchronized void maybeAppend(long maxTimestampSoFar, int relativeOffset) {
    if (count > 0) {
      if (maxTimestampSoFar <= timestamp(count - 1)) {
        return;
      }
      int lastRel = relativeOffset(count - 1);
      if (relativeOffset < lastRel) {
        throw new IllegalStateException("time index entry for offset " + relativeOffset + " after " + lastRel);
      }
      if (relativeOffset == lastRel) {
        entries.putLong((count - 1) * ENTRY_SIZE, maxTimestampSoFar);
        return;
      }
    }
    int at = slotForAppend();
    entries.putLong(at, maxTimestampSoFar);
    entries.putInt(at + 8, relativeOffset);
    count++;
  }

  /** The relative offset of the last entry whose timestamp is below {@code target}, or -1. */
  synchronized int lastBelow(long target) {
    int lo = 0;
    int hi = count - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (timestamp(mid) < target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : relativeOffset(found);
  }

  /** The last entry's timestamp: the segment's largest once sealed; -1 when empty. */
  synchronized long lastTimestamp() {
    return count == 0 ? -1 : timestamp(count - 1);
  }

  synchronized long timestamp(int i) {
    return entries.getLong(i * ENTRY_SIZE);
  }

  synchronized int relativeOffset(int i) {
    return entries.getInt(i * ENTRY_SIZE + 8);
  }
}
