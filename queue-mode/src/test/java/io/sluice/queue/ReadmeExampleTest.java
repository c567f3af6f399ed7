package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.Message;
import io.sluice.api.store.FsyncPolicy;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The README's example, so that it compiles and runs. Keep the two in step. */
class ReadmeExampleTest extends QueueTestBase {

  private static Future<Void> process(Buffer order) {
    return order.toString().contains("broken") ? Future.failedFuture("cannot parse") : Future.succeededFuture();
  }

  @Test
  void example() {
    Set<String> processed = ConcurrentHashMap.newKeySet();
    // ---- README example starts
    queues.createQueue("orders-dlq")
        .compose(v -> queues.createQueue("orders", new QueueConfig()
            .setVisibilityTimeoutMs(30_000)        // lease per delivery
            .setMaxDeliveries(3)                   // then to the dead-letter queue
            .setDeadLetterQueue("orders-dlq")
            .setFsync(FsyncPolicy.always())))      // acked sends and acks survive a power loss
        .compose(v -> queues.sendBatch("orders", List.of(
            Message.of("order-1", "{\"total\": 12}"),
            Message.of("order-2", "{\"total\": broken}"))))
        .compose(ids -> queues.send("orders", Message.of("reminder"),
            new SendOptions().setDelayMs(200).setDedupId("reminder-order-1")))
        .compose(id -> queues.consumer("orders", new ConsumerOptions().setPrefetch(100)))
        .onSuccess(consumer -> consumer.handler(delivery ->
            process(delivery.value())
                .onSuccess(v -> delivery.ack()
                    .onSuccess(x -> processed.add(delivery.valueAsString())))
                .onFailure(e -> delivery.nack(100))));   // again in 100 ms; the 3rd failure dead-letters it
    // ---- README example ends
    eventually(10_000, "processed and dead-lettered", () -> processed.size() == 2
        && await(queues.describe("orders")).deadLetterDepth() == 1);
    assertEquals(Set.of("{\"total\": 12}", "reminder"), processed);
    Delivery dead = await(queues.receive("orders-dlq", 1, 1000)).get(0);
    assertEquals(QueueHeaders.REASON_MAX_DELIVERIES, dead.record().header(QueueHeaders.DEAD_LETTER_REASON).valueAsString());
  }
}
