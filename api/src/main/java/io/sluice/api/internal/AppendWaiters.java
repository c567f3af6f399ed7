package io.sluice.api.internal;

import io.sluice.api.StoreClosedException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The readers waiting for a log to grow past an offset (long-poll without polling): {@link #wake} is
 * called after every append; each waiter has a timer that completes it with the end offset as it is
 * then. Thread-safe.
 */
public final class AppendWaiters {

  private final Vertx vertx;
  private final List<Waiter> waiters = new ArrayList<>();
  private boolean closed;

  public AppendWaiters(Vertx vertx) {
    this.vertx = vertx;
  }

  private final class Waiter {
    final long offset;
    final Promise<Long> promise;
    long timerId = -1;

    Waiter(long offset, Promise<Long> promise) {
      this.offset = offset;
      this.promise = promise;
    }
  }

  /**
   * @param currentEnd the end offset now; read it under the same ordering as the appends that call
   *                   {@link #wake} (the caller's lock), so no wake-up is missed
   */
  public Future<Long> await(long offset, long timeoutMs, java.util.function.LongSupplier currentEnd) {
    Promise<Long> promise = Promises.onCallerContext();
    Waiter w = new Waiter(offset, promise);
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new StoreClosedException("log is closed"));
      }
      long end = currentEnd.getAsLong();
      if (end > offset || timeoutMs <= 0) {
        return Future.succeededFuture(end);
      }
      waiters.add(w);
    }
    long timer = vertx.setTimer(timeoutMs, id -> {
      boolean removed;
      synchronized (this) {
        removed = waiters.remove(w);
      }
      if (removed) {
        w.promise.tryComplete(currentEnd.getAsLong());
      }
    });
    synchronized (this) {
      w.timerId = timer;
      if (!waiters.contains(w)) {
        vertx.cancelTimer(timer);
      }
    }
    return promise.future();
  }

  /** Completes every waiter whose offset is below {@code newEnd}. */
  public void wake(long newEnd) {
    List<Waiter> ready = null;
    synchronized (this) {
      if (waiters.isEmpty()) {
        return;
      }
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (newEnd > w.offset) {
          it.remove();
          if (ready == null) {
            ready = new ArrayList<>();
          }
          ready.add(w);
        }
      }
    }
    if (ready != null) {
      for (Waiter w : ready) {
        if (w.timerId >= 0) {
          vertx.cancelTimer(w.timerId);
        }
        w.promise.tryComplete(newEnd);
      }
    }
  }

  /** Fails every waiter with {@code store_closed} and refuses new ones. */
  public void close() {
    List<Waiter> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(waiters);
      waiters.clear();
    }
    for (Waiter w : all) {
      if (w.timerId >= 0) {
        vertx.cancelTimer(w.timerId);
      }
      w.promise.tryFail(new StoreClosedException("log closed while waiting"));
    }
  }
}
