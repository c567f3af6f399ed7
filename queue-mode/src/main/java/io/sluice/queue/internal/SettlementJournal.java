package io.sluice.queue.internal;

import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/*
 * Why a companion log of control records and not the StateStore: settlement is a stream of small
 * facts about offsets ("these 500 were acked", "these were delivered"), hundreds of thousands a second.
 * As key/value entries each ack would be its own key, and the state store's compaction rewrites every
 * live key. As control records, a batch of acks is one record holding a few offset ranges, many
 * requests share one append and one fsync, and the state that matters (what is settled, delivery
 * counts, nack delays, remembered dedup ids) is small enough to checkpoint: every so often the owner
 * writes its whole settlement state as a checkpoint and the journal trims everything before it.
 *
 * Record values (key null; the record timestamp is the time of the event):
 *   1 DELIVERED  int n, n x offset                      delivery count +1 (first delivery time = timestamp)
 *   2 SETTLED    byte reason, int n, n x (from, to)     settled, for good
 *   3 DUE        int n, n x (offset, dueAt)             a nack delay
 *   4 DEDUP      int n, n x (offset, at, id)            dedup ids of messages trimmed from the data log
 *   5 CK_BEGIN, 6 CK_SETTLED (as SETTLED without reason), 7 CK_META n x (offset, count, first, due),
 *   8 CK_DEDUP (as DEDUP), 9 CK_END: a checkpoint, which replaces all state before it. One that is not
 *   complete (a crash while writing it) is ignored and the records before it still count.
 *
 * A checkpoint is written in the same writer cycle as the events queued at that moment, right after
 * them: the owner's in-memory state already includes those events, so "events, then snapshot" is
 * consistent in the log, and if that append fails both fail together.
 */

/**
 * The settlement journal of one queue: a single writer of control records that batches every event
 * queued while an append is in flight into the next append (group commit), checkpoints, and on open
 * replays the log into a {@link Recovered} state.
 *
 * <p>Thread contract: used only from the owning verticle's context. Futures complete there.
 */
final class SettlementJournal {

  private static final Logger LOG = Logger.getLogger(SettlementJournal.class.getName());

  static final byte DELIVERED = 1;
  static final byte SETTLED = 2;
  static final byte DUE = 3;
  static final byte DEDUP = 4;
  static final byte CK_BEGIN = 5;
  static final byte CK_SETTLED = 6;
  static final byte CK_META = 7;
  static final byte CK_DEDUP = 8;
  static final byte CK_END = 9;

  static final byte REASON_ACKED = 1;
  static final byte REASON_AUTO = 2;
  static final byte REASON_EXPIRED = 3;
  static final byte REASON_DEAD_LETTERED = 4;
  static final byte REASON_DISCARDED = 5;
  static final byte REASON_DROPPED = 6;
  static final byte REASON_PURGED = 7;

  /** Items per event record, so a record stays well under the log's record limit. */
  static final int MAX_ITEMS_PER_EVENT = 32_768;
  private static final int BATCH_BYTES = 4 * 1024 * 1024;
  private static final long CHECKPOINT_EVENTS = 20_000;
  private static final long CHECKPOINT_BYTES = 16L * 1024 * 1024;

  private final PartitionLog log;
  private final Supplier<List<Buffer>> snapshot;
  private final ArrayDeque<Buffer> queued = new ArrayDeque<>();
  /** Promise per queued event, null for fire-and-forget events. */
  private final ArrayDeque<Promise<Void>> promises = new ArrayDeque<>();
  private boolean writing;
  private boolean checkpointRequested;
  private long eventsSinceCheckpoint;
  private long bytesSinceCheckpoint;
  private Promise<Void> idle;
  /** The trim after the last checkpoint, so that closing waits for it. */
  private Future<Void> trimmed = Future.succeededFuture();

  /** @param snapshot the owner's settlement state as CK_* events, taken when a checkpoint is written */
  SettlementJournal(PartitionLog log, Supplier<List<Buffer>> snapshot) {
    this.log = log;
    this.snapshot = snapshot;
  }

