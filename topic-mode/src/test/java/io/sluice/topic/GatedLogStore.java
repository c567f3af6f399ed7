package io.sluice.topic;

import io.sluice.api.RecordBatch;
import io.sluice.api.SluiceException;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogStore;
import io.sluice.api.testing.ForwardingLogStore;
import io.sluice.api.testing.ForwardingPartitionLog;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
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
final class GatedLogStore extends ForwardingLogStore {

  private final String gatedLog;
  private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
  private final AtomicInteger refuseNext = new AtomicInteger();
  private final List<Integer> appendSizes = new CopyOnWriteArrayList<>();
  private volatile boolean holding;
  private volatile SluiceException refusal;

  GatedLogStore(LogStore inner, String gatedLog) {
    super(inner);
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
  protected PartitionLog wrap(String name, PartitionLog log) {
    return name.equals(gatedLog) ? new Gated(log) : log;
  }

  private final class Gated extends ForwardingPartitionLog {

    Gated(PartitionLog log) {
      super(log);
    }

    @Override
    public Future<AppendResult> append(RecordBatch batch) {
      appendSizes.add(batch.recordCount());
      Promise<AppendResult> result = Promise.promise();
      Runnable go = () -> {
        if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          result.fail(refusal);
        } else {
          inner.append(batch).onComplete(result);
        }
      };
      if (holding) {
        held.add(go);
      } else {
        go.run();
      }
      return result.future();
    }
  }
}
