package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.sluice.api.store.FsyncPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The durable timer index at scale: 100,000 messages pending with delays spread over two seconds;
 * each must reach a consumer within 100 ms of its due time (enqueue time + delay), and before it
 * never. The delay is counted from the record timestamp, the enqueue time the owner stamps.
 *
 * <p>On a shared machine the whole process is sometimes not scheduled for a while, and no timer can
 * fire then. A hiccup meter (a thread that sleeps 1 ms in a loop, as jHiccup does) measures those
 * stalls during the same window; the bound is 100 ms beyond the worst stall it saw, and the median must
 * be small regardless.
 */
class DelayedAtScaleTest extends QueueTestBase {

  @Test
  void oneHundredThousandPendingFireOnTime() {
    int total = 100_000;
    await(queues.createQueue("timers", new QueueConfig().setFsync(FsyncPolicy.never())));
    long sendStart = System.currentTimeMillis();
    for (int b = 0; b < total / 1000; b++) {
      List<Message> batch = new ArrayList<>(1000);
      for (int i = 0; i < 1000; i++) {
        long delay = 4000 + ThreadLocalRandom.current().nextLong(2000);
        batch.add(Message.of("t").withHeader(QueueHeaders.DELAY_MS, Long.toString(delay)));
      }
      await(queues.sendBatch("timers", batch));
    }
    long sendMs = System.currentTimeMillis() - sendStart;
    QueueStats pending = await(queues.describe("timers"));
    assertTrue(sendMs < 3500, "sending took " + sendMs + " ms, so some may be due already");
    assertEquals(total, pending.delayed(), "all pending in the timer index");
    long[] lateness = new long[total];
    AtomicInteger received = new AtomicInteger();
    AtomicLong early = new AtomicLong();
    AtomicLong worstStallMs = new AtomicLong();
    Thread hiccups = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        long t0 = System.nanoTime();
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        }
        worstStallMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000 - 1, Math::max);
      }
    }, "hiccup-meter");
    hiccups.setDaemon(true);
    hiccups.start();
    QueueConsumer consumer = await(queues.consumer("timers",
        new ConsumerOptions().setAckMode(AckMode.AUTO).setPrefetch(5000)));
    consumer.handler(d -> {
      long due = d.timestamp() + Long.parseLong(d.record().header(QueueHeaders.DELAY_MS).valueAsString());
      long late = System.currentTimeMillis() - due;
      if (late < 0) {
        early.incrementAndGet();
      }
      lateness[received.getAndIncrement()] = late;
    });
    eventually(30_000, "all delivered", () -> received.get() == total);
    hiccups.interrupt();
    await(consumer.close());
    long[] sorted = Arrays.copyOf(lateness, total);
    Arrays.sort(sorted);
    String figures = "lateness ms: p50=" + sorted[total / 2] + " p99=" + sorted[total * 99 / 100] + " max="
        + sorted[total - 1] + "; worst process stall seen by the hiccup meter " + worstStallMs + " ms";
    System.out.println("[DelayedAtScaleTest] " + total + " delayed messages, " + figures);
    assertEquals(0, early.get(), "none before its time");
    assertTrue(sorted[total / 2] <= 20, figures);
    assertTrue(sorted[total - 1] <= 100 + worstStallMs.get(), figures);
  }
}
