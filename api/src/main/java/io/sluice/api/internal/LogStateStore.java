package io.sluice.api.internal;

import io.sluice.api.CorruptLogException;
import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.RecordTooLargeException;
import io.sluice.api.Records;
import io.sluice.api.StoreClosedException;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.StateStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/*
 * A state store as a log of control records: each record's key is the state key and its value the
 * new value (null deletes). Open replays the log into a map.
 *
 * Writes go through one writer loop: updates queue up while an append is in flight and the next
 * append carries all of them in one batch, so many concurrent commits share one fsync (a second level
 * of group commit above the store's) and the map is applied in log order without locks on readers'
 * side beyond the map's own.
 *
 * Compaction runs inside the same loop, when the log holds more than COMPACT_FACTOR times the live
 * entries: it appends every live entry again and trims the log before the first of them. A crash in
 * between leaves old records plus a partial copy of current values; replay still ends with the same map.
 */
public final class LogStateStore implements StateStore {

  private static final int COMPACT_MIN_RECORDS = 4096;
  private static final int COMPACT_FACTOR = 4;
  private static final int MAX_UPDATES_PER_BATCH = 8192;
  private static final int SNAPSHOT_BATCH_BYTES = 1024 * 1024;

  private final PartitionLog log;
  private final int maxRecordBytes;
  private final int maxBatchBytes;
  private final TreeMap<String, Buffer> map = new TreeMap<>();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private boolean writing;
  private boolean closed;
  private Promise<Void> drained;
  private Future<Void> closing;
  private long logRecords;

  /** One caller's updates, with the bytes they add to a batch (checked against the log's limits up front). */
  private record Pending(Map<String, Buffer> updates, int bytes, Promise<Void> promise) {
  }

  private LogStateStore(PartitionLog log) {
    this.log = log;
    LogOptions options = log.options();
    this.maxRecordBytes = options.getMaxRecordBytes();
    this.maxBatchBytes = options.getMaxBatchBytes();
  }

  public static Future<StateStore> open(LogStore store, String name, LogOptions options) {
    return store.open(name, options).compose(log -> {
      LogStateStore s = new LogStateStore(log);
      // Nobody gets a handle to a store that failed to replay, so its log is closed here or never.
      return log.startOffset().compose(start -> s.replay(start)).map(v -> (StateStore) s)
          .recover(e -> log.close().transform(ignored -> Future.failedFuture(e)));
    });
  }

