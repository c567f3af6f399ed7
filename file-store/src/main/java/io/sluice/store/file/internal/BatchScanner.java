package io.sluice.store.file.internal;

import io.sluice.api.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads the batch headers of one segment file at given positions through a reusable window, so
 * walking many small batches costs one positional read per window, not one per batch. Used by
 * recovery (with CRC checks), index rebuilding, offset lookup and the repair tool. Never decodes records.
 *
 * <p>Thread contract: not thread-safe; one scanner per walk. The file may grow concurrently; the
 * scanner reads below the {@code limit} it was given only.
 */
final class BatchScanner {

  enum Status {
    /** A well-framed batch header; its body lies within the limit (CRC not checked yet). */
    OK,
    /** Exactly at the limit: no more batches. */
    END,
    /** A header or body that runs past the limit: a torn write, or damage. */
    TRUNCATED,
    /** Bytes that cannot be a batch (bad magic, length or record count). */
    MALFORMED
  }

  private static final int MIN_LENGTH = RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD;

  private final FileChannel channel;
  private final long limit;
  private final ByteBuffer window;
  private long windowStart = -1;
  private int windowLength;

  private long position;
  private long baseOffset;
  private int size;
  private int recordCount;
  private long maxTimestamp;
  private int storedCrc;
  private String problem;

  BatchScanner(FileChannel channel, long limit, int windowSize) {
    this(channel, limit, ByteBuffer.allocate(Math.max(windowSize, RecordBatch.HEADER_SIZE)));
  }

  /**
   * Scans through a window the caller owns (heap, at least a batch header long), e.g. one per read thread
   * for the offset lookup of every read; the scanner overwrites it and keeps nothing in it past the walk.
   */
  BatchScanner(FileChannel channel, long limit, ByteBuffer window) {
    if (window.capacity() < RecordBatch.HEADER_SIZE) {
      throw new IllegalArgumentException("a scan window needs at least " + RecordBatch.HEADER_SIZE + " bytes");
    }
    this.channel = channel;
    this.limit = limit;
    this.window = window;
  }

  long limit() {
    return limit;
  }

  /** Reads the header of the batch at {@code pos}. */
  Status at(long pos) throws IOException {
    position = pos;
    problem = null;
    if (pos == limit) {
      return Status.END;
    }
    if (pos > limit) {
      problem = "position " + pos + " is past the end " + limit;
      return Status.TRUNCATED;
    }
    if (limit - pos < RecordBatch.LOG_OVERHEAD) {
      problem = "partial batch header (" + (limit - pos) + " bytes)";
      return Status.TRUNCATED;
    }
    int have = cover(pos, RecordBatch.HEADER_SIZE);
    if (have < RecordBatch.LOG_OVERHEAD) {
      problem = "file shorter than expected at position " + pos;
      return Status.TRUNCATED;
    }
    int w = (int) (pos - windowStart);
    baseOffset = window.getLong(w + RecordBatch.BASE_OFFSET_POS);
    int length = window.getInt(w + RecordBatch.LENGTH_POS);
    if (length < MIN_LENGTH) {
      problem = "bad batch length " + length;
      return Status.MALFORMED;
    }
    size = RecordBatch.LOG_OVERHEAD + length;
    if (have < RecordBatch.HEADER_SIZE) {
      problem = "partial batch header (" + (limit - pos) + " bytes)";
      return Status.TRUNCATED;
    }
    if (window.get(w + RecordBatch.MAGIC_POS) != RecordBatch.MAGIC) {
      problem = "bad magic byte " + window.get(w + RecordBatch.MAGIC_POS);
      return Status.MALFORMED;
    }
    recordCount = window.getInt(w + RecordBatch.RECORD_COUNT_POS);
    if (recordCount <= 0 || recordCount > (length - MIN_LENGTH) / RecordBatch.RECORD_OVERHEAD) {
      problem = "bad record count " + recordCount + " for a batch of " + size + " bytes";
      return Status.MALFORMED;
    }
    storedCrc = window.getInt(w + RecordBatch.CRC_POS);
    maxTimestamp = window.getLong(w + RecordBatch.MAX_TIMESTAMP_POS);
    if ((long) size > limit - pos) {
      problem = "batch of " + size + " bytes runs past the end (" + (limit - pos) + " bytes left)";
      return Status.TRUNCATED;
    }
    return Status.OK;
  }

  /** Whether the batch at the current position has the CRC it claims. Only after {@link Status#OK}. */
  boolean crcMatches() throws IOException {
    CRC32C crc = new CRC32C();
    long from = position + RecordBatch.ATTRIBUTES_POS;
    long end = position + size;
    if (size <= window.capacity()) {
      cover(position, size);
      ByteBuffer view = window.duplicate();
      int w = (int) (position - windowStart);
      view.position(w + RecordBatch.ATTRIBUTES_POS).limit(w + size);
      crc.update(view);
    } else {
      long p = from;
      while (p < end) {
        int n = (int) Math.min(window.capacity(), end - p);
        fill(p, n);
        if (windowLength < n) {
          problem = "short read";
          return false;
        }
        ByteBuffer view = window.duplicate();
        view.position(0).limit(n);
        crc.update(view);
        p += n;
      }
      windowStart = -1;
    }
    boolean ok = (int) crc.getValue() == storedCrc;
    if (!ok) {
      problem = "CRC mismatch";
    }
    return ok;
  }

  /** The whole current batch, in a new heap buffer (for the rare paths that look at records). */
  ByteBuffer readBatch() throws IOException {
    ByteBuffer out = ByteBuffer.allocate(size);
    if (DiskOps.readFully(channel, out, position) != size) {
      throw new IOException("short read of a batch at position " + position);
    }
    out.flip();
    return out;
  }

  /** The byte at {@code pos} (below the limit), for searching damaged regions for a batch. */
  byte byteAt(long pos) throws IOException {
    cover(pos, 1);
    return window.get((int) (pos - windowStart));
  }

  /** Makes the window hold {@code [pos, pos + n)} where possible; returns how many of those bytes it holds. */
  private int cover(long pos, int n) throws IOException {
    long want = Math.min(n, limit - pos);
    if (windowStart < 0 || pos < windowStart || pos + want > windowStart + windowLength) {
      fill(pos, (int) Math.min(window.capacity(), limit - pos));
    }
    return (int) Math.min(n, windowStart + windowLength - pos);
  }

  private void fill(long pos, int n) throws IOException {
    window.clear();
    window.limit(n);
    windowLength = DiskOps.readFully(channel, window, pos);
    window.clear();
    windowStart = pos;
  }

  long position() {
    return position;
  }

  long baseOffset() {
    return baseOffset;
  }

  /** The offset after the batch's last record. */
  long nextOffset() {
    return baseOffset + recordCount;
  }

  int size() {
    return size;
  }

  int recordCount() {
    return recordCount;
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  /** Why the last call did not find a whole batch. */
  String problem() {
    return problem;
  }
}
