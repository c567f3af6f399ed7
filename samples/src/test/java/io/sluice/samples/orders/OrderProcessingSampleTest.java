package io.sluice.samples.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.samples.SampleTestBase;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the order-processing sample itself, small, on a file store, and checks what it claims. */
class OrderProcessingSampleTest extends SampleTestBase {

  @Test
  void everyValidOrderIsProcessedExactlyOnceAndEveryInvalidOneIsDeadLettered(@TempDir Path dataDir) throws Exception {
    OrderReport report = OrderProcessingSample.run(vertx,
        new OrderProcessingSample.Settings(dataDir, 200, 10, 30_000),
        out).await(60, TimeUnit.SECONDS);

    assertEquals(180, report.validOrders());
    assertEquals(20, report.invalidOrders());
    assertEquals(0, report.missing(), "valid orders never booked");
    assertEquals(0, report.duplicates(), "valid orders booked twice");
    assertEquals(0, report.invalidBooked());
    assertEquals(0, report.invalidNotInDlq());
    assertEquals(0, report.validInDlq());
    assertEquals(20, report.deadLetters());
    assertEquals(Map.of("max_deliveries after 3 deliveries", 20L), report.deadLetterReasons());
    assertEquals(0, report.queueDepth());
    // Three processors competed: each booked some, together exactly the valid orders.
    assertEquals(3, report.bookedBy().size());
    assertTrue(report.bookedBy().values().stream().allMatch(n -> n > 0), report.bookedBy().toString());
    assertEquals(180L, report.bookedBy().values().stream().mapToLong(Long::longValue).sum());
    // Each invalid order failed once per delivery.
    assertEquals(20L * OrderProcessingSample.MAX_DELIVERIES,
        report.rejectedBy().values().stream().mapToLong(Long::longValue).sum());
    assertTrue(report.proven());
    assertTrue(output().contains("PROVEN: every valid order"), output());
  }
}
