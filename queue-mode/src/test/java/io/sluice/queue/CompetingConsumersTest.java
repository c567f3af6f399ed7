package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CompetingConsumersTest extends QueueTestBase {

  /**
   * M producers and N CLIENT-mode consumers that ack most deliveries, nack some and let some leases
   * lapse. Oracle: every sent message is acked successfully exactly once, nothing else is acked, and
   * the queue ends empty.
   */
  @Test
  void everyMessageIsAckedExactlyOnce() throws Exception {
    int producers = 4;
    int perProducer = 5000;
    int consumers = 4;
    await(queues.createQueue("work", new QueueConfig().setVisibilityTimeoutMs(300)));
    Map<String, AtomicInteger> acked = new ConcurrentHashMap<>();
    Set<String> sent = ConcurrentHashMap.newKeySet();
    AtomicInteger deliveries = new AtomicInteger();
    AtomicInteger lapsed = new AtomicInteger();
    List<QueueConsumer> cs = new ArrayList<>();
    for (int c = 0; c < consumers; c++) {
      QueueConsumer consumer = await(queues.consumer("work", new ConsumerOptions().setPrefetch(32)));
      consumer.handler(d -> {
        deliveries.incrementAndGet();
        int roll = ThreadLocalRandom.current().nextInt(100);
        if (d.deliveryCount() == 1 && roll < 5) {
          d.nack();
        } else if (d.deliveryCount() == 1 && roll < 6) {
          lapsed.incrementAndGet();
        } else {
          d.ack().onSuccess(v -> acked.computeIfAbsent(d.valueAsString(), k -> new AtomicInteger()).incrementAndGet());
        }
      });
      cs.add(consumer);
    }
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    try {
      List<Future<?>> sends = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        sends.add(pool.submit(() -> {
          int i = 0;
          while (i < perProducer) {
            int n = Math.min(perProducer - i, 1 + ThreadLocalRandom.current().nextInt(50));
            List<Message> batch = new ArrayList<>(n);
            for (int k = 0; k < n; k++, i++) {
              String v = producer + "-" + i;
              sent.add(v);
              batch.add(Message.of(v));
            }
            await(queues.sendBatch("work", batch));
          }
        }));
      }
      for (Future<?> f : sends) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int total = producers * perProducer;
    eventually(60_000, "all " + total + " acked", () -> acked.size() == total);
    eventually(10_000, "queue drained", () -> {
      QueueStats s = await(queues.describe("work"));
      return s.depth() == 0 && s.inFlight() == 0;
    });
    for (Map.Entry<String, AtomicInteger> e : acked.entrySet()) {
      assertEquals(1, e.getValue().get(), () -> e.getKey() + " acked " + e.getValue() + " times");
    }
    assertEquals(sent, acked.keySet());
    assertTrue(deliveries.get() > total, "some messages were delivered again (" + deliveries + " deliveries, "
        + lapsed + " lapsed leases)");
    for (QueueConsumer c : cs) {
      await(c.close());
    }
  }

  @Test
  void aSlowConsumerNeverHoldsMoreThanItsPrefetch() {
    await(queues.createQueue("q"));
    ConcurrentLinkedQueue<Delivery> slow = new ConcurrentLinkedQueue<>();
    AtomicInteger fastAcks = new AtomicInteger();
    QueueConsumer stuck = await(queues.consumer("q", new ConsumerOptions().setPrefetch(5)));
    stuck.handler(slow::add);
    QueueConsumer fast = await(queues.consumer("q", new ConsumerOptions().setPrefetch(50)));
    fast.handler(d -> d.ack().onSuccess(v -> fastAcks.incrementAndGet()));
    await(queues.sendBatch("q", IntStream.range(0, 500).mapToObj(i -> Message.of("m" + i)).toList()));
    eventually(20_000, "the fast consumer took the rest", () -> fastAcks.get() == 500 - slow.size() && slow.size() == 5);
    QueueStats s = await(queues.describe("q"));
    assertEquals(5, s.inFlight());
    assertEquals(5, s.depth());
    assertEquals(5, slow.size());
    await(stuck.close());
    await(fast.close());
  }

  @Test
  void aConsumerThatStopsAckingLosesItsMessagesToOthersWhenLeasesExpire() {
    await(queues.createQueue("q", new QueueConfig().setVisibilityTimeoutMs(300)));
    await(queues.sendBatch("q", IntStream.range(0, 10).mapToObj(i -> Message.of("m" + i)).toList()));
    ConcurrentLinkedQueue<Delivery> held = new ConcurrentLinkedQueue<>();
    QueueConsumer[] stuck = new QueueConsumer[1];
    stuck[0] = await(queues.consumer("q", new ConsumerOptions().setPrefetch(10)));
    stuck[0].handler(d -> {
      held.add(d);
      if (held.size() == 10) {
        stuck[0].pause();
      }
    });
    eventually(5000, "the first consumer holds all 10", () -> held.size() == 10);
    Set<String> rescued = ConcurrentHashMap.newKeySet();
    QueueConsumer other = await(queues.consumer("q", new ConsumerOptions().setPrefetch(10)));
    other.handler(d -> {
      assertEquals(2, d.deliveryCount());
      d.ack().onSuccess(v -> rescued.add(d.valueAsString()));
    });
    eventually(10_000, "the other consumer acked all 10", () -> rescued.size() == 10);
    for (Delivery d : held) {
      awaitFailure(d.ack(), ErrorCode.UNKNOWN_RECEIPT);
    }
    assertEquals(0, await(queues.describe("q")).depth());
    await(stuck[0].close());
    await(other.close());
  }

  @Test
  void closingAConsumerReturnsWhatItHeld() {
    await(queues.createQueue("q"));
    await(queues.sendBatch("q", IntStream.range(0, 5).mapToObj(i -> Message.of("m" + i)).toList()));
    ConcurrentLinkedQueue<Delivery> held = new ConcurrentLinkedQueue<>();
    QueueConsumer c = await(queues.consumer("q", new ConsumerOptions().setPrefetch(5)));
    c.handler(held::add);
    eventually(5000, "holds 5", () -> held.size() == 5);
    await(c.close());
    List<Delivery> again = await(queues.receive("q", 10, 1000));
    assertEquals(5, again.size());
    again.forEach(d -> assertEquals(2, d.deliveryCount()));
    awaitFailure(held.peek().ack(), ErrorCode.UNKNOWN_RECEIPT);
  }

  @Test
  void dispatchIsFairBetweenEqualConsumers() {
    await(queues.createQueue("q"));
    AtomicInteger a = new AtomicInteger();
    AtomicInteger b = new AtomicInteger();
    QueueConsumer ca = await(queues.consumer("q", new ConsumerOptions().setPrefetch(10)));
    ca.handler(d -> d.ack().onSuccess(v -> a.incrementAndGet()));
    QueueConsumer cb = await(queues.consumer("q", new ConsumerOptions().setPrefetch(10)));
    cb.handler(d -> d.ack().onSuccess(v -> b.incrementAndGet()));
    await(queues.sendBatch("q", IntStream.range(0, 2000).mapToObj(i -> Message.of("m" + i)).toList()));
    eventually(20_000, "all acked", () -> a.get() + b.get() == 2000);
    assertTrue(a.get() >= 400 && b.get() >= 400, "shares " + a + " / " + b);
    await(ca.close());
    await(cb.close());
  }

  @Test
  void readStreamBackPressure() {
    await(queues.createQueue("q"));
    ConcurrentLinkedQueue<Delivery> got = new ConcurrentLinkedQueue<>();
    QueueConsumer c = await(queues.consumer("q", new ConsumerOptions().setPrefetch(3)));
    c.pause();
    c.handler(d -> {
      got.add(d);
      d.ack();
    });
    await(queues.sendBatch("q", IntStream.range(0, 6).mapToObj(i -> Message.of("m" + i)).toList()));
    QueueStats s = await(queues.describe("q"));
    assertEquals(0, s.inFlight(), "a paused consumer is sent nothing");
    c.fetch(2);
    // Two reach the handler (and are acked); one more came with the credit and waits in the buffer.
    eventually(5000, "two fetched, one buffered", () -> got.size() == 2 && await(queues.describe("q")).inFlight() == 1);
    assertEquals(2, got.size());
    c.resume();
    eventually(5000, "all six", () -> got.size() == 6);
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5"), got.stream().map(Delivery::valueAsString).toList());
    eventually(5000, "drained", () -> await(queues.describe("q")).depth() == 0);
    await(c.close());
  }
}
