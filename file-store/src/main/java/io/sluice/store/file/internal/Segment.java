package io.sluice.store.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One segment of a log: the file {@code <baseOffset>.log} holding whole batches back to back, exactly
 * in the {@link io.sluice.api.RecordBatch} wire format, plus its sparse offset and time indexes.
 *
 * <p>Thread contract: only the log's writer appends and seals. Readers run concurrently: they see the
 * committed size, next offset and largest timestamp through volatile fields the writer publishes after
 * each write, and read the file with positional reads. Indexes synchronize themselves; a sealed
 * segment's indexes are loaded lazily (mapped) on first use.
 *
 * <p>The segment is reference-counted so that trimming can delete it while a reader is still copying
 * from it: the log holds one reference, each reader takes one for the duration of its read, and the
 * channel is closed when the count drops to zero (on Linux the deleted file's data stays readable
 * through the open channel until then).
 */
final class Segment {

  private static final System.Logger LOG = System.getLogger("io.sluice.store.file");

  /** A prefix of the segment known to be on stable storage: bytes below {@code position}, offsets below {@code offset}. */
  record FlushMark(long position, long offset) {
  }

  final long base;
  private final Path dir;
  private final FileChannel channel;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final int indexInterval;

  private volatile long size;
  private volatile long nextOffset;
  private volatile long maxTimestamp;
  private volatile FlushMark forced;
  private volatile boolean sealed;

  /**
   * When the first batch went in, for {@code segmentMs} rolling (an empty segment never rolls). For a
   * segment reopened with data in it, the time it was opened: the files do not record it.
   */
  private long firstAppendMs;
  /** Only while active, writer-owned. */
  private IndexBuilder indexer;
  private OffsetIndex offsetIndex;
  private TimeIndex timeIndex;

  private Segment(Path dir, long base, FileChannel channel, int indexInterval, long size, long nextOffset,
      long maxTimestamp, FlushMark forced, boolean sealed, IndexBuilder indexer) {
    this.dir = dir;
    this.base = base;
    this.channel = channel;
    this.indexInterval = indexInterval;
    this.size = size;
    this.nextOffset = nextOffset;
    this.maxTimestamp = maxTimestamp;
    this.forced = forced;
    this.sealed = sealed;
    this.indexer = indexer;
    if (indexer != null) {
      this.offsetIndex = indexer.offsets;
      this.timeIndex = indexer.times;
    }
    this.firstAppendMs = System.currentTimeMillis();
  }

  /** Creates a new, empty active segment file (the caller fsyncs the directory). */
  static Segment create(Path dir, long base, int indexInterval) throws IOException {
    FileChannel ch = FileChannel.open(SegmentFiles.log(dir, base), StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE);
    DiskOps.deleteIfExists(SegmentFiles.index(dir, base));
    DiskOps.deleteIfExists(SegmentFiles.timeIndex(dir, base));
    return new Segment(dir, base, ch, indexInterval, 0, base, -1, new FlushMark(0, base), false,
        new IndexBuilder(base, indexInterval));
  }

