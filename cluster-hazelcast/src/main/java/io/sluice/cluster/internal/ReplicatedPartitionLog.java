package io.sluice.cluster.internal;

import io.sluice.api.Durability;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.StoreClosedException;
import io.sluice.api.internal.BatchChecks;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.SegmentInfo;
import io.sluice.cluster.internal.Wire.Frame;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A user's handle on a replicated log, on any node: every call runs at the log's leader (see
 * {@link ReplicaManager#execute}). Closing the handle does not stop replication: the replicas belong to
 * the store, not to handles.
 *
 * <p>Thread-safe; calls return at once and complete on the caller's context.
 */
final class ReplicatedPartitionLog implements PartitionLog {

  private final ReplicaManager manager;
  private final String name;
  private final String uid;
  private final LogOptions options;
  private final Set<Promise<Long>> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean open = true;

  ReplicatedPartitionLog(ReplicaManager manager, String name, String uid, LogOptions options) {
    this.manager = manager;
    this.name = name;
    this.uid = uid;
    this.options = options;
  }

  String uid() {
    return uid;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public LogOptions options() {
    return new LogOptions(options);
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  private <T> Future<T> call(String op, Function<Frame, Frame> args, RecordBatch batch, Function<Frame, T> answer) {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    Frame req = args.apply(Frame.empty().with("op", op).with("log", name));
    return manager.onContext(() -> {
      if (!open) {
        return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
      }
      return manager.execute(name, uid, req, batch, manager.retryDeadline()).map(answer);
    });
  }

  @Override
  public Future<AppendResult> append(RecordBatch batch) {
    try {
      if (!open) {
        throw new StoreClosedException("log '" + name + "' is closed");
      }
      BatchChecks.checkAppend(name, batch, options);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return call("append", f -> f, batch, a -> new AppendResult(a.getLong("base"), a.getLong("last"), a.getLong("time"),
        Durability.valueOf(a.get("durability"))));
  }

  @Override
  public Future<Records> read(long fromOffset, int maxRecords, int maxBytes) {
    return call("read", f -> f.with("from", fromOffset).with("maxRecords", maxRecords).with("maxBytes", maxBytes), null,
        a -> Records.of(a.body(), a.getLong("from"), a.getLong("next")));
  }

  @Override
  public Future<Long> startOffset() {
    return call("start", f -> f, null, a -> a.getLong("value"));
  }

  @Override
  public Future<Long> endOffset() {
    return call("end", f -> f, null, a -> a.getLong("value"));
  }

  @Override
  public Future<OptionalLong> offsetForTimestamp(long timestamp) {
    return call("time", f -> f.with("timestamp", timestamp), null, a -> {
      long v = a.getLong("value");
      return v < 0 ? OptionalLong.empty() : OptionalLong.of(v);
    });
  }

  @Override
  public Future<Void> trimBefore(long offset) {
    return call("trim", f -> f.with("offset", offset), null, a -> null);
  }

  /** Replicas truncate themselves after a leader change; a user of the log never does. */
  @Override
  public Future<Void> truncateTo(long offset) {
    if (!open) {
      return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
    }
    return Future.failedFuture(new InvalidArgumentException("log '" + name + "' is replicated: its replicas truncate "
        + "themselves after a leader change; truncateTo is not offered"));
  }

  @Override
  public Future<Long> awaitAppend(long offset, long timeoutMs) {
    Future<Long> f = call("await", r -> r.with("offset", offset).with("timeoutMs", Math.max(0, timeoutMs)), null,
        a -> a.getLong("value"));
    // A waiter fails with store_closed when this handle closes, whatever the leader is doing.
    Promise<Long> promise = io.sluice.api.internal.Promises.onCallerContext();
    waiting.add(promise);
    f.onComplete(ar -> {
      waiting.remove(promise);
      if (ar.succeeded()) {
        promise.tryComplete(ar.result());
      } else {
        promise.tryFail(ar.cause());
      }
    });
    if (!open) {
      promise.tryFail(new StoreClosedException("log '" + name + "' is closed"));
    }
    return promise.future();
  }

  @Override
  public Future<List<SegmentInfo>> segments() {
    return call("segments", f -> f, null, a -> ReplicaManager.decodeSegments(a.body()));
  }

  @Override
  public Future<Long> sizeInBytes() {
    return call("size", f -> f, null, a -> a.getLong("value"));
  }

  @Override
  public Future<Void> flush() {
    return call("flush", f -> f, null, a -> null);
  }

  @Override
  public Future<Void> close() {
    closeHandle();
    manager.handleClosed(this);
    return Future.succeededFuture();
  }

  void closeHandle() {
    open = false;
    for (Promise<Long> p : waiting) {
      p.tryFail(new StoreClosedException("log '" + name + "' was closed while waiting"));
    }
    waiting.clear();
  }

  @Override
  public String toString() {
    return "ReplicatedPartitionLog{" + name + "}";
  }
}
