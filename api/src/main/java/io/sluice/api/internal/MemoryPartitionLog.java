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
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A log held in memory as segments of batches, rolled at the configured segment size so trimming
 * frees memory the way the file store frees disk. Thread-safe: every operation holds the data lock
 * briefly; nothing blocks on I/O, so futures complete before the method returns.
 */
final class MemoryPartitionLog implements PartitionLog {

  /** The data outlives a log instance, so a closed log can be reopened with its records. */
  static final class Data {
    final TreeMap<Long, Segment> segments = new TreeMap<>();
    long start;
    long end;
  }

  private static final class Segment {
    final long base;
    /** When the first batch went in: segmentMs counts from there, as an empty segment never rolls. */
    long firstAppendTime;
    final List<RecordBatch> batches = new ArrayList<>();
    long next;
    long bytes;
    long maxTimestamp = -1;

    Segment(long base) {
      this.base = base;
      this.next = base;
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
        Segment active = d.segments.lastEntry().getValue();
        long now = System.currentTimeMillis();
        if (!active.batches.isEmpty() && (active.bytes + batch.sizeInBytes() > options.getSegmentBytes()
            || now - active.firstAppendTime >= options.getSegmentMs())) {
          active = new Segment(d.end);
          d.segments.put(active.base, active);
        }
        if (active.batches.isEmpty()) {
          active.firstAppendTime = now;
        }
        long base = d.end;
        batch.assignBaseOffset(base);
        active.batches.add(batch);
        active.bytes += batch.sizeInBytes();
        active.maxTimestamp = Math.max(active.maxTimestamp, batch.maxTimestamp());
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
      checkOpen();
      synchronized (d) {
        BatchChecks.checkRead(name, fromOffset, maxRecords, maxBytes, d.start, d.end);
        if (fromOffset == d.end) {
          return Future.succeededFuture(Records.empty(fromOffset));
        }
        Buffer out = Buffer.buffer();
        long until = fromOffset;
        long limit = fromOffset + maxRecords;
        long firstSegment = d.segments.floorKey(fromOffset);
        for (Segment seg : d.segments.tailMap(firstSegment, true).values()) {
          int i = seg.base == firstSegment ? batchHolding(seg, fromOffset) : 0;
          for (; i < seg.batches.size() && until < limit; i++) {
            RecordBatch b = seg.batches.get(i);
            if (out.length() > 0 && out.length() + b.sizeInBytes() > maxBytes) {
              return Future.succeededFuture(Records.of(out, fromOffset, until));
            }
            out.appendBuffer(b.buffer());
            until = Math.min(limit, b.lastOffset() + 1);
          }
          if (until >= limit) {
            break;
          }
        }
        return Future.succeededFuture(Records.of(out, fromOffset, until));
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Index of the batch holding {@code offset}: the last batch whose base is at most {@code offset}. */
  private static int batchHolding(Segment seg, long offset) {
    int lo = 0;
    int hi = seg.batches.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (seg.batches.get(mid).baseOffset() <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
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
        for (RecordBatch b : seg.batches) {
          if (b.maxTimestamp() < timestamp || b.lastOffset() < d.start) {
            continue;
          }
          for (Iterator<Record> it = b.records(-1, d.start, Long.MAX_VALUE); it.hasNext(); ) {
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
      if (last.next <= offset && !last.batches.isEmpty()) {
        d.segments.clear();
        d.segments.put(d.end, new Segment(d.end));
      }
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
        d.segments.clear();
        d.segments.put(offset, new Segment(offset));
        d.end = offset;
        return Future.succeededFuture();
      }
      Segment seg = d.segments.floorEntry(offset).getValue();
      int cut = batchHolding(seg, offset);
      if (seg.batches.get(cut).baseOffset() != offset) {
        return Future.failedFuture(BatchChecks.insideBatch(name, offset, seg.batches.get(cut)));
      }
      d.segments.tailMap(seg.base, false).clear();
      seg.batches.subList(cut, seg.batches.size()).clear();
      seg.bytes = 0;
      seg.maxTimestamp = -1;
      for (RecordBatch b : seg.batches) {
        seg.bytes += b.sizeInBytes();
        seg.maxTimestamp = Math.max(seg.maxTimestamp, b.maxTimestamp());
      }
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
