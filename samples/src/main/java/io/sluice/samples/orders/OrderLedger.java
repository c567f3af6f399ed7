package io.sluice.samples.orders;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the processors did, keyed by order id: the evidence for the exactly-once claim. A valid order must
 * be booked exactly once; booking it twice (a redelivery after the work was done) or never (a lost
 * message) both show up here.
 *
 * <p>Thread contract: thread-safe; the three processors write to it from their own event loops.
 */
final class OrderLedger {

  private final Map<String, LongAdder> timesBooked = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> bookedBy = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rejectedBy = new ConcurrentHashMap<>();

  void processed(String orderId, String processor) {
    timesBooked.computeIfAbsent(orderId, id -> new LongAdder()).increment();
    bookedBy.computeIfAbsent(processor, p -> new LongAdder()).increment();
  }

  void rejected(String processor) {
    rejectedBy.computeIfAbsent(processor, p -> new LongAdder()).increment();
  }

  /** How many distinct orders were booked at least once. */
  int distinctOrders() {
    return timesBooked.size();
  }

  /** How many times an order was booked (0 if never). */
  long timesBooked(String orderId) {
    LongAdder n = timesBooked.get(orderId);
    return n == null ? 0 : n.sum();
  }

  /** Orders booked per processor, sorted by processor name. */
  Map<String, Long> bookedByProcessor() {
    return snapshot(bookedBy);
  }

  /** Failed processing attempts (each one a nack) per processor. */
  Map<String, Long> rejectedByProcessor() {
    return snapshot(rejectedBy);
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
    Map<String, Long> copy = new TreeMap<>();
    counters.forEach((name, n) -> copy.put(name, n.sum()));
    return copy;
  }
}
