package io.sluice.samples.eventbus;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the worker did, kept outside the worker so it survives the worker's restart: the jobs done (with
 * the delivery count of each time one was done), and the jobs that failed once.
 *
 * <p>Thread contract: thread-safe.
 */
final class JobLog {

  /** Job number to the delivery count of each time it was done ("1", "2", ...; "-" without a queue in between). */
  private final Map<Integer, List<String>> done = new ConcurrentHashMap<>();
  private final Set<Integer> failedOnce = ConcurrentHashMap.newKeySet();
  private final AtomicLong lastActivity = new AtomicLong(System.currentTimeMillis());

  boolean firstAttempt(int job) {
    return !failedOnce.contains(job);
  }

  void failed(int job) {
    failedOnce.add(job);
    lastActivity.set(System.currentTimeMillis());
  }

  void done(int job, String deliveryCount) {
    done.computeIfAbsent(job, j -> new CopyOnWriteArrayList<>()).add(deliveryCount == null ? "-" : deliveryCount);
    lastActivity.set(System.currentTimeMillis());
  }

  /** Distinct jobs done. */
  int jobsDone() {
    return done.size();
  }

  /** Jobs done more than once. */
  int duplicates() {
    return (int) done.values().stream().filter(times -> times.size() > 1).count();
  }

  /**
   * Duplicates whose later runs were not redeliveries (delivery count 1 or none): a duplicate that no
   * missing ack explains. Must be 0.
   */
  int unexplainedDuplicates() {
    return (int) done.values().stream().filter(times -> times.size() > 1)
        .filter(times -> times.subList(1, times.size()).stream().anyMatch(c -> c.equals("-") || c.equals("1")))
        .count();
  }

  int failures() {
    return failedOnce.size();
  }

  /** Milliseconds since the worker last did or failed anything. */
  long quietForMs() {
    return System.currentTimeMillis() - lastActivity.get();
  }
}
