package io.sluice.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The Hazelcast topic peer of an embedded deployment (issue 7): a {@code Ringbuffer} on an embedded loopback
 * member ({@link LoopbackHazelcast}), one producer thread adding with {@code addAllAsync} in batches of
 * {@value #BATCH} ({@value #WINDOW} in flight), one consumer thread reading with {@code readManyAsync} (up to 1000
 * at a time). A ring buffer has one partition and no consumer groups: it is the nearest Hazelcast structure
 * to a topic partition, not a like-for-like topic.
 *
 * <p>Throughput: {@code records} added as fast as the window allows (but at most {@value #BACKLOG_CAP} ahead of
 * the reader, so the ring never overwrites unread items); produced/s until the last add is acknowledged, consumed/s
 * until the reader has them all, both from the first add. Latency: open loop at 50% of the produced median, each
 * item stamped with its <em>scheduled</em> send time, timed to the reader (end to end, as in {@link TopicBench}).
 *
 * <p>Thread contract: {@link #measure} runs on a plain thread; each run has its own producer and reader threads.
 */
final class RingbufferPeer {

  static final int BATCH = 100;
  static final int WINDOW = 8;
  static final long BACKLOG_CAP = 50_000;
  /**
   * Items the ring keeps. A paced run has no backlog cap (it must not wait for the reader), so the ring holds a whole
   * paced run: a reader that fell behind by more than the capacity would lose items to overwriting.
   */
  private static final int CAPACITY = 2_000_000;
  static final String DURABILITY = "in memory (no backup, no persistence)";

  private final int runs;
  private final long pacedMillis;

  RingbufferPeer(int runs, long pacedMillis) {
    this.runs = runs;
    this.pacedMillis = pacedMillis;
  }

  /** Produce and consume figures for each size, in that order. */
  List<Figure> measure(List<Integer> sizes, List<Long> recordsPerSize) throws Exception {
    Config config = LoopbackHazelcast.config("sluice-bench-" + UUID.randomUUID());
    config.addRingBufferConfig(new RingbufferConfig("bench-*").setCapacity(CAPACITY).setBackupCount(0)
        .setAsyncBackupCount(0).setInMemoryFormat(InMemoryFormat.BINARY));
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
    List<Figure> out = new ArrayList<>();
    try {
      String system = "Hazelcast " + hz.getCluster().getClusterVersion() + " Ringbuffer (addAllAsync/readManyAsync)";
      for (int i = 0; i < sizes.size(); i++) {
        int size = sizes.get(i);
        long records = recordsPerSize.get(i);
        once(hz, size, records, 0);
        double[] produced = new double[runs];
        double[] consumed = new double[runs];
        for (int r = 0; r < runs; r++) {
          Run run = once(hz, size, records, 0);
          produced[r] = run.producedPerSec;
          consumed[r] = run.consumedPerSec;
        }
        Stats p = Stats.of(produced);
        double rate = Math.max(1, p.median() / 2);
        double[][] pct = new double[5][runs];
        for (int r = 0; r < runs; r++) {
          Run run = once(hz, size, Math.min(CAPACITY, Math.max(1, (long) (rate * pacedMillis / 1000))), rate);
          pct[0][r] = run.latency.getValueAtPercentile(50) / 1e6;
          pct[1][r] = run.latency.getValueAtPercentile(99) / 1e6;
          pct[2][r] = run.latency.getValueAtPercentile(99.9) / 1e6;
          pct[3][r] = run.latency.getMaxValue() / 1e6;
          pct[4][r] = run.producedPerSec;
        }
        Figure.Latency latency = new Figure.Latency("scheduled send to reader", Stats.of(pct[4]).median(),
            Stats.of(pct[0]).median(), Stats.of(pct[1]).median(), Stats.of(pct[2]).median(), Stats.of(pct[3]).median());
        out.add(new Figure("topic produce (embedded)", system, DURABILITY, size, 1, 0, p, latency));
        out.add(new Figure("topic consume (embedded)", system, DURABILITY, size, 1, 0, Stats.of(consumed), null));
      }
    } finally {
      hz.shutdown();
    }
    return out;
  }

  private static final class Run {
    double producedPerSec;
    double consumedPerSec;
    final Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
  }

  /** One run on a fresh ring buffer: flat out when {@code rate} is 0, else paced at {@code rate} items/s. */
  private static Run once(HazelcastInstance hz, int size, long records, double rate) throws Exception {
    Ringbuffer<byte[]> ring = hz.getRingbuffer("bench-" + UUID.randomUUID());
    Run run = new Run();
    AtomicLong consumed = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CompletableFuture<Long> lastRead = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      long seq = 0;
      try {
        while (consumed.get() < records) {
          ReadResultSet<byte[]> got = ring.readManyAsync(seq, 1, 1000, null).toCompletableFuture().get(60, TimeUnit.SECONDS);
          long now = System.nanoTime();
          if (got.size() > 0 && got.getSequence(0) != seq) {
            throw new IllegalStateException("the reader fell a whole ring behind: items " + seq + " to "
                + (got.getSequence(0) - 1) + " were overwritten before it read them");
          }
          if (rate > 0) {
            for (int i = 0; i < got.size(); i++) {
              run.latency.recordValue(Math.max(0, now - ByteBuffer.wrap(got.get(i)).getLong(0)));
            }
          }
          consumed.addAndGet(got.size());
          seq = got.getNextSequenceToReadFrom();
        }
        lastRead.complete(System.nanoTime());
      } catch (Exception e) {
        failure.compareAndSet(null, e);
        lastRead.completeExceptionally(e);
      }
    }, "ringbuffer-reader");
    reader.start();
    try {
      long t0 = System.nanoTime();
      long lastAck = rate > 0 ? paced(ring, size, records, rate, t0, failure) : flat(ring, size, records, consumed, failure);
      long end = lastRead.get(120, TimeUnit.SECONDS);
      run.producedPerSec = records / ((lastAck - t0) / 1e9);
      run.consumedPerSec = records / ((end - t0) / 1e9);
      return run;
    } finally {
      reader.interrupt();
      reader.join(TimeUnit.SECONDS.toMillis(10));
      ring.destroy();
    }
  }

  private static long flat(Ringbuffer<byte[]> ring, int size, long records, AtomicLong consumed,
      AtomicReference<Throwable> failure) throws Exception {
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < BATCH; i++) {
      batch.add(new byte[size]);
    }
    Semaphore window = new Semaphore(WINDOW);
    AtomicLong lastAck = new AtomicLong();
    long sent = 0;
    while (sent < records) {
      check(failure);
      if (sent - consumed.get() > BACKLOG_CAP) {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        continue;
      }
      int n = (int) Math.min(BATCH, records - sent);
      window.acquire();
      ring.addAllAsync(n == BATCH ? batch : batch.subList(0, n), OverflowPolicy.OVERWRITE).whenComplete((seq, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        }
        lastAck.accumulateAndGet(System.nanoTime(), Math::max);
        window.release();
      });
      sent += n;
    }
    if (!window.tryAcquire(WINDOW, 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("ring buffer adds not acknowledged in 120 s");
    }
    check(failure);
    return lastAck.get();
  }

  /** Adds, each tick, the items due by the schedule, stamped with their scheduled times; never waits for acks. */
  private static long paced(Ringbuffer<byte[]> ring, int size, long records, double rate, long t0,
      AtomicReference<Throwable> failure) throws Exception {
    long sent = 0;
    AtomicLong acked = new AtomicLong();
    AtomicLong lastAck = new AtomicLong();
    while (sent < records) {
      check(failure);
      long due = Math.min(records, (long) ((System.nanoTime() - t0) / 1e9 * rate) + 1);
      while (sent < due) {
        int n = (int) Math.min(BATCH, due - sent);
        List<byte[]> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          byte[] item = new byte[size];
          ByteBuffer.wrap(item).putLong(0, t0 + (long) ((sent + i) / rate * 1e9));
          batch.add(item);
        }
        ring.addAllAsync(batch, OverflowPolicy.OVERWRITE).whenComplete((seq, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
          lastAck.accumulateAndGet(System.nanoTime(), Math::max);
          acked.addAndGet(n);
        });
        sent += n;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (acked.get() < records) {
      check(failure);
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("ring buffer adds not acknowledged in 120 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return lastAck.get();
  }

  private static void check(AtomicReference<Throwable> failure) {
    if (failure.get() != null) {
      throw new IllegalStateException("ring buffer run failed", failure.get());
    }
  }
}
