package io.sluice.samples.orders;

import io.sluice.samples.orders.DeadLetterAuditor.DeadLetter;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The end of an order-processing run: who processed what, what was dead-lettered and why, and the proof
 * that every valid order was booked exactly once.
 *
 * @param bookedBy          orders booked per processor
 * @param rejectedBy        failed attempts (nacks) per processor
 * @param deadLetterReasons dead letters per "reason after n deliveries"
 * @param missing           valid orders never booked
 * @param duplicates        valid orders booked more than once
 * @param invalidBooked     invalid orders booked (must be 0)
 * @param invalidNotInDlq   invalid orders that did not reach the dead-letter queue
 * @param validInDlq        valid orders that ended in the dead-letter queue
 * @param queueDepth        messages left in {@code orders} at the end (0 once every ack is stored)
 */
public record OrderReport(int validOrders, int invalidOrders, Map<String, Long> bookedBy,
    Map<String, Long> rejectedBy, int deadLetters, Map<String, Long> deadLetterReasons, int missing,
    int duplicates, int invalidBooked, int invalidNotInDlq, int validInDlq, long queueDepth) {

  /** True when the run proved its claims: nothing missing, nothing twice, every invalid order dead-lettered for the right reason. */
  public boolean proven() {
    return missing == 0 && duplicates == 0 && invalidBooked == 0 && invalidNotInDlq == 0 && validInDlq == 0
        && queueDepth == 0 && deadLetterReasons.keySet().stream().allMatch(OrderReport::expectedReason);
  }

  static OrderReport of(List<Order> orders, OrderLedger ledger, Map<String, DeadLetter> dlq, long queueDepth) {
    int valid = 0;
    int missing = 0;
    int duplicates = 0;
    int invalidBooked = 0;
    int invalidNotInDlq = 0;
    int validInDlq = 0;
    for (Order order : orders) {
      long booked = ledger.timesBooked(order.id());
      if (order.valid()) {
        valid++;
        missing += booked == 0 ? 1 : 0;
        duplicates += booked > 1 ? 1 : 0;
        validInDlq += dlq.containsKey(order.id()) ? 1 : 0;
      } else {
        invalidBooked += booked > 0 ? 1 : 0;
        invalidNotInDlq += dlq.containsKey(order.id()) ? 0 : 1;
      }
    }
    Map<String, Long> reasons = new TreeMap<>();
    dlq.values().forEach(d -> reasons.merge(reason(d.reason(), d.deliveries()), 1L, Long::sum));
    return new OrderReport(valid, orders.size() - valid, ledger.bookedByProcessor(), ledger.rejectedByProcessor(),
        dlq.size(), reasons, missing, duplicates, invalidBooked, invalidNotInDlq, validInDlq, queueDepth);
  }

  void print(PrintStream out) {
    out.printf("%n%-14s %8s %18s%n", "processor", "booked", "failed (nacked)");
    long booked = 0;
    long rejected = 0;
    for (String processor : bookedBy.keySet()) {
      long b = bookedBy.get(processor);
      long r = rejectedBy.getOrDefault(processor, 0L);
      out.printf("%-14s %8d %18d%n", processor, b, r);
      booked += b;
      rejected += r;
    }
    out.printf("%-14s %8d %18d%n", "total", booked, rejected);
    out.printf("dead letters in %s: %d%n", OrderProcessingSample.ORDERS_DLQ, deadLetters);
    deadLetterReasons.forEach((reason, n) -> out.printf("  %s: %d%n", reason, n));
    out.printf("ledger by order id: %d valid orders -> %d missing, %d duplicates, %d in the DLQ%n",
        validOrders, missing, duplicates, validInDlq);
    out.printf("                    %d invalid orders -> %d booked, %d not in the DLQ; '%s' left holding %d%n",
        invalidOrders, invalidBooked, invalidNotInDlq, OrderProcessingSample.ORDERS, queueDepth);
    out.println(proven()
        ? "PROVEN: every valid order was processed exactly once; every invalid one was dead-lettered after "
            + OrderProcessingSample.MAX_DELIVERIES + " deliveries."
        : "NOT PROVEN: see the counts above.");
  }

  private static String reason(String reason, int deliveries) {
    return reason + " after " + deliveries + " deliveries";
  }

  private static boolean expectedReason(String reason) {
    return reason.equals(reason("max_deliveries", OrderProcessingSample.MAX_DELIVERIES));
  }
}
