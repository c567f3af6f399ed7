package io.sluice.store.file.internal;

import io.sluice.api.RecordBatch;
import io.sluice.store.file.CorruptionPolicy;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens a log directory and decides what can be trusted.
 *
 * <ul>
 *   <li>After a clean shutdown (the {@code clean-shutdown} marker, and a checkpoint whose recovery point
 *       is the end of the last segment) nothing is scanned: segments and indexes are opened as they are.
 *       Reads still check every batch's CRC.</li>
 *   <li>Otherwise segments before the checkpoint's recovery point are trusted (they were fsync'd); from
 *       the recovery point on every batch's framing, offset and CRC is verified and the indexes are rebuilt.
 *       A damaged region at the end of the last segment, with no whole batch after it, is a torn write:
 *       it is cut off. A damaged batch with good data after it, or in a sealed segment, is corruption:
 *       it is never cut silently. With {@link CorruptionPolicy#FAIL} the log opens read-only below it;
 *       with {@link CorruptionPolicy#TRUNCATE} the damaged batch and everything after it are moved to
 *       {@code quarantine/<time>/} in the log directory and the log continues from the damaged offset.</li>
 * </ul>
 *
 * <p>Thread contract: not thread-safe; one loader per open, on a store thread (it does blocking I/O).
 */
final class LogLoader {

  private static final System.Logger LOG = System.getLogger("io.sluice.store.file");
  private static final int SCAN_WINDOW = 1 << 20;

  /** What the loader found. {@code segments} is never empty; the last one is the active segment. */
  record Loaded(List<Segment> segments, long startOffset, Corruption corruption, boolean cleanShutdown,
      long truncatedBytes) {
  }

  private record Walk(long end, long nextOffset, IndexBuilder indexes, long failedAt, String problem) {
  }

  private final Path dir;
  private final String name;
  private final int indexInterval;
  private final CorruptionPolicy policy;
  private final boolean verifyAll;

  /**
   * @param verifyAll verify every batch of every segment whatever the markers say (the repair tool)
   */
  LogLoader(Path dir, String name, int indexInterval, CorruptionPolicy policy, boolean verifyAll) {
    this.dir = dir;
    this.name = name;
    this.indexInterval = indexInterval;
    this.policy = policy;
    this.verifyAll = verifyAll;
  }

  Loaded load() throws IOException {
    List<Long> bases = listSegments();
    LogCheckpoint cp = LogCheckpoint.read(dir);
    Path marker = dir.resolve(SegmentFiles.CLEAN_SHUTDOWN);
    boolean clean = Files.exists(marker);
    long start = cp != null ? cp.startOffset() : bases.isEmpty() ? 0 : bases.get(0);
    if (cp == null && !bases.isEmpty() && Files.exists(dir.resolve(SegmentFiles.CHECKPOINT))) {
      LOG.log(Level.WARNING, "log ''{0}'': damaged checkpoint file, verifying every segment", name);
    }

    // A crash during trimming can leave whole segments below the start offset: finish the job.
    while (bases.size() > 1 && bases.get(1) <= start) {
      deleteSegmentFiles(bases.remove(0));
    }

    Loaded loaded;
    if (bases.isEmpty()) {
      Segment s = Segment.create(dir, start, indexInterval);
      DiskOps.fsyncDirectory(dir);
      loaded = new Loaded(List.of(s), start, null, clean, 0);
    } else if (clean && !verifyAll && cp != null && cp.recoverySegment() == last(bases)
        && Files.size(SegmentFiles.log(dir, last(bases))) == cp.recoveryPosition()) {
      loaded = openClean(bases, cp, start);
    } else {
      loaded = recover(bases, cp, start);
    }
    if (clean) {
      // From now on the log is being written: a crash must not be mistaken for a clean shutdown.
      Files.delete(marker);
      DiskOps.fsyncDirectory(dir);
    }
    return loaded;
  }

  private List<Long> listSegments() throws IOException {
    List<Long> bases = new ArrayList<>();
    List<Path> indexes = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String f = p.getFileName().toString();
        if (f.endsWith(".tmp")) {
          Files.deleteIfExists(p);
          continue;
        }
        long base = SegmentFiles.parseBase(f, SegmentFiles.LOG_SUFFIX);
        if (base >= 0) {
          bases.add(base);
        } else if (SegmentFiles.parseBase(f, SegmentFiles.INDEX_SUFFIX) >= 0
            || SegmentFiles.parseBase(f, SegmentFiles.TIME_INDEX_SUFFIX) >= 0) {
          indexes.add(p);
        }
      }
    }
    bases.sort(null);
    for (Path p : indexes) {
      String f = p.getFileName().toString();
      long base = Math.max(SegmentFiles.parseBase(f, SegmentFiles.INDEX_SUFFIX),
          SegmentFiles.parseBase(f, SegmentFiles.TIME_INDEX_SUFFIX));
      if (!bases.contains(base)) {
        Files.deleteIfExists(p);
      }
    }
    return bases;
  }

  private Loaded openClean(List<Long> bases, LogCheckpoint cp, long start) throws IOException {
    List<Segment> segments = new ArrayList<>(bases.size());
    boolean ok = false;
    try {
      Loaded loaded = openClean(bases, cp, start, segments);
      ok = true;
      return loaded;
    } finally {
      if (!ok) {
        closeAll(segments);
      }
    }
  }

  private Loaded openClean(List<Long> bases, LogCheckpoint cp, long start, List<Segment> segments) throws IOException {
    for (int i = 0; i < bases.size() - 1; i++) {
      segments.add(openTrustedSealed(bases.get(i), bases.get(i + 1)));
    }
    long base = last(bases);
    long size = cp.recoveryPosition();
    long next = cp.recoveryOffset();
    IndexBuilder ib = loadActiveIndexes(base, size, next);
    if (ib == null) {
      Walk w;
      try (FileChannel ch = FileChannel.open(SegmentFiles.log(dir, base), StandardOpenOption.READ)) {
        w = walk(ch, base, size, Long.MAX_VALUE);
      }
      if (w.failedAt >= 0 || w.nextOffset != next) {
        // The files disagree with the checkpoint: do not trust either, verify everything.
        closeAll(segments);
        segments.clear();
        return recover(bases, null, start);
      }
      ib = w.indexes;
    }
    segments.add(Segment.openActive(dir, base, indexInterval, size, next, ib, new Segment.FlushMark(size, next)));
    return new Loaded(segments, clampStart(start, segments), null, true, 0);
  }

  /** The active segment's index files as a writable builder, or null if they are missing or insane. */
  private IndexBuilder loadActiveIndexes(long base, long size, long next) throws IOException {
    OffsetIndex oi = OffsetIndex.load(SegmentFiles.index(dir, base), true, next - base - 1, size);
    TimeIndex ti = TimeIndex.load(SegmentFiles.timeIndex(dir, base), true, next - base - 1);
    if (oi == null || ti == null || (size > 0 && ti.entryCount() == 0)) {
      return null;
    }
    int n = oi.entryCount();
    int bytesSince = (int) (size - (n == 0 ? 0 : oi.position(n - 1)));
    int lastRel = ti.entryCount() == 0 ? -1 : ti.relativeOffset(ti.entryCount() - 1);
    return new IndexBuilder(base, indexInterval, oi, ti, bytesSince, ti.lastTimestamp(), lastRel);
  }

  private Segment openTrustedSealed(long base, long nextBase) throws IOException {
    long size = Files.size(SegmentFiles.log(dir, base));
    long maxTs = lastTimestamp(SegmentFiles.timeIndex(dir, base), nextBase - base - 1);
    Segment s = Segment.openSealed(dir, base, indexInterval, size, nextBase, maxTs);
    if (maxTs == Long.MIN_VALUE) {
      s.rebuildIndexes();
    }
    return s;
  }

  /** The timestamp of the time index's last entry, or MIN_VALUE if the file cannot say. */
  private static long lastTimestamp(Path timeIndex, long lastRelative) throws IOException {
    if (!Files.exists(timeIndex)) {
      return Long.MIN_VALUE;
    }
    try (FileChannel ch = FileChannel.open(timeIndex, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size == 0 || size % TimeIndex.ENTRY_SIZE != 0) {
        return Long.MIN_VALUE;
      }
      ByteBuffer b = ByteBuffer.allocate(TimeIndex.ENTRY_SIZE);
      if (DiskOps.readFully(ch, b, size - TimeIndex.ENTRY_SIZE) != TimeIndex.ENTRY_SIZE) {
        return Long.MIN_VALUE;
      }
      int rel = b.getInt(8);
      return rel >= 0 && rel <= lastRelative ? b.getLong(0) : Long.MIN_VALUE;
    }
  }

  private Loaded recover(List<Long> bases, LogCheckpoint cp, long start) throws IOException {
    long recoverySegment = cp == null || verifyAll ? -1 : cp.recoverySegment();
    long recoveryPosition = cp == null || verifyAll ? 0 : cp.recoveryPosition();
    List<Segment> segments = new ArrayList<>();
    Corruption corruption = null;
    long truncated = 0;
    boolean ok = false;
    try {
      for (int i = 0; i < bases.size(); i++) {
        long base = bases.get(i);
        boolean last = i == bases.size() - 1;
        if (!last && base < recoverySegment) {
          segments.add(openTrustedSealed(base, bases.get(i + 1)));
          continue;
        }
        long verifyFrom = base == recoverySegment ? recoveryPosition : 0;
        Path file = SegmentFiles.log(dir, base);
        Walk w;
        long fileSize;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          fileSize = ch.size();
          w = walk(ch, base, fileSize, verifyFrom);
          if (verifyFrom > 0 && (w.failedAt >= 0 ? w.failedAt < verifyFrom : w.end < verifyFrom)) {
            // The part the checkpoint vouches for does not even frame: trust nothing in this segment.
            LOG.log(Level.WARNING, "log ''{0}'': {1} does not match the checkpoint ({2}); verifying all of it",
                name, file, w.failedAt >= 0 ? w.problem : "shorter than the recovery point");
            w = walk(ch, base, fileSize, 0);
          }
          if (w.failedAt >= 0 && last && !hasWholeBatchAfter(ch, w.failedAt, fileSize, w.nextOffset)) {
            // A torn write: the process or machine stopped in the middle of it. Nothing after it was acknowledged.
            LOG.log(Level.INFO, "log ''{0}'': cutting a torn write of {1} bytes at position {2} of {3} ({4})",
                name, fileSize - w.failedAt, w.failedAt, file, w.problem);
            truncated = fileSize - w.failedAt;
            ch.truncate(w.failedAt);
            ch.force(true);
            fileSize = w.failedAt;
            w = new Walk(w.end, w.nextOffset, w.indexes, -1, null);
          }
          if (w.failedAt < 0) {
            // Make what recovery accepted durable, so the next crash need not verify it again.
            ch.force(false);
          }
        }
        if (w.failedAt >= 0) {
          corruption = new Corruption(base, file, w.failedAt, w.nextOffset, w.problem);
        } else if (!last && w.nextOffset != bases.get(i + 1)) {
          corruption = new Corruption(base, file, fileSize, w.nextOffset, "the segment ends at offset " + w.nextOffset
              + " but the next segment starts at offset " + bases.get(i + 1));
        }
        if (corruption != null) {
          LOG.log(Level.ERROR, corruption.toException(name).getMessage());
          if (policy == CorruptionPolicy.TRUNCATE) {
            quarantine(corruption, bases.subList(i + 1, bases.size()));
            truncated += fileSize - corruption.position();
            corruption = null;
          }
          segments.add(Segment.openActive(dir, base, indexInterval, w.end, w.nextOffset, w.indexes,
              new Segment.FlushMark(w.end, w.nextOffset)));
          break;
        }
        if (last) {
          segments.add(Segment.openActive(dir, base, indexInterval, w.end, w.nextOffset, w.indexes,
              new Segment.FlushMark(w.end, w.nextOffset)));
        } else {
          w.indexes.finish();
          w.indexes.offsets.writeTo(SegmentFiles.index(dir, base));
          w.indexes.times.writeTo(SegmentFiles.timeIndex(dir, base));
          segments.add(Segment.openSealed(dir, base, indexInterval, w.end, w.nextOffset, w.indexes.maxTimestamp()));
        }
      }
      if (corruption == null) {
        start = clampStart(start, segments);
        Segment active = segments.get(segments.size() - 1);
        new LogCheckpoint(start, active.base, active.size(), active.nextOffset()).write(dir);
      }
      ok = true;
    } finally {
      if (!ok) {
        closeAll(segments);
      }
    }
    return new Loaded(segments, clampStart(start, segments), corruption, false, truncated);
  }

  private long clampStart(long start, List<Segment> segments) {
    long first = segments.get(0).base;
    long end = segments.get(segments.size() - 1).nextOffset();
    if (start > end) {
      LOG.log(Level.WARNING, "log ''{0}'': start offset {1} is past the end {2} (data was lost); starting at {2}",
          name, start, end);
      return end;
    }
    return Math.max(start, first);
  }

  /**
   * Verifies the batches of one segment from position 0: framing and dense offsets always (cheap, headers
   * only), the CRC of every batch that ends at or after {@code verifyFrom}. Stops at the first bad batch.
   */
  private Walk walk(FileChannel ch, long base, long limit, long verifyFrom) throws IOException {
    IndexBuilder ib = new IndexBuilder(base, indexInterval);
    BatchScanner s = new BatchScanner(ch, limit, SCAN_WINDOW);
    long pos = 0;
    long expected = base;
    while (true) {
      BatchScanner.Status st = s.at(pos);
      if (st == BatchScanner.Status.END) {
        return new Walk(pos, expected, ib, -1, null);
      }
      if (st != BatchScanner.Status.OK) {
        return new Walk(pos, expected, ib, pos, s.problem());
      }
      if (s.baseOffset() != expected) {
        return new Walk(pos, expected, ib, pos, "the batch has base offset " + s.baseOffset() + ", expected " + expected);
      }
      // The batch that ends exactly at verifyFrom is checked too: if the file was cut inside it, no later
      // header would tell.
      if (pos + s.size() >= verifyFrom && !s.crcMatches()) {
        return new Walk(pos, expected, ib, pos, s.problem());
      }
      ib.add(expected, pos, s.size(), s.maxTimestamp());
      pos += s.size();
      expected = s.nextOffset();
    }
  }

  /**
   * Whether a whole, CRC-valid batch with a plausible offset starts anywhere after {@code from}: the
   * difference between a torn write (nothing after it) and damage in the middle of good data.
   */
  static boolean hasWholeBatchAfter(FileChannel ch, long from, long limit, long expectedOffset) throws IOException {
    BatchScanner s = new BatchScanner(ch, limit, SCAN_WINDOW);
    for (long q = from + 1; q + RecordBatch.HEADER_SIZE <= limit; q++) {
      if (s.byteAt(q + RecordBatch.MAGIC_POS) != RecordBatch.MAGIC) {
        continue;
      }
      if (s.at(q) == BatchScanner.Status.OK && s.baseOffset() >= expectedOffset
          && s.baseOffset() - expectedOffset < Integer.MAX_VALUE && s.crcMatches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Moves the damaged tail of a segment and every later segment into {@code quarantine/<millis>/}, then cuts
   * the segment at the damage. Nothing is deleted: an operator can still inspect or salvage those bytes.
   */
  private void quarantine(Corruption c, List<Long> later) throws IOException {
    Path q = dir.resolve(SegmentFiles.QUARANTINE).resolve(Long.toString(System.currentTimeMillis()));
    while (Files.exists(q)) {
      q = q.resolveSibling(q.getFileName() + "_");
    }
    Files.createDirectories(q);
    try (FileChannel ch = FileChannel.open(c.file(), StandardOpenOption.READ, StandardOpenOption.WRITE);
         FileChannel out = FileChannel.open(q.resolve(c.file().getFileName() + ".from-" + c.position()),
             StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long pos = c.position();
      while (pos < size) {
        pos += ch.transferTo(pos, size - pos, out);
      }
      out.force(true);
      for (long base : later) {
        Files.move(SegmentFiles.log(dir, base), q.resolve(SegmentFiles.log(dir, base).getFileName()));
        Files.deleteIfExists(SegmentFiles.index(dir, base));
        Files.deleteIfExists(SegmentFiles.timeIndex(dir, base));
      }
      DiskOps.fsyncDirectory(q);
      ch.truncate(c.position());
      ch.force(true);
    }
    Files.deleteIfExists(SegmentFiles.index(dir, c.segmentBase()));
    Files.deleteIfExists(SegmentFiles.timeIndex(dir, c.segmentBase()));
    DiskOps.fsyncDirectory(dir);
    LOG.log(Level.WARNING, "log ''{0}'': onCorruption=truncate: cut the log at offset {1}; moved the damaged bytes from"
        + " position {2} of {3} and {4} later segment(s) to {5}", name, c.offset(), c.position(), c.file(), later.size(), q);
  }

  private void deleteSegmentFiles(long base) throws IOException {
    Files.deleteIfExists(SegmentFiles.log(dir, base));
    Files.deleteIfExists(SegmentFiles.index(dir, base));
    Files.deleteIfExists(SegmentFiles.timeIndex(dir, base));
  }

  private static void closeAll(List<Segment> segments) {
    segments.forEach(Segment::release);
  }

  private static long last(List<Long> bases) {
    return bases.get(bases.size() - 1);
  }
}
