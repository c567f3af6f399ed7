package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class DeadLetterTest extends QueueTestBase {

  @Test
  void poisonMessageReachesTheDeadLetterQueueAfterMaxDeliveries() {
    await(queues.createQueue("orders-dlq"));
    await(queues.createQueue("orders", new QueueConfig().setMaxDeliveries(3).setDeadLetterQueue("orders-dlq")));
    long poison = await(queues.send("orders", Message.of("poison").withHeader("tenant", "t1")));
    await(queues.send("orders", Message.of("fine")));
    ConcurrentLinkedQueue<Integer> poisonCounts = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> done = new ConcurrentLinkedQueue<>();
    QueueConsumer c = await(queues.consumer("orders", new ConsumerOptions().setPrefetch(4)));
    c.handler(d -> {
      if (d.valueAsString().equals("poison")) {
        poisonCounts.add(d.deliveryCount());
        d.nack();
      } else {
        d.ack().onSuccess(v -> done.add(d.valueAsString()));
      }
    });
    eventually(5000, "poison dead-lettered", () -> await(queues.describe("orders-dlq")).depth() == 1);
    assertEquals(List.of(1, 2, 3), List.copyOf(poisonCounts), "delivered exactly maxDeliveries times");
    assertEquals(List.of("fine"), List.copyOf(done));
    QueueStats s = await(queues.describe("orders"));
    assertEquals(0, s.depth());
    assertEquals(1, s.deadLetterDepth());
    await(c.close());
    Delivery dead = await(queues.receive("orders-dlq", 10, 1000)).get(0);
    assertEquals("poison", dead.valueAsString());
    assertEquals("t1", dead.record().header("tenant").valueAsString());
    assertEquals(QueueHeaders.REASON_MAX_DELIVERIES, dead.record().header(QueueHeaders.DEAD_LETTER_REASON).valueAsString());
    assertEquals("orders", dead.record().header(QueueHeaders.DEAD_LETTER_QUEUE).valueAsString());
    assertEquals(Long.toString(poison), dead.record().header(QueueHeaders.DEAD_LETTER_ID).valueAsString());
    assertEquals("3", dead.record().header(QueueHeaders.DEAD_LETTER_DELIVERIES).valueAsString());
    assertEquals(1, dead.deliveryCount(), "a fresh message in the dead-letter queue");
    await(dead.ack());
  }

  @Test
  void expiredLeasesCountAsDeliveries() {
    await(queues.createQueue("dlq"));
    await(queues.createQueue("q", new QueueConfig().setMaxDeliveries(2).setDeadLetterQueue("dlq")
        .setVisibilityTimeoutMs(100)));
    await(queues.send("q", Message.of("ignored")));
    assertEquals(1, await(queues.receive("q", 1, 1000)).get(0).deliveryCount());
    assertEquals(2, await(queues.receive("q", 1, 3000)).get(0).deliveryCount());
    eventually(5000, "dead-lettered after the second lease expired", () -> await(queues.describe("dlq")).depth() == 1);
    assertEquals(0, await(queues.describe("q")).depth());
  }

  @Test
  void withoutADeadLetterQueueThePoisonIsDiscarded() {
    await(queues.createQueue("q", new QueueConfig().setMaxDeliveries(2)));
    await(queues.send("q", Message.of("poison")));
    await(await(queues.receive("q", 1, 1000)).get(0).nack());
    await(await(queues.receive("q", 1, 1000)).get(0).nack());
    eventually(5000, "discarded", () -> await(queues.describe("q")).depth() == 0);
    assertTrue(await(queues.receive("q", 1, 0)).isEmpty());
  }
}
