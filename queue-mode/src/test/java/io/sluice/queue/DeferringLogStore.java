package io.sluice.queue;

import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.SegmentInfo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A store that answers like a disk store does: every future completes later, on a following turn of
 * the caller's context, never inside the call. Over the memory store, whose futures are already
 * complete when returned, it makes the queue owner take its asynchronous paths. Completion order
 * follows call order, as the storage contract requires of appends.
 */
final class DeferringLogStore implements LogStore {

  private final Vertx vertx;
  private final LogStore delegate;
  private final Map<PartitionLog, PartitionLog> wrapped = new IdentityHashMap<>();
  private volatile boolean crashed;
  private final List<Trim> trims = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * One {@code trimBefore} call as the data saw it: the offset, whether it was the end of a sealed segment
   * (so the trim freed space), and when ({@link System#nanoTime}).
   */
  record Trim(String log, long offset, boolean segmentEnd, long atNanos) {
  }

  DeferringLogStore(Vertx vertx, LogStore delegate) {
    this.vertx = vertx;
    this.delegate = delegate;
  }

  /**
   * From now on nothing more reaches the data: appends and trims fail, as if the process had died.
   * What was appended before stays; a new store over the same delegate sees exactly that.
   */
  void crash() {
    crashed = true;
  }

  /** Every trim asked of the data so far, oldest first. */
  List<Trim> trims() {
    return List.copyOf(trims);
  }

  LogStore delegate() {
    return delegate;
  }

  private <T> Future<T> unlessCrashed(java.util.function.Supplier<Future<T>> call) {
    return crashed ? later(Future.failedFuture(new io.sluice.api.StorageException("crashed"))) : later(call.get());
  }

  <T> Future<T> later(Future<T> f) {
    Context ctx = Vertx.currentContext();
    Promise<T> p = Promise.promise();
    Runnable complete = () -> f.onComplete(p);
    if (ctx != null) {
      ctx.runOnContext(v -> complete.run());
    } else {
      vertx.runOnContext(v -> complete.run());
    }
    return p.future();
  }

  @Override
  public String type() {
    return "deferring-" + delegate.type();
  }

  @Override
  public Future<PartitionLog> open(String name, LogOptions options) {
    return later(delegate.open(name, options).map(log -> {
      synchronized (wrapped) {
        return wrapped.computeIfAbsent(log, Deferring::new);
      }
    }));
  }

  @Override
  public Future<Boolean> exists(String name) {
    return later(delegate.exists(name));
  }

  @Override
  public Future<List<String>> list() {
    return later(delegate.list());
  }

  @Override
  public Future<Void> drop(String name) {
    return later(delegate.drop(name));
  }

  @Override
  public Future<Void> close() {
    return later(crashed ? Future.succeededFuture() : delegate.close());
  }

  private final class Deferring implements PartitionLog {
    private final PartitionLog log;

    Deferring(PartitionLog log) {
      this.log = log;
    }

    @Override
    public String name() {
      return log.name();
    }

    @Override
    public LogOptions options() {
      return log.options();
    }

    @Override
    public Future<AppendResult> append(RecordBatch batch) {
      return unlessCrashed(() -> log.append(batch));
    }

    @Override
    public Future<Records> read(long fromOffset, int maxRecords, int maxBytes) {
      return later(log.read(fromOffset, maxRecords, maxBytes));
    }

    @Override
    public Future<Long> startOffset() {
      return later(log.startOffset());
    }

    @Override
    public Future<Long> endOffset() {
      return later(log.endOffset());
    }

    @Override
    public Future<OptionalLong> offsetForTimestamp(long timestamp) {
      return later(log.offsetForTimestamp(timestamp));
    }

    @Override
    public Future<Void> trimBefore(long offset) {
      // The memory store answers segments() at once, so the record shows the segments the trim met.
      List<SegmentInfo> now = log.segments().result();
      boolean segmentEnd = now != null && now.stream().anyMatch(s -> !s.active() && s.nextOffset() == offset);
      trims.add(new Trim(log.name(), offset, segmentEnd, System.nanoTime()));
      return unlessCrashed(() -> log.trimBefore(offset));
    }

    @Override
    public Future<Long> awaitAppend(long offset, long timeoutMs) {
      return later(log.awaitAppend(offset, timeoutMs));
    }

    @Override
    public Future<List<SegmentInfo>> segments() {
      return later(log.segments());
    }

    @Override
    public Future<Long> sizeInBytes() {
      return later(log.sizeInBytes());
    }

    @Override
    public Future<Void> flush() {
      return later(log.flush());
    }

    @Override
    public Future<Void> close() {
      return later(log.close());
    }

    @Override
    public boolean isOpen() {
      return log.isOpen();
    }
  }
}
