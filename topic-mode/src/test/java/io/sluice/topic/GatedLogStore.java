package io.sluice.topic;

import io.sluice.api.RecordBatch;
import io.sluice.api.SluiceException;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.SegmentInfo;
import io.sluice.api.Records;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store for tests that lets them stand between the partition owner and the log of one name: appends to it
 * can be held (kept waiting until {@link #release}) and the next few can be refused with a chosen error, and
 * every append's record count is recorded. Everything else goes straight to the wrapped store.
 *
 * <p>Thread contract: the controls are safe from any thread; appends are issued on the owner's context.
 */
final class GatedLogStore implements LogStore {

  private final LogStore inner;
  private final String gatedLog;
  private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
  private final AtomicInteger refuseNext = new AtomicInteger();
  private final List<Integer> appendSizes = new CopyOnWriteArrayList<>();
  private volatile boolean holding;
  private volatile SluiceException refusal;

  GatedLogStore(LogStore inner, String gatedLog) {
    this.inner = inner;
    this.gatedLog = gatedLog;
  }

  /** Appends from now on wait until {@link #release}. */
  void hold() {
    holding = true;
  }

  /** Lets the held appends go, in their order, and stops holding. */
  void release() {
    holding = false;
    Runnable r;
    while ((r = held.poll()) != null) {
      r.run();
    }
  }

  int heldCount() {
    return held.size();
  }

  /** The next {@code count} appends fail with {@code error} without storing anything. */
  void refuseNext(int count, SluiceException error) {
    refusal = error;
    refuseNext.set(count);
  }

  /** The record count of every append that reached the log (held or not), in order. */
  List<Integer> appendSizes() {
    return new ArrayList<>(appendSizes);
  }

  @Override
  public String type() {
    return inner.type();
  }

  @Override
  public Future<PartitionLog> open(String name, LogOptions options) {
    return inner.open(name, options).map(log -> name.equals(gatedLog) ? new Gated(log) : log);
  }

  @Override
  public Future<Boolean> exists(String name) {
    return inner.exists(name);
  }

  @Override
  public Future<List<String>> list() {
    return inner.list();
  }

  @Override
  public Future<Void> drop(String name) {
    return inner.drop(name);
  }

  @Override
  public Future<Void> close() {
    return inner.close();
  }

  private final class Gated implements PartitionLog {
    private final PartitionLog log;

    Gated(PartitionLog log) {
      this.log = log;
    }

    @Override
    public Future<AppendResult> append(RecordBatch batch) {
      appendSizes.add(batch.recordCount());
      Promise<AppendResult> result = Promise.promise();
      Runnable go = () -> {
        if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          result.fail(refusal);
        } else {
          log.append(batch).onComplete(result);
        }
      };
      if (holding) {
        held.add(go);
      } else {
        go.run();
      }
      return result.future();
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
    public Future<Records> read(long fromOffset, int maxRecords, int maxBytes) {
      return log.read(fromOffset, maxRecords, maxBytes);
    }

    @Override
    public Future<Long> startOffset() {
      return log.startOffset();
    }

    @Override
    public Future<Long> endOffset() {
      return log.endOffset();
    }

    @Override
    public Future<OptionalLong> offsetForTimestamp(long timestamp) {
      return log.offsetForTimestamp(timestamp);
    }

    @Override
    public Future<Void> trimBefore(long offset) {
      return log.trimBefore(offset);
    }

    @Override
    public Future<Long> awaitAppend(long offset, long timeoutMs) {
      return log.awaitAppend(offset, timeoutMs);
    }

    @Override
    public Future<List<SegmentInfo>> segments() {
      return log.segments();
    }

    @Override
    public Future<Long> sizeInBytes() {
      return log.sizeInBytes();
    }

    @Override
    public Future<Void> flush() {
      return log.flush();
    }

    @Override
    public Future<Void> close() {
      return log.close();
    }

    @Override
    public boolean isOpen() {
      return log.isOpen();
    }
  }
}
