package io.sluice.samples;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A counter that others can wait on: "tell me when 100 jobs are sent". The samples use it to stage their
 * story (undeploy the worker after a third, let the late subscriber join halfway) on what happened, not on
 * the clock.
 *
 * <p>Thread contract: thread-safe. {@link #increment()} is called by one producer at a time.
 */
public final class Milestones {

  private final AtomicInteger count = new AtomicInteger();
  private final Map<Integer, Promise<Void>> waiting = new ConcurrentHashMap<>();

  /** Counts one more and completes whoever waits for the new count. */
  public void increment() {
    int n = count.incrementAndGet();
    Promise<Void> reached = waiting.get(n);
    if (reached != null) {
      reached.tryComplete();
    }
  }

  public int count() {
    return count.get();
  }

  /** Completes once the count reaches {@code n}. */
  public Future<Void> reached(int n) {
    Promise<Void> reached = waiting.computeIfAbsent(n, k -> Promise.promise());
    // The count may have passed n before the promise was there to be completed.
    if (count.get() >= n) {
      reached.tryComplete();
    }
    return reached.future();
  }
}
