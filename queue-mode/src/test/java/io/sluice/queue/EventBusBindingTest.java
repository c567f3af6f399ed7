package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventBusBindingTest extends QueueTestBase {

  /** A plain event-bus handler: reply() acks, fail() nacks (and the message comes again). */
  @Test
  void replyAcksAndFailNacks() {
    await(queues.createQueue("jobs"));
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    Set<String> done = ConcurrentHashMap.newKeySet();
    vertx.eventBus().<Buffer>consumer("worker", msg -> {
      String job = msg.body().toString();
      int attempt = seen.computeIfAbsent(job, k -> new AtomicInteger()).incrementAndGet();
      assertEquals(Integer.toString(attempt), msg.headers().get("sluice.delivery-count"));
      assertEquals("jobs", msg.headers().get("sluice.queue"));
      assertEquals("yes", msg.headers().get("custom"));
      if (job.endsWith("odd") && attempt == 1) {
        msg.fail(500, "try again");
      } else {
        done.add(job);
        msg.reply("ok");
      }
    });
    QueueBinding binding = await(queues.bindToAddress("jobs", "worker", new BindOptions().setPrefetch(4)));
    assertEquals("worker", binding.address());
    await(queues.sendBatch("jobs", IntStream.range(0, 20)
        .mapToObj(i -> Message.of("job-" + i + (i % 2 == 1 ? "-odd" : "-even")).withHeader("custom", "yes")).toList()));
    eventually(10_000, "all done", () -> done.size() == 20);
    eventually(5000, "queue empty", () -> await(queues.describe("jobs")).depth() == 0);
    seen.forEach((job, n) -> assertEquals(job.endsWith("odd") ? 2 : 1, n.get(), job));
    await(binding.close());
  }

  @Test
  void noHandlerOrATimeoutNacks() {
    await(queues.createQueue("jobs", new QueueConfig().setMaxDeliveries(2)));
    QueueBinding binding = await(queues.bindToAddress("jobs", "nobody-listens", new BindOptions().setReplyTimeoutMs(200)));
    await(queues.send("jobs", Message.of("lost?")));
    eventually(5000, "discarded after two failed deliveries", () -> await(queues.describe("jobs")).depth() == 0);
    await(binding.close());
  }

  /** A verticle that only knows the bus sends to a queue with one call. */
  @Test
  void aVerticleSendsWithOneCall() {
    await(queues.createQueue("inbox"));
    String address = queues.address("inbox");
    await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.eventBus().request(address, new io.vertx.core.json.JsonObject().put("order", 42));
      }
    }));
    Delivery d = await(queues.receive("inbox", 1, 1000)).get(0);
    assertTrue(d.valueAsString().contains("42"));
  }
}