  /** Opens the active segment with its in-memory indexes, continuing at {@code size}. */
  static Segment openActive(Path dir, long base, int indexInterval, long size, long nextOffset,
      IndexBuilder indexer, FlushMark forced) throws IOException {
    FileChannel ch = FileChannel.open(SegmentFiles.log(dir, base), StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new Segment(dir, base, ch, indexInterval, size, nextOffset, indexer.maxTimestamp(), forced, false, indexer);
  }

  /** Opens a sealed segment; its indexes are loaded on first use. */
  static Segment openSealed(Path dir, long base, int indexInterval, long size, long nextOffset, long maxTimestamp)
      throws IOException {
    FileChannel ch = FileChannel.open(SegmentFiles.log(dir, base), StandardOpenOption.READ);
    return new Segment(dir, base, ch, indexInterval, size, nextOffset, maxTimestamp,
        new FlushMark(size, nextOffset), true, null);
  }

  FileChannel channel() {
    return channel;
  }

  Path file() {
    return SegmentFiles.log(dir, base);
  }

  /** Committed bytes: readers may read below this. */
  long size() {
    return size;
  }

  long nextOffset() {
    return nextOffset;
  }

  /** The largest record timestamp, -1 when empty. */
  long maxTimestamp() {
    return maxTimestamp;
  }

  boolean isEmpty() {
    return size == 0;
  }

  boolean isSealed() {
    return sealed;
  }

  FlushMark forced() {
    return forced;
  }

  // ---- writer side ----

  long firstAppendMs() {
    return firstAppendMs;
  }

  void firstAppendMs(long ms) {
    firstAppendMs = ms;
  }

  IndexBuilder indexer() {
    return indexer;
  }

  /** Publishes appended batches to readers. Writer only, after the bytes are written (and fsync'd if required). */
  void committed(long newSize, long newNextOffset, long newMaxTimestamp) {
    this.maxTimestamp = newMaxTimestamp;
    this.nextOffset = newNextOffset;
    this.size = newSize;
  }

  synchronized void markForced(FlushMark mark) {
    FlushMark current = forced;
    if (mark.position() > current.position()) {
      forced = mark;
    }
  }

  /** Forces the committed bytes to disk and records how far they are durable. Any thread. */
  void force(long upToPosition, long upToOffset) throws IOException {
    if (forced.position() >= upToPosition) {
      return;
    }
    channel.force(false);
    markForced(new FlushMark(upToPosition, upToOffset));
  }

  /**
   * Writes the index files (with the closing time entry) and, if {@code seal}, makes the segment read-only.
   * Never fails: an index file that could not be written is deleted, and rebuilt from the segment when needed.
   */
  void writeIndexes(boolean seal) {
    IndexBuilder ib = indexer;
    if (ib == null) {
      return;
    }
    ib.finish();
    try {
      ib.offsets.writeTo(SegmentFiles.index(dir, base));
      ib.times.writeTo(SegmentFiles.timeIndex(dir, base));
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot write the indexes of " + file() + " (they will be rebuilt)", e);
      try {
        DiskOps.deleteIfExists(SegmentFiles.index(dir, base));
        DiskOps.deleteIfExists(SegmentFiles.timeIndex(dir, base));
      } catch (IOException e2) {
        // a damaged index is detected and rebuilt anyway
      }
    }
    if (seal) {
      synchronized (this) {
        sealed = true;
        indexer = null;
        // Reloaded lazily, mapped instead of on the heap.
        offsetIndex = null;
        timeIndex = null;
      }
    }
  }

  /** Truncates the file back to {@code position} after a failed write. Writer only. */
  void truncateTo(long position) throws IOException {
    channel.truncate(position);
  }

  // ---- reader side ----

  synchronized OffsetIndex offsetIndex() throws IOException {
    if (offsetIndex == null) {
      loadIndexes();
    }
    return offsetIndex;
  }

  synchronized TimeIndex timeIndex() throws IOException {
    if (timeIndex == null) {
      loadIndexes();
    }
    return timeIndex;
  }

  private void loadIndexes() throws IOException {
    long last = nextOffset - base - 1;
    OffsetIndex oi = OffsetIndex.load(SegmentFiles.index(dir, base), false, last, size);
    TimeIndex ti = TimeIndex.load(SegmentFiles.timeIndex(dir, base), false, last);
    if (oi == null || ti == null) {
      rebuildIndexes();
      return;
    }
    offsetIndex = oi;
    timeIndex = ti;
  }

  /**
   * Rebuilds a sealed segment's indexes from its batch headers and rewrites their files; for an index
   * found missing, insane, or pointing at the wrong batch. Returns false if the headers do not walk
   * cleanly to the end (the segment itself is damaged).
   */
  synchronized boolean rebuildIndexes() throws IOException {
    if (!sealed) {
      return false;
    }
    IndexBuilder ib = new IndexBuilder(base, indexInterval);
    BatchScanner scanner = new BatchScanner(channel, size, 1 << 20);
    long pos = 0;
    long expected = base;
    boolean clean = true;
    while (true) {
      BatchScanner.Status st = scanner.at(pos);
      if (st == BatchScanner.Status.END) {
        break;
      }
      if (st != BatchScanner.Status.OK || scanner.baseOffset() != expected) {
        clean = false;
        break;
      }
      ib.add(expected, pos, scanner.size(), scanner.maxTimestamp());
      pos += scanner.size();
      expected = scanner.nextOffset();
    }
    ib.finish();
    offsetIndex = ib.offsets;
    timeIndex = ib.times;
    if (clean) {
      ib.offsets.writeTo(SegmentFiles.index(dir, base));
      ib.times.writeTo(SegmentFiles.timeIndex(dir, base));
      maxTimestamp = ib.maxTimestamp();
    }
    return clean;
  }

  /** Positional read; returns the bytes read. */
  int read(ByteBuffer dst, long position) throws IOException {
    return DiskOps.readFully(channel, dst, position);
  }

  /** Takes a reference for a read; false if the segment was already released (trimmed or closed). */
  boolean retain() {
    while (true) {
      int n = refs.get();
      if (n <= 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void release() {
    if (refs.decrementAndGet() == 0) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing left to do with it
      }
    }
  }

  /** Deletes the segment's files; the channel stays usable by current readers until released. */
  void deleteFiles() throws IOException {
    DiskOps.deleteIfExists(SegmentFiles.log(dir, base));
    DiskOps.deleteIfExists(SegmentFiles.index(dir, base));
    DiskOps.deleteIfExists(SegmentFiles.timeIndex(dir, base));
  }

  @Override
  public String toString() {
    return "Segment{" + file() + ", size=" + size + ", offsets=[" + base + ", " + nextOffset + ")}";
  }
}