  /** Appends one event; completes when it is durable per the log's fsync policy. */
  Future<Void> write(Buffer event) {
    Promise<Void> p = Promise.promise();
    queued.add(event);
    promises.add(p);
    pump();
    return p.future();
  }

  /** Appends one event nobody waits for (its loss in a crash is harmless: a delivery count one short). */
  void writeAndForget(Buffer event) {
    queued.add(event);
    promises.add(NO_PROMISE);
    pump();
  }

  void requestCheckpoint() {
    checkpointRequested = true;
    pump();
  }

  /** Completes once nothing is queued, being written, or being trimmed. */
  Future<Void> drained() {
    if (!writing && queued.isEmpty() && !checkpointRequested) {
      return trimmed;
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future().compose(v -> trimmed);
  }

  private static final Promise<Void> NO_PROMISE = Promise.promise();

  private void pump() {
    if (writing) {
      return;
    }
    writing = true;
    while (!queued.isEmpty() || checkpointRequested) {
      List<Buffer> events = new ArrayList<>();
      List<Promise<Void>> waiting = new ArrayList<>();
      int bytes = 0;
      while (!queued.isEmpty() && bytes < BATCH_BYTES) {
        Buffer e = queued.poll();
        bytes += e.length();
        events.add(e);
        waiting.add(promises.poll());
      }
      eventsSinceCheckpoint += events.size();
      bytesSinceCheckpoint += bytes;
      boolean checkpoint = checkpointRequested || eventsSinceCheckpoint >= CHECKPOINT_EVENTS
          || bytesSinceCheckpoint >= CHECKPOINT_BYTES;
      int ckIndex = -1;
      if (checkpoint) {
        checkpointRequested = false;
        ckIndex = events.size();
        events.add(Buffer.buffer(1).appendByte(CK_BEGIN));
        events.addAll(snapshot.get());
        events.add(Buffer.buffer(1).appendByte(CK_END));
      }
      int beginIndex = ckIndex;
      Future<List<AppendResult>> appended = appendAll(toBatches(events));
      if (appended.isComplete()) {
        finish(appended, waiting, beginIndex, events);
        continue;
      }
      appended.onComplete(ar -> {
        finish(appended, waiting, beginIndex, events);
        writing = false;
        pump();
      });
      return;
    }
    writing = false;
    if (idle != null) {
      Promise<Void> p = idle;
      idle = null;
      p.complete();
    }
  }

  private void finish(Future<List<AppendResult>> appended, List<Promise<Void>> waiting, int ckIndex, List<Buffer> events) {
    if (appended.succeeded() && ckIndex >= 0) {
      eventsSinceCheckpoint = 0;
      bytesSinceCheckpoint = 0;
      long begin = offsetOf(appended.result(), events, ckIndex);
      trimmed = log.trimBefore(begin).recover(e -> {
        LOG.log(Level.WARNING, "could not trim " + log.name(), e);
        return Future.succeededFuture();
      });
    } else if (appended.failed()) {
      LOG.log(Level.WARNING, "settlement journal " + log.name() + " failed to append", appended.cause());
    }
    for (Promise<Void> p : waiting) {
      if (p == NO_PROMISE) {
        continue;
      }
      if (appended.succeeded()) {
        p.complete();
      } else {
        p.fail(Failures.asSluice(appended.cause()));
      }
    }
  }

  /** The offset of event {@code index}: batches hold consecutive events, so count through them. */
  private static long offsetOf(List<AppendResult> results, List<Buffer> events, int index) {
    long remaining = index;
    for (AppendResult r : results) {
      if (remaining < r.recordCount()) {
        return r.baseOffset() + remaining;
      }
      remaining -= r.recordCount();
    }
    throw new IllegalStateException("event " + index + " of " + events.size() + " not in the appended batches");
  }

  private static List<RecordBatch> toBatches(List<Buffer> events) {
    List<RecordBatch> batches = new ArrayList<>(1);
    RecordBatch.Builder b = RecordBatch.builder();
    for (Buffer e : events) {
      if (!b.isEmpty() && b.sizeInBytes() + e.length() + 64 > BATCH_BYTES) {
        batches.add(b.build());
        b = RecordBatch.builder();
      }
      b.add(Message.of((Buffer) null, e));
    }
    if (!b.isEmpty()) {
      batches.add(b.build());
    }
    return batches;
  }

  private Future<List<AppendResult>> appendAll(List<RecordBatch> batches) {
    if (batches.size() == 1) {
      return log.append(batches.get(0)).map(List::of);
    }
    List<AppendResult> results = new ArrayList<>(batches.size());
    Future<Void> chain = Future.succeededFuture();
    for (RecordBatch b : batches) {
      chain = chain.compose(v -> log.append(b).map(r -> {
        results.add(r);
        return null;
      }));
    }
    return chain.map(v -> results);
  }

  // ---- event encoding ----

  static Buffer delivered(long[] offsets, int n) {
    Buffer b = Buffer.buffer(5 + 8 * n).appendByte(DELIVERED).appendInt(n);
    for (int i = 0; i < n; i++) {
      b.appendLong(offsets[i]);
    }
    return b;
  }

  /** A SETTLED event for sorted offsets (runs become ranges). */
  static Buffer settled(byte reason, long[] sortedOffsets, int n) {
    Buffer b = Buffer.buffer(16 + 16 * n).appendByte(SETTLED).appendByte(reason).appendInt(0);
    int ranges = 0;
    int i = 0;
    while (i < n) {
      long from = sortedOffsets[i];
      long to = from + 1;
      i++;
      while (i < n && sortedOffsets[i] <= to) {
        to = Math.max(to, sortedOffsets[i] + 1);
        i++;
      }
      b.appendLong(from).appendLong(to);
      ranges++;
    }
    return b.setInt(2, ranges);
  }

  static Buffer settledRanges(byte type, byte reason, List<long[]> ranges) {
    Buffer b = Buffer.buffer(16 + 16 * ranges.size()).appendByte(type);
    if (type == SETTLED) {
      b.appendByte(reason);
    }
    b.appendInt(ranges.size());
    for (long[] r : ranges) {
      b.appendLong(r[0]).appendLong(r[1]);
    }
    return b;
  }

  static Buffer due(List<long[]> offsetAndDue) {
    Buffer b = Buffer.buffer(5 + 16 * offsetAndDue.size()).appendByte(DUE).appendInt(offsetAndDue.size());
    for (long[] d : offsetAndDue) {
      b.appendLong(d[0]).appendLong(d[1]);
    }
    return b;
  }

  static Buffer meta(List<long[]> items) {
    Buffer b = Buffer.buffer(5 + 28 * items.size()).appendByte(CK_META).appendInt(items.size());
    for (long[] m : items) {
      b.appendLong(m[0]).appendInt((int) m[1]).appendLong(m[2]).appendLong(m[3]);
    }
    return b;
  }

  static Buffer dedup(byte type, List<DedupId> ids) {
    Buffer b = Buffer.buffer(5 + 32 * ids.size()).appendByte(type).appendInt(ids.size());
    for (DedupId d : ids) {
      byte[] id = d.id().getBytes(StandardCharsets.UTF_8);
      b.appendLong(d.offset()).appendLong(d.at()).appendInt(id.length).appendBytes(id);
    }
    return b;
  }

  /** A remembered dedup id: the message it was first sent with, and when. */
  record DedupId(String id, long offset, long at) {
  }

  // ---- recovery ----

  /** Delivery count, first delivery time and nack due time of one message, as replayed. */
  static final class Meta {
    int deliveryCount;
    long firstDeliveredAt;
    long dueAt;
  }

  /** The settlement state a journal replays to. */
  static final class Recovered {
    final OffsetRanges settled = new OffsetRanges();
    final TreeMap<Long, Meta> meta = new TreeMap<>();
    /** Carried dedup ids by id, in offset order. */
    final LinkedHashMap<String, DedupId> dedup = new LinkedHashMap<>();
    long events;
  }

  /** Replays the whole journal (checkpoint and what follows it). */
  static Future<Recovered> replay(PartitionLog log) {
    Promise<Recovered> promise = Promise.promise();
    Replay r = new Replay(log, promise);
    log.startOffset().onComplete(ar -> {
      if (ar.failed()) {
        promise.fail(ar.cause());
      } else {
        r.from = ar.result();
        r.step();
      }
    });
    return promise.future();
  }

  private static final class Replay {
    final PartitionLog log;
    final Promise<Recovered> promise;
    Recovered state = new Recovered();
    Recovered checkpoint;
    long from;

    Replay(PartitionLog log, Promise<Recovered> promise) {
      this.log = log;
      this.promise = promise;
    }

    void step() {
      while (true) {
        Future<Records> f = log.read(from, 10_000, 4 * 1024 * 1024);
        if (!f.isComplete()) {
          f.onComplete(ar -> {
            if (apply(ar.succeeded() ? ar.result() : null, ar.cause())) {
              step();
            }
          });
          return;
        }
        if (!apply(f.succeeded() ? f.result() : null, f.cause())) {
          return;
        }
      }
    }

    /** @return whether to read on */
    boolean apply(Records records, Throwable failure) {
      if (failure != null) {
        promise.fail(failure);
        return false;
      }
      if (records.isEmpty()) {
        promise.complete(state);
        return false;
      }
      for (Record r : records) {
        event(r.value(), r.timestamp());
      }
      from = records.nextOffset();
      return true;
    }

    void event(Buffer v, long time) {
      byte type = v.getByte(0);
      state.events++;
      switch (type) {
        case CK_BEGIN -> checkpoint = new Recovered();
        case CK_SETTLED -> {
          if (checkpoint != null) {
            readRanges(v, 1, checkpoint);
          }
        }
        case CK_META -> {
          if (checkpoint != null) {
            int n = v.getInt(1);
            int pos = 5;
            for (int i = 0; i < n; i++, pos += 28) {
              Meta m = new Meta();
              m.deliveryCount = v.getInt(pos + 8);
              m.firstDeliveredAt = v.getLong(pos + 12);
              m.dueAt = v.getLong(pos + 20);
              checkpoint.meta.put(v.getLong(pos), m);
            }
          }
        }
        case CK_DEDUP -> {
          if (checkpoint != null) {
            readDedup(v, checkpoint);
          }
        }
        case CK_END -> {
          if (checkpoint != null) {
            checkpoint.events = state.events;
            state = checkpoint;
            checkpoint = null;
          }
        }
        default -> {
          // Anything else after an unfinished checkpoint means that checkpoint was abandoned.
          checkpoint = null;
          switch (type) {
            case DELIVERED -> {
              int n = v.getInt(1);
              for (int i = 0, pos = 5; i < n; i++, pos += 8) {
                Meta m = state.meta.computeIfAbsent(v.getLong(pos), k -> new Meta());
                m.deliveryCount++;
                if (m.firstDeliveredAt == 0) {
                  m.firstDeliveredAt = time;
                }
              }
            }
            case SETTLED -> readRanges(v, 2, state);
            case DUE -> {
              int n = v.getInt(1);
              for (int i = 0, pos = 5; i < n; i++, pos += 16) {
                state.meta.computeIfAbsent(v.getLong(pos), k -> new Meta()).dueAt = v.getLong(pos + 8);
              }
            }
            case DEDUP -> readDedup(v, state);
            default -> LOG.warning("unknown settlement record type " + type + " in " + log.name() + "; skipped");
          }
        }
      }
    }

    private static void readRanges(Buffer v, int pos, Recovered into) {
      int n = v.getInt(pos);
      pos += 4;
      for (int i = 0; i < n; i++, pos += 16) {
        long from = v.getLong(pos);
        long to = v.getLong(pos + 8);
        into.settled.add(from, to);
        into.meta.subMap(from, to).clear();
      }
    }

    private static void readDedup(Buffer v, Recovered into) {
      int n = v.getInt(1);
      int pos = 5;
      for (int i = 0; i < n; i++) {
        long offset = v.getLong(pos);
        long at = v.getLong(pos + 8);
        int len = v.getInt(pos + 16);
        String id = v.getString(pos + 20, pos + 20 + len, "UTF-8");
        pos += 20 + len;
        into.dedup.remove(id);
        into.dedup.put(id, new DedupId(id, offset, at));
      }
    }
  }
}
