package io.sluice.api.internal;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.NotFoundException;
import io.sluice.api.Names;
import io.sluice.api.StoreClosedException;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The in-memory store. Logs keep their data while the store lives, also across closing and reopening
 * a log; closing the store drops everything. Dropping a log or closing the store frees the logs' off-heap
 * memory at once (a store never closed leaves it to the collector, through the JDK Cleaner Netty uses by default;
 * with Netty's no-cleaner allocation it would leak). Thread-safe (a lock per store for
 * open/drop, per log for data).
 */
final class MemoryLogStore implements LogStore {

  private final Vertx vertx;
  /** Every log's data, open or closed. */
  private final Map<String, MemoryPartitionLog.Data> data = new TreeMap<>();
  private final Map<String, MemoryPartitionLog> open = new TreeMap<>();
  /** Where each new log keeps its bytes. */
  private final Supplier<ChunkedBytes> chunks;
  private boolean closed;

  MemoryLogStore(Vertx vertx) {
    this(vertx, ChunkedBytes::new);
  }

  /** With logs whose bytes go to chunks from {@code chunks}: tests use tiny ones so batches span chunk ends. */
  MemoryLogStore(Vertx vertx, Supplier<ChunkedBytes> chunks) {
    this.vertx = vertx;
    this.chunks = chunks;
  }

  @Override
  public String type() {
    return "memory";
  }

  @Override
  public synchronized Future<PartitionLog> open(String name, LogOptions options) {
    try {
      Names.validate("log", name);
      if (options == null) {
        throw new InvalidArgumentException("log options are null");
      }
      checkOpen();
      MemoryPartitionLog log = open.get(name);
      if (log != null && log.isOpen()) {
        return Future.succeededFuture(log);
      }
      MemoryPartitionLog.Data d = data.get(name);
      if (d == null) {
        if (!options.isCreateIfMissing()) {
          throw NotFoundException.unknownLog(name);
        }
        d = new MemoryPartitionLog.Data(chunks.get());
        data.put(name, d);
      }
      log = new MemoryPartitionLog(vertx, name, new LogOptions(options), d);
      open.put(name, log);
      return Future.succeededFuture(log);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public synchronized Future<Boolean> exists(String name) {
    try {
      Names.validate("log", name);
      checkOpen();
      return Future.succeededFuture(data.containsKey(name));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public synchronized Future<List<String>> list() {
    if (closed) {
      return Future.failedFuture(new StoreClosedException("store is closed"));
    }
    return Future.succeededFuture(new ArrayList<>(data.keySet()));
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("store is closed");
    }
  }

  @Override
  public Future<Void> drop(String name) {
    MemoryPartitionLog log;
    MemoryPartitionLog.Data dropped;
    synchronized (this) {
      try {
        Names.validate("log", name);
        checkOpen();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      dropped = data.remove(name);
      if (dropped == null) {
        return Future.failedFuture(NotFoundException.unknownLog(name));
      }
      log = open.remove(name);
    }
    if (log != null) {
      log.close();
    }
    dropped.release();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    List<MemoryPartitionLog> logs;
    List<MemoryPartitionLog.Data> dropped;
    synchronized (this) {
      closed = true;
      logs = new ArrayList<>(open.values());
      dropped = new ArrayList<>(data.values());
      open.clear();
      data.clear();
    }
    logs.forEach(MemoryPartitionLog::close);
    dropped.forEach(MemoryPartitionLog.Data::release);
    return Future.succeededFuture();
  }
}