  private Future<Void> replay(long from) {
    return log.read(from, 10_000, 4 * 1024 * 1024).compose(records -> {
      if (records.isEmpty()) {
        return Future.succeededFuture();
      }
      try {
        synchronized (this) {
          apply(records);
        }
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      return replay(records.nextOffset());
    });
  }

  private void apply(Records records) {
    for (Record r : records) {
      if (r.key() == null) {
        throw new CorruptLogException("state log '" + log.name() + "' holds a record without a key at offset " + r.offset());
      }
      String key = r.keyAsString();
      if (r.value() == null) {
        map.remove(key);
      } else {
        map.put(key, r.value().copy());
      }
      logRecords++;
    }
  }

  @Override
  public String name() {
    return log.name();
  }

  @Override
  public synchronized Buffer get(String key) {
    Buffer value = map.get(key);
    return value == null ? null : value.copy();
  }

  @Override
  public synchronized Map<String, Buffer> entries(String prefix) {
    if (prefix == null) {
      throw new InvalidArgumentException("prefix is null (use \"\" for every entry)");
    }
    Map<String, Buffer> out = new TreeMap<>();
    for (Map.Entry<String, Buffer> e : map.tailMap(prefix, true).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      out.put(e.getKey(), e.getValue().copy());
    }
    return out;
  }

  @Override
  public synchronized int size() {
    return map.size();
  }

  @Override
  public Future<Void> put(String key, Buffer value) {
    Map<String, Buffer> one = new LinkedHashMap<>();
    one.put(key, value);
    return putAll(one);
  }

  @Override
  public Future<Void> remove(String key) {
    return put(key, null);
  }

  @Override
  public Future<Void> putAll(Map<String, Buffer> entries) {
    Map<String, Buffer> updates;
    int bytes;
    try {
      if (entries == null) {
        throw new InvalidArgumentException("entries are null");
      }
      updates = new LinkedHashMap<>();
      bytes = 0;
      for (Map.Entry<String, Buffer> e : entries.entrySet()) {
        int size = checkedRecordSize(e.getKey(), e.getValue());
        bytes += size;
        // Copied, so a caller reusing its buffer cannot change what was written.
        updates.put(e.getKey(), e.getValue() == null ? null : e.getValue().copy());
      }
      if (RecordBatch.HEADER_SIZE + (long) bytes > maxBatchBytes) {
        throw new RecordTooLargeException(ErrorCode.BATCH_TOO_LARGE, "updates of " + (RecordBatch.HEADER_SIZE + bytes)
            + " bytes exceed maxBatchBytes " + maxBatchBytes + " of state store '" + name() + "'", null);
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (updates.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promises.onCallerContext();
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new StoreClosedException("state store '" + name() + "' is closed"));
      }
      pending.add(new Pending(updates, bytes, promise));
      if (writing) {
        return promise.future();
      }
      writing = true;
    }
    writeNext();
    return promise.future();
  }

  /**
   * The bytes one update adds to a batch, after checking it: a bad update is refused before it is
   * queued, so it can never fail the batch it would share with other callers' updates.
   */
  private int checkedRecordSize(String key, Buffer value) {
    if (key == null) {
      throw new InvalidArgumentException("state key is null");
    }
    int size = RecordBatch.RECORD_OVERHEAD + key.getBytes(StandardCharsets.UTF_8).length
        + (value == null ? 0 : value.length());
    if (size > maxRecordBytes) {
      throw new RecordTooLargeException("state entry '" + (key.length() > 60 ? key.substring(0, 60) + "..." : key)
          + "' of " + size + " bytes exceeds maxRecordBytes " + maxRecordBytes + " of state store '" + name() + "'");
    }
    return size;
  }

  private void writeNext() {
    List<Pending> group = new ArrayList<>();
    RecordBatch.Builder batch = RecordBatch.builder();
    synchronized (this) {
      int bytes = RecordBatch.HEADER_SIZE;
      while (!pending.isEmpty() && batch.recordCount() < MAX_UPDATES_PER_BATCH
          && (group.isEmpty() || bytes + pending.peek().bytes() <= maxBatchBytes)) {
        Pending p = pending.poll();
        bytes += p.bytes();
        group.add(p);
        p.updates().forEach((k, v) -> batch.add(Message.of(Buffer.buffer(k), v)));
      }
      if (group.isEmpty()) {
        writing = false;
        if (drained != null) {
          drained.complete();
        }
        return;
      }
    }
    log.append(batch.build()).onComplete(ar -> {
      synchronized (this) {
        if (ar.succeeded()) {
          for (Pending p : group) {
            p.updates().forEach((k, v) -> {
              if (v == null) {
                map.remove(k);
              } else {
                map.put(k, v);
              }
            });
            logRecords += p.updates().size();
          }
        }
      }
      for (Pending p : group) {
        if (ar.succeeded()) {
          p.promise().complete();
        } else {
          p.promise().fail(ar.cause());
        }
      }
      maybeCompact().onComplete(v -> writeNext());
    });
  }

  private Future<Void> maybeCompact() {
    List<RecordBatch> snapshot = new ArrayList<>();
    synchronized (this) {
      if (logRecords < COMPACT_MIN_RECORDS || logRecords < (long) COMPACT_FACTOR * map.size()) {
        return Future.succeededFuture();
      }
      int limit = Math.min(SNAPSHOT_BATCH_BYTES, maxBatchBytes);
      RecordBatch.Builder b = RecordBatch.builder();
      for (Map.Entry<String, Buffer> e : map.entrySet()) {
        Message m = Message.of(Buffer.buffer(e.getKey()), e.getValue());
        if (!b.isEmpty() && b.sizeInBytes() + RecordBatch.Builder.sizeOf(m) > limit) {
          snapshot.add(b.build());
          b = RecordBatch.builder();
        }
        b.add(m);
      }
      if (!b.isEmpty()) {
        snapshot.add(b.build());
      }
    }
    if (snapshot.isEmpty()) {
      return log.endOffset().compose(log::trimBefore).onSuccess(v -> {
        synchronized (this) {
          logRecords = 0;
        }
      });
    }
    Future<Long> first = log.append(snapshot.get(0)).map(r -> r.baseOffset());
    for (int i = 1; i < snapshot.size(); i++) {
      RecordBatch next = snapshot.get(i);
      first = first.compose(base -> log.append(next).map(r -> base));
    }
    return first.compose(log::trimBefore).onSuccess(v -> {
      synchronized (this) {
        logRecords = map.size();
      }
    }).recover(e -> Future.succeededFuture());
  }

  @Override
  public Future<Void> close() {
    synchronized (this) {
      if (closing != null) {
        return closing;
      }
      closed = true;
      if (writing) {
        // The writer loop finishes what was queued before close, then completes this.
        drained = Promise.promise();
        closing = drained.future().compose(v -> log.close());
      } else {
        closing = log.close();
      }
      return closing;
    }
  }
}
