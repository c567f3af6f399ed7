package io.sluice.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code queues ...} against an embedded node. */
class QueueCommandsTest extends CliTestBase {

  @Test
  void createSendReceiveWithAckLeavesTheQueueEmpty() {
    assertEquals("created queue jobs\n",
        ok(sluice("queues", "create", "jobs", "--visibility-timeout-ms", "30000", "--max-deliveries", "3")).out());
    ok(sluice("queues", "create", "jobs.dlq"));
    assertEquals(List.of("jobs", "jobs.dlq"), ok(sluice("queues", "list")).lines().stream().sorted().toList());
    assertEquals(30000L, getJson("/v1/queues/jobs").getJsonObject("config").getLong("visibilityTimeoutMs"));

    assertEquals("sent 5 messages\n", ok(sluiceWithInput("one\ntwo\nthree\nfour\nfive\n", "queues", "send", "jobs")).out());
    assertEquals(5L, getJson("/v1/queues/jobs").getLong("depth"));

    assertEquals(List.of("one", "two"), ok(sluice("queues", "receive", "jobs", "--max", "2")).lines());
    assertEquals(2L, getJson("/v1/queues/jobs").getLong("inFlight"), "received without --ack: leased, not settled");

    assertEquals(List.of("three", "four", "five"), ok(sluice("queues", "receive", "jobs", "--max", "10", "--ack")).lines());
    JsonObject stats = new JsonObject(ok(sluice("queues", "describe", "jobs", "--json")).out());
    assertEquals(2L, stats.getLong("depth"), "only the two unacknowledged messages remain: " + stats);
    assertEquals(2L, stats.getLong("inFlight"));

    Run described = ok(sluice("queues", "describe", "jobs"));
    assertTrue(described.out().matches("(?s)name +jobs\n.*depth +2\n.*inFlight +2\n.*maxDeliveries +3\n.*"), described.out());

    assertEquals("deleted queue jobs\n", ok(sluice("queues", "delete", "jobs")).out());
    assertEquals(List.of("jobs.dlq"), ok(sluice("queues", "list")).lines());
  }

  @Test
  void receiveAckPrintsAndSettlesEveryMessageAcrossRequests() {
    ok(sluice("queues", "create", "bulk"));
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < 1500; i++) {
      input.append("m").append(i).append('\n');
    }
    assertEquals(1500, ok(sluiceWithInput(input.toString(), "queues", "send", "bulk", "--verbose")).lines().size());
    Run received = ok(sluice("queues", "receive", "bulk", "--max", "2000", "--ack", "--wait-ms", "1000"));
    assertEquals(1500, received.lines().size());
    assertEquals("m0", received.lines().get(0));
    assertEquals("m1499", received.lines().get(1499));
    assertEquals(0L, getJson("/v1/queues/bulk").getLong("depth"));
    assertEquals("", ok(sluice("queues", "receive", "bulk")).out(), "an empty queue prints nothing and succeeds");
  }

  @Test
  void jsonReceiveIsOneMessageObjectPerLineAndUnknownQueuesExitOne() {
    ok(sluice("queues", "create", "q"));
    ok(sluiceWithInput("hello\n", "queues", "send", "q"));
    JsonObject m = new JsonObject(ok(sluice("queues", "receive", "q", "--json", "--ack")).out().trim());
    assertEquals("hello", m.getString("value"));
    assertEquals(1, m.getInteger("deliveryCount"));
    assertTrue(m.getString("receipt").startsWith("q:"));

    Run unknown = sluice("queues", "receive", "missing");
    assertEquals(SluiceCli.NODE_ERROR, unknown.code());
    assertTrue(unknown.err().startsWith("error: unknown_queue: "), unknown.err());
  }
}
