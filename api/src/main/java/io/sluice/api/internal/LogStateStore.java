package io.sluice.api.internal;

import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.StoreClosedException;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.StateStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
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
  private final TreeMap<String, Buffer> map = new TreeMap<>();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private boolean writing;
  private boolean closed;
  private Promise<Void> drained;
  private long logRecords;

  private record Pending(Map<String, Buffer> updates, Promise<Void> promise) {
  }

  private LogStateStore(PartitionLog log) {
    this.log = log;
  }

  public static Future<StateStore> open(LogStore store, String name, LogOptions options) {
    return store.open(name, options).compose(log -> {
      LogStateStore s = new LogStateStore(log);
      return log.startOffset().compose(start -> s.replay(start)).map(v -> (StateStore) s);
    });
  }

  private Future<Void> replay(long from) {
    return log.read(from, 10_000, 4 * 1024 * 1024).compose(records -> {
      if (records.isEmpty()) {
        return Future.succeededFuture();
      }
      synchronized (this) {
        apply(records);
      }
      return replay(records.nextOffset());
    });
  }

  private void apply(Records records) {
    for (Record r : records) {
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
    return map.get(key);
  }

  @Override
  public synchronized Map<String, Buffer> entries(String prefix) {
    if (prefix.isEmpty()) {
      return new TreeMap<>(map);
    }
    return new TreeMap<>(map.subMap(prefix, true, prefix + Character.MAX_VALUE, true));
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
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promises.onCallerContext();
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new StoreClosedException("state store '" + name() + "' is closed"));
      }
      pending.add(new Pending(new LinkedHashMap<>(entries), promise));
      if (writing) {
        return promise.future();
      }
      writing = true;
    }
    writeNext();
    return promise.future();
  }

  private void writeNext() {
    List<Pending> group = new ArrayList<>();
    RecordBatch.Builder batch = RecordBatch.builder();
    synchronized (this) {
      while (!pending.isEmpty() && batch.recordCount() < MAX_UPDATES_PER_BATCH) {
        Pending p = pending.poll();
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
      RecordBatch.Builder b = RecordBatch.builder();
      for (Map.Entry<String, Buffer> e : map.entrySet()) {
        b.add(Message.of(Buffer.buffer(e.getKey()), e.getValue()));
        if (b.sizeInBytes() >= SNAPSHOT_BATCH_BYTES) {
          snapshot.add(b.build());
          b = RecordBatch.builder();
        }
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
      closed = true;
      if (writing) {
        // The writer loop finishes what was queued before close, then completes this.
        drained = Promise.promise();
        return drained.future().compose(v -> log.close());
      }
    }
    return log.close();
  }
}
