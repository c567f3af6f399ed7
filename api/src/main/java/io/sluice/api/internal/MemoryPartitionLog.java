package io.sluice.api.internal;

import io.sluice.api.Durability;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.StoreClosedException;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.SegmentInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A log held in memory as segments of batches, rolled at the configured segment size so trimming
 * frees memory the way the file store frees disk. Thread-safe: every operation holds the data lock
 * briefly; nothing blocks on I/O, so futures complete before the method returns.
 *
 * <p>Layout, chosen for the garbage collector: the batch bytes are copied on append into the log's
 * {@link ChunkedBytes} (large off-heap chunks the collector never sees), and each segment indexes
 * its batches in parallel primitive arrays (base offset, byte position, size, max timestamp) instead of
 * keeping an object per batch. A log of millions of batches is then a few dozen heap objects, so a young
 * collection costs the same whether the log holds a megabyte or gigabytes. Byte positions only grow with
 * offsets (appends go to the end, truncation cuts the end), so the batches of any offset range are one
 * contiguous byte range and a read is a single copy. Trimming drops whole segments and then frees the chunks
 * that only they used; reads copy, so a freed chunk is never referenced again. The store frees the rest with
 * {@link Data#release()} when it drops the log or closes; a read checks that its log is open under the same
 * lock, so it never meets freed memory.
 */
final class MemoryPartitionLog implements PartitionLog {

  /** The data outlives a log instance, so a closed log can be reopened with its records. */
  static final class Data {
    final TreeMap<Long, Segment> segments = new TreeMap<>();
    final ChunkedBytes bytes;
    long start;
    long end;

    Data() {
      this(new ChunkedBytes());
    }

    /** With the given chunk store: tests use tiny chunks so batches span chunk ends. */
    Data(ChunkedBytes bytes) {
      this.bytes = bytes;
    }

    /**
     * Frees the log's memory when the store drops it or closes. Call only after closing the log instance:
     * reads check that it is open under this lock, so none reads freed memory.
     */
    synchronized void release() {
      bytes.release();
      segments.clear();
      segments.put(end, new Segment(end));
      start = end;
    }
  }

  /** A segment's batches: parallel primitive arrays, in offset order, {@code count} of them in use. */
  private static final class Segment {
    final long base;
    /** When the first batch went in: segmentMs counts from there, as an empty segment never rolls. */
    long firstAppendTime;
    int count;
    long[] baseOffsets = new long[8];
    long[] positions = new long[8];
    int[] sizes = new int[8];
    long[] maxTimestamps = new long[8];
    long next;
    long bytes;
    long maxTimestamp = -1;

    Segment(long base) {
      this.base = base;
      this.next = base;
    }

    void add(long baseOffset, long position, int size, long batchMaxTimestamp) {
      if (count == baseOffsets.length) {
        int grown = count * 2;
        baseOffsets = Arrays.copyOf(baseOffsets, grown);
        positions = Arrays.copyOf(positions, grown);
        sizes = Arrays.copyOf(sizes, grown);
        maxTimestamps = Arrays.copyOf(maxTimestamps, grown);
      }
      baseOffsets[count] = baseOffset;
      positions[count] = position;
      sizes[count] = size;
      maxTimestamps[count] = batchMaxTimestamp;
      count++;
      bytes += size;
      maxTimestamp = Math.max(maxTimestamp, batchMaxTimestamp);
    }

    /** Offset of the last record of batch {@code i}. */
    long lastOffset(int i) {
      return (i + 1 < count ? baseOffsets[i + 1] : next) - 1;
    }

    /** Keeps the batches before {@code i}, recomputing the totals from what is left. */
    void cut(int i) {
      count = i;
      bytes = 0;
      maxTimestamp = -1;
      for (int j = 0; j < count; j++) {
        bytes += sizes[j];
        maxTimestamp = Math.max(maxTimestamp, maxTimestamps[j]);
      }
    }
  }

  private final String name;
  private final LogOptions options;
  private final Data d;
  private final AppendWaiters waiters;
  private volatile boolean open = true;

  MemoryPartitionLog(Vertx vertx, String name, LogOptions options, Data data) {
    this.name = name;
    this.options = options;
    this.d = data;
    this.waiters = new AppendWaiters(vertx);
    synchronized (d) {
      if (d.segments.isEmpty()) {
        d.segments.put(d.end, new Segment(d.end));
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public LogOptions options() {
    return new LogOptions(options);
  }

  private void checkOpen() {
    if (!open) {
      throw new StoreClosedException("log '" + name + "' is closed");
    }
  }

  @Override
  public Future<AppendResult> append(RecordBatch batch) {
    long end;
    AppendResult result;
    try {
      checkOpen();
      BatchChecks.checkAppend(name, batch, options);
      synchronized (d) {
        checkOpen();
        long base = d.end;
        batch.assignBaseOffset(base);
        // First, as it is the step that can fail (memory exhausted): then a failed append changes nothing.
        long position = d.bytes.append(batch.buffer());
        Segment active = d.segments.lastEntry().getValue();
        long now = System.currentTimeMillis();
        if (active.count > 0 && (active.bytes + batch.sizeInBytes() > options.getSegmentBytes()
            || now - active.firstAppendTime >= options.getSegmentMs())) {
          active = new Segment(d.end);
          d.segments.put(active.base, active);
        }
        if (active.count == 0) {
          active.firstAppendTime = now;
        }
        active.add(base, position, batch.sizeInBytes(), batch.maxTimestamp());
        d.end = base + batch.recordCount();
        active.next = d.end;
        end = d.end;
        result = new AppendResult(base, end - 1, now, Durability.MEMORY);
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    waiters.wake(end);
    return Future.succeededFuture(result);
  }

  @Override
  public Future<Records> read(long fromOffset, int maxRecords, int maxBytes) {
    try {
      synchronized (d) {
        checkOpen();
        BatchChecks.checkRead(name, fromOffset, maxRecords, maxBytes, d.start, d.end);
        if (fromOffset == d.end) {
          return Future.succeededFuture(Records.empty(fromOffset));
        }
        // The batches answered are one contiguous byte range: find where it ends, then copy it once.
        long until = fromOffset;
        long limit = fromOffset + maxRecords;
        long firstPosition = -1;
        long length = 0;
        long firstSegment = d.segments.floorKey(fromOffset);
        scan:
        for (Segment seg : d.segments.tailMap(firstSegment, true).values()) {
          int i = seg.base == firstSegment ? batchHolding(seg, fromOffset) : 0;
          for (; i < seg.count && until < limit; i++) {
            if (length > 0 && length + seg.sizes[i] > maxBytes) {
              break scan;
            }
            if (firstPosition < 0) {
              firstPosition = seg.positions[i];
            }
            length += seg.sizes[i];
            until = Math.min(limit, seg.lastOffset(i) + 1);
          }
          if (until >= limit) {
            break;
          }
        }
        // A single batch may exceed maxBytes (a read always answers the batch holding fromOffset), but
        // never 2 GiB: it is bounded by maxBatchBytes, an int.
        return Future.succeededFuture(Records.of(d.bytes.copy(firstPosition, Math.toIntExact(length)), fromOffset, until));
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Index of the batch holding {@code offset}: the last batch whose base is at most {@code offset}. */
  private static int batchHolding(Segment seg, long offset) {
    int lo = 0;
    int hi = seg.count - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (seg.baseOffsets[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** A copy of batch {@code i} of {@code seg}, for the rare operations that look inside a batch. */
  private RecordBatch batch(Segment seg, int i) {
    return RecordBatch.wrap(d.bytes.copy(seg.positions[i], seg.sizes[i]));
  }

  @Override
  public Future<Long> startOffset() {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    synchronized (d) {
      return Future.succeededFuture(d.start);
    }
  }

  @Override
  public Future<Long> endOffset() {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    synchronized (d) {
      return Future.succeededFuture(d.end);
    }
  }

  @Override
  public Future<OptionalLong> offsetForTimestamp(long timestamp) {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    synchronized (d) {
      for (Segment seg : d.segments.values()) {
        if (seg.maxTimestamp < timestamp) {
          continue;
        }
        for (int i = 0; i < seg.count; i++) {
          if (seg.maxTimestamps[i] < timestamp || seg.lastOffset(i) < d.start) {
            continue;
          }
          for (Iterator<Record> it = batch(seg, i).records(-1, d.start, Long.MAX_VALUE); it.hasNext(); ) {
            Record r = it.next();
            if (r.timestamp() >= timestamp) {
              return Future.succeededFuture(OptionalLong.of(r.offset()));
            }
          }
        }
      }
      return Future.succeededFuture(OptionalLong.empty());
    }
  }

  @Override
  public Future<Void> trimBefore(long offset) {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    synchronized (d) {
      try {
        BatchChecks.checkTrim(name, offset, d.start, d.end);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      if (offset <= d.start) {
        return Future.succeededFuture();
      }
      d.start = offset;
      for (Iterator<Map.Entry<Long, Segment>> it = d.segments.entrySet().iterator(); it.hasNext(); ) {
        Segment seg = it.next().getValue();
        if (seg.next <= offset && d.segments.size() > 1) {
          it.remove();
        }
      }
      Segment last = d.segments.lastEntry().getValue();
      if (last.next <= offset && last.count > 0) {
        d.segments.clear();
        d.segments.put(d.end, new Segment(d.end));
      }
      Segment first = d.segments.firstEntry().getValue();
      d.bytes.releaseBefore(first.count > 0 ? first.positions[0] : d.bytes.end());
      return Future.succeededFuture();
    }
  }

  @Override
  public Future<Void> truncateTo(long offset) {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    synchronized (d) {
      try {
        BatchChecks.checkTruncate(name, offset, d.start, d.end);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      if (offset >= d.end) {
        return Future.succeededFuture();
      }
      if (offset == d.start) {
        // The batch holding the start may begin before it, so the bytes are cut there, not at the start.
        Segment first = d.segments.firstEntry().getValue();
        d.bytes.truncateTo(first.positions[batchHolding(first, offset)]);
        d.segments.clear();
        d.segments.put(offset, new Segment(offset));
        d.end = offset;
        return Future.succeededFuture();
      }
      Segment seg = d.segments.floorEntry(offset).getValue();
      int cut = batchHolding(seg, offset);
      if (seg.baseOffsets[cut] != offset) {
        return Future.failedFuture(BatchChecks.insideBatch(name, offset, batch(seg, cut)));
      }
      d.segments.tailMap(seg.base, false).clear();
      d.bytes.truncateTo(seg.positions[cut]);
      seg.cut(cut);
      seg.next = offset;
      d.end = offset;
      return Future.succeededFuture();
    }
  }

  @Override
  public Future<Long> awaitAppend(long offset, long timeoutMs) {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    return waiters.await(offset, timeoutMs, () -> {
      synchronized (d) {
        return d.end;
      }
    });
  }

  @Override
  public Future<List<SegmentInfo>> segments() {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    synchronized (d) {
      List<SegmentInfo> out = new ArrayList<>();
      Segment last = d.segments.lastEntry().getValue();
      for (Segment s : d.segments.values()) {
        out.add(new SegmentInfo(s.base, s.next, s.bytes, s.maxTimestamp, s == last));
      }
      return Future.succeededFuture(out);
    }
  }

  @Override
  public Future<Long> sizeInBytes() {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    synchronized (d) {
      long total = 0;
      for (Segment s : d.segments.values()) {
        total += s.bytes;
      }
      return Future.succeededFuture(total);
    }
  }

  @Override
  public Future<Void> flush() {
    return open ? Future.succeededFuture() : Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
  }

  @Override
  public Future<Void> close() {
    open = false;
    waiters.close();
    return Future.succeededFuture();
  }

  @Override
  public boolean isOpen() {
    return open;
  }
}
