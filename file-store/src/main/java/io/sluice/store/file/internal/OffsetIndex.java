package io.sluice.store.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sparse offset index of a segment ({@code <baseOffset>.index}), as in Kafka's OffsetIndex: one
 * entry per {@code indexIntervalBytes} of log, mapping the offset of a batch (relative to the segment's
 * base offset) to the byte position of that batch in the segment.
 *
 * <pre>
 * entry (8 bytes, big-endian): int32 relativeOffset, int32 position
 * </pre>
 * Entries are strictly ascending in both fields. The first batch of a segment (position 0) needs no entry.
 * A lookup gives the nearest batch at or before the wanted offset; the reader walks batch headers from there.
 *
 * <p>Thread contract: every method is synchronized (one writer appends, readers look up concurrently).
 */
final class OffsetIndex extends SparseIndex {

  static final int ENTRY_SIZE = 8;

  OffsetIndex() {
    super(ENTRY_SIZE);
  }

  private OffsetIndex(ByteBuffer loaded, boolean readOnly) {
    super(ENTRY_SIZE, loaded, readOnly);
  }

  /**
   * Loads an index file, or returns null when it is missing or does not describe the segment (entries
   * not strictly ascending, or pointing outside it); the caller then rebuilds it from the segment.
   *
   * @param lastRelativeOffset the relative offset of the segment's last record
   * @param segmentSize        the segment's size in bytes
   */
  static OffsetIndex load(Path file, boolean writable, long lastRelativeOffset, long segmentSize) throws IOException {
    ByteBuffer buf = readFile(file, ENTRY_SIZE, writable);
    if (buf == null) {
      return null;
    }
    int n = buf.limit() / ENTRY_SIZE;
    long prevRel = -1;
    long prevPos = -1;
    for (int i = 0; i < n; i++) {
      int rel = buf.getInt(i * ENTRY_SIZE);
      int pos = buf.getInt(i * ENTRY_SIZE + 4);
      if (rel <= prevRel || pos <= prevPos || rel > lastRelativeOffset || pos >= segmentSize) {
        return null;
      }
      prevRel = rel;
      prevPos = pos;
    }
    return new OffsetIndex(buf, !writable);
  }

  /** Appends an entry; both fields must be greater than the last entry's. */
  synchronized void append(int relativeOffset, int position) {
    if (count > 0 && (relativeOffset <= relativeOffset(count - 1) || position <= position(count - 1))) {
      throw new IllegalStateException("index entry (" + relativeOffset + ", " + position
          + ") is not after the last one (" + relativeOffset(count - 1) + ", " + position(count - 1) + ")");
    }
    int at = slotForAppend();
    entries.putInt(at, relativeOffset);
    entries.putInt(at + 4, position);
    count++;
  }

  /**
   * The entry with the greatest relative offset at or below {@code relativeOffset}, packed as
   * {@code relativeOffset << 32 | position}; (0, 0), the segment's first batch, when there is none.
   */
  synchronized long floor(long relativeOffset) {
    int lo = 0;
    int hi = count - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (relativeOffset(mid) <= relativeOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) {
      return 0L;
    }
    return ((long) relativeOffset(found) << 32) | (position(found) & 0xFFFFFFFFL);
  }

  static int relativeOffsetOf(long packed) {
    return (int) (packed >>> 32);
  }

  static int positionOf(long packed) {
    return (int) packed;
  }

  synchronized int relativeOffset(int i) {
    return entries.getInt(i * ENTRY_SIZE);
  }

  synchronized int position(int i) {
    return entries.getInt(i * ENTRY_SIZE + 4);
  }
}
