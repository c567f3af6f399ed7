package io.sluice.bench;

import io.sluice.api.Message;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.topic.Consumer;
import io.sluice.topic.ConsumerRecord;
import io.sluice.topic.Producer;
import io.sluice.topic.RecordMetadata;
import io.sluice.topic.TopicPartition;
import io.sluice.topic.Topics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * One measured run of {@link TopicBench}: a fresh topic and consumer group, a producer on its own event-loop
 * context and each consumer on its own, then either a throughput run (closed loop, bounded by the producer's
 * buffer) or a latency run (paced open loop).
 *
 * <p>Thread contract: {@link Setup} is used from one plain thread, which blocks on the run's futures. The
 * producing side ({@link ThroughputPump}, {@link Pacer}'s ticks) runs only on the producer's context (the
 * pacer's own thread only posts ticks there); each consumer's
 * handler only on its consumer's context; they share only {@link GroupReceipts}, which is thread-safe.
 */
final class TopicBenchRun {

  /** The scheduled-time field of the latency run's unmeasured warm-up record (never a real nanoTime stamp here). */
  static final long WARM_UP_STAMP = Long.MIN_VALUE;

  private TopicBenchRun() {
  }

  record Throughput(long records, double producedPerSec, double consumedPerSec) {
  }

  record Latency(long records, double offeredPerSec, double p50Ms, double p99Ms, double p999Ms, double maxMs) {
  }

  /** The settings of one table row, and the runs made with them. */
  static final class Setup {

    private final Vertx vertx;
    private final Topics topics;
    private final FsyncPolicy fsync;
    private final int recordSize;
    private final Buffer value;
    private int runCount;

    Setup(Vertx vertx, Topics topics, FsyncPolicy fsync, int recordSize) {
      this.vertx = vertx;
      this.topics = topics;
      this.fsync = fsync;
      this.recordSize = recordSize;
      byte[] bytes = new byte[recordSize];
      new Random(recordSize).nextBytes(bytes);
      this.value = Buffer.buffer(bytes);
    }

    Throughput throughput(long millis) throws Exception {
      Group group = open(false);
      try {
        // Prebuilt once: the bench does no per-record work beyond the send call and its acknowledgement count.
        Message message = Message.of(value);
        long window = window(recordSize);
        ThroughputPump pump = new ThroughputPump(group, message, window);
        long t0 = System.nanoTime();
        pump.deadline = t0 + TimeUnit.MILLISECONDS.toNanos(millis);
        group.producerContext.runOnContext(v -> pump.pump());
        long lastAck = pump.allAcknowledged.get(millis + 120_000, TimeUnit.MILLISECONDS);
        long lastReceived = group.receipts.allReceived.get(120, TimeUnit.SECONDS);
        if (pump.failure.get() != null) {
          throw new IllegalStateException(pump.failures + " sends failed", pump.failure.get());
        }
        long records = pump.sent;
        return new Throughput(records, records / ((lastAck - t0) / 1e9), records / ((lastReceived - t0) / 1e9));
      } finally {
        group.close();
      }
    }

    Latency latency(double ratePerSec, long millis) throws Exception {
      Group group = open(true);
      try {
        long total = Math.max(1, (long) (ratePerSec * millis / 1000));
        Pacer pacer = new Pacer(group, value, ratePerSec, total);
        // One unmeasured record first, acknowledged and received: the new producer's topic metadata lookup
        // and the consumers' first fetches are one-off start-up costs, not latency at the offered rate, and
        // in a short run they would make up the whole 1% tail.
        Buffer warm = value.copy();
        warm.setLong(0, WARM_UP_STAMP);
        StoreBench.await(onContext(group.producerContext, () -> group.producer.send(group.topic, Message.of(warm))));
        group.warmedUp.get(30, TimeUnit.SECONDS);
        long lastSend;
        try {
          pacer.start();
          lastSend = pacer.allSent.get(millis + 120_000, TimeUnit.MILLISECONDS);
          group.receipts.allReceived.get(120, TimeUnit.SECONDS);
        } finally {
          pacer.stop();
        }
        if (pacer.failure.get() != null) {
          throw new IllegalStateException("sends failed", pacer.failure.get());
        }
        Histogram h = new Histogram(3);
        for (Histogram c : group.histograms) {
          h.add(c);
        }
        double offered = total / Math.max(1e-9, (lastSend - pacer.t0) / 1e9);
        return new Latency(total, offered, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
            h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6);
      } finally {
        group.close();
      }
    }

    /**
     * Sends kept unacknowledged: enough to fill 16 batches per partition (the producer sends one batch per
     * partition at a time, so more only waits), never less than 4096, always within the producer's buffer so a
     * send never blocks. A larger window costs throughput: the producer tracks every unfinished send.
     */
    static long window(int recordSize) {
      long perBatch = TopicBench.BATCH_BYTES / (recordSize + 22);
      long wanted = Math.max(4096, 16 * TopicBench.PARTITIONS * perBatch);
      return Math.min(wanted, (long) (0.9 * TopicBench.BUFFER_MEMORY / (recordSize + 22)));
    }

    /** A new topic, its group of consumers (settled: each owns its share of the partitions) and a producer. */
    private Group open(boolean timed) throws Exception {
      int n = ++runCount;
      String topic = "bench-" + recordSize + "-" + n;
      StoreBench.await(topics.createTopic(topic, TopicBench.topicConfig(fsync)));
      Group group = new Group(vertx, topics, topic, timed);
      try {
        String groupId = "bench-group-" + recordSize + "-" + n;
        for (int i = 0; i < TopicBench.CONSUMERS; i++) {
          int index = i;
          Context ctx = group.side();
          Consumer c = onContext(ctx, () -> topics.createConsumer(TopicBench.consumerOptions(groupId, index)));
          group.consumers.add(c);
          Histogram h = new Histogram(3);
          group.histograms.add(h);
          GroupReceipts receipts = group.receipts;
          Handler<ConsumerRecord> handler = timed
              ? r -> {
                long scheduledAt = r.value().getLong(0);
                if (scheduledAt == WARM_UP_STAMP) {
                  group.warmedUp.complete(null);
                  return;
                }
                h.recordValue(Math.max(0, System.nanoTime() - scheduledAt));
                receipts.received();
              }
              : r -> receipts.received();
          c.handler(handler).exceptionHandler(e -> receipts.fail(e));
        }
        for (Consumer c : group.consumers) {
          StoreBench.await(c.subscribe(List.of(topic)));
        }
        awaitSettled(group.consumers);
        group.producerContext = group.side();
        group.producer = onContext(group.producerContext, () -> topics.createProducer(TopicBench.producerOptions()));
        return group;
      } catch (Exception | Error e) {
        group.close();
        throw e;
      }
    }

    /** Waits (bounded) until every consumer owns an equal share of the partitions, so no rebalance hits the run. */
    private static void awaitSettled(List<Consumer> consumers) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int share = TopicBench.PARTITIONS / consumers.size();
      while (true) {
        boolean settled = true;
        for (Consumer c : consumers) {
          Set<TopicPartition> owned = StoreBench.await(c.assignment());
          settled &= owned.size() == share;
        }
        if (settled) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("consumer group did not settle within 30 s");
        }
        Thread.sleep(10);
      }
    }
  }

  /** Runs {@code body} on {@code ctx} (so what it creates is confined there) and returns its result. */
  static <T> T onContext(Context ctx, Supplier<T> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      try {
        result.complete(body.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(30, TimeUnit.SECONDS);
  }

  /** A verticle that only lends its event-loop context: one per producer and per consumer, so they spread over the loops. */
  static final class Side extends VerticleBase {

    Context context() {
      return context;
    }

    @Override
    public Future<?> start() {
      return Future.succeededFuture();
    }
  }

  /** The clients of one run; {@link #close()} releases them and deletes the topic. */
  static final class Group {

    final Vertx vertx;
    final Topics topics;
    final String topic;
    final boolean timed;
    final List<Consumer> consumers = new ArrayList<>();
    final List<Histogram> histograms = new ArrayList<>();
    final List<String> deployments = new ArrayList<>();
    final GroupReceipts receipts = new GroupReceipts();
    /** Completed when a consumer receives the latency run's warm-up record. */
    final CompletableFuture<Void> warmedUp = new CompletableFuture<>();
    Context producerContext;
    Producer producer;

    Group(Vertx vertx, Topics topics, String topic, boolean timed) {
      this.vertx = vertx;
      this.topics = topics;
      this.topic = topic;
      this.timed = timed;
    }

    Context side() throws Exception {
      Side side = new Side();
      deployments.add(StoreBench.await(vertx.deployVerticle(side)));
      return side.context();
    }

    void close() throws Exception {
      List<Future<?>> closing = new ArrayList<>();
      if (producer != null) {
        closing.add(producer.close());
      }
      for (Consumer c : consumers) {
        closing.add(c.close());
      }
      StoreBench.await(Future.join(closing));
      StoreBench.await(topics.delete(topic));
      for (String id : deployments) {
        StoreBench.await(vertx.undeploy(id));
      }
    }
  }

  /** What the group has received; done once it holds the count the producer announced. Thread-safe. */
  static final class GroupReceipts {

    final CompletableFuture<Long> allReceived = new CompletableFuture<>();
    private final AtomicLong received = new AtomicLong();
    private volatile long expected = Long.MAX_VALUE;

    void received() {
      if (received.incrementAndGet() >= expected) {
        allReceived.complete(System.nanoTime());
      }
    }

    /** The producer sent its last record: {@code count} in all. */
    void expect(long count) {
      expected = count;
      if (received.get() >= count) {
        allReceived.complete(System.nanoTime());
      }
    }

    void fail(Throwable e) {
      allReceived.completeExceptionally(e);
    }
  }

  /**
   * Closed-loop producer: keeps at most {@code window} sends unacknowledged (below the producer's buffer, so
   * a send never waits for space) until the deadline. Runs on the producer's context only.
   */
  static final class ThroughputPump implements Handler<AsyncResult<RecordMetadata>> {

    private static final int CHUNK = 4096;

    final CompletableFuture<Long> allAcknowledged = new CompletableFuture<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Group group;
    private final Message message;
    private final long window;
    long deadline;
    long sent;
    long acknowledged;
    long failures;
    private boolean stopped;
    private boolean scheduled;

    ThroughputPump(Group group, Message message, long window) {
      this.group = group;
      this.message = message;
      this.window = window;
    }

    void pump() {
      scheduled = false;
      if (stopped) {
        return;
      }
      if (System.nanoTime() >= deadline) {
        stop();
        return;
      }
      // Chunks keep the event loop free to handle acknowledgements between them.
      for (int i = 0; i < CHUNK && sent - acknowledged < window; i++) {
        group.producer.send(group.topic, message).onComplete(this);
        sent++;
      }
      if (sent - acknowledged < window) {
        schedule();
      }
    }

    private void schedule() {
      if (!scheduled) {
        scheduled = true;
        group.producerContext.runOnContext(v -> pump());
      }
    }

    private void stop() {
      stopped = true;
      group.receipts.expect(sent);
      if (acknowledged == sent) {
        allAcknowledged.complete(System.nanoTime());
      }
    }

    @Override
    public void handle(AsyncResult<RecordMetadata> ar) {
      acknowledged++;
      if (ar.failed()) {
        failures++;
        failure.compareAndSet(null, ar.cause());
      }
      if (stopped) {
        if (acknowledged == sent) {
          allAcknowledged.complete(System.nanoTime());
        }
      } else if (sent - acknowledged <= window / 2) {
        schedule();
      }
    }
  }

  /**
   * Open-loop producer: record {@code i} is due at {@code t0 + i / rate} and carries that scheduled time in
   * its value, so a late send counts in the latency it causes (no coordinated omission).
   *
   * <p>Why a pacing thread: a Vert.x timer fires at most once a millisecond, so at a million records a second
   * one tick had to send a thousand records or more in one go, and once the loop fell behind a single tick
   * sent every overdue record at once, blocking the producer's event loop for seconds: the bench measured its
   * own pacer. Here a dedicated platform thread wakes every {@value #PACE_NANOS} ns and, when records are due
   * and no tick is pending, posts one tick to the producer's context; a tick sends at most {@value #CHUNK}
   * due records and re-posts itself while more are due, so the loop handles acknowledgements and batches
   * between ticks. Sends stay on the producer's own context (no per-record hop between threads).
   *
   * <p>Thread contract: {@link #start()} from any thread; ticks and acknowledgements run on the producer's
   * context only; the pacing thread reads only {@code sent} (volatile) and the {@code posted} flag.
   */
  static final class Pacer implements Handler<AsyncResult<RecordMetadata>> {

    static final int CHUNK = 256;
    static final long PACE_NANOS = 50_000;

    final CompletableFuture<Long> allSent = new CompletableFuture<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Group group;
    private final Buffer value;
    private final double ratePerSec;
    private final long total;
    private final AtomicBoolean posted = new AtomicBoolean();
    volatile long t0;
    private volatile long sent;
    private Thread thread;

    Pacer(Group group, Buffer value, double ratePerSec, long total) {
      this.group = group;
      this.value = value;
      this.ratePerSec = ratePerSec;
      this.total = total;
    }

    void start() {
      t0 = System.nanoTime();
      thread = new Thread(this::pace, "bench-pacer");
      thread.setDaemon(true);
      thread.start();
    }

    /** Stops the pacing thread early (a failed run); it ends by itself once every record is sent. */
    void stop() throws InterruptedException {
      if (thread != null) {
        thread.interrupt();
        thread.join(5_000);
      }
    }

    private long dueAt(long index) {
      return t0 + (long) (index * 1e9 / ratePerSec);
    }

    private void pace() {
      while (!Thread.currentThread().isInterrupted()) {
        long next = sent;
        if (next >= total) {
          return;
        }
        if (System.nanoTime() >= dueAt(next) && posted.compareAndSet(false, true)) {
          group.producerContext.runOnContext(v -> tick());
        }
        LockSupport.parkNanos(PACE_NANOS);
      }
    }

    private void tick() {
      long now = System.nanoTime();
      long due = Math.min(total, (long) ((now - t0) * ratePerSec / 1e9) + 1);
      long n = sent;
      long until = Math.min(due, n + CHUNK);
      while (n < until) {
        Buffer v = value.copy();
        v.setLong(0, dueAt(n));
        group.producer.send(group.topic, Message.of(v)).onComplete(this);
        n++;
      }
      sent = n;
      if (n == total) {
        group.receipts.expect(total);
        allSent.complete(System.nanoTime());
      } else if (n < due) {
        // Still behind schedule: continue after whatever else the loop has queued.
        group.producerContext.runOnContext(v -> tick());
        return;
      }
      posted.set(false);
    }

    @Override
    public void handle(AsyncResult<RecordMetadata> ar) {
      if (ar.failed()) {
        failure.compareAndSet(null, ar.cause());
        group.receipts.fail(ar.cause());
      }
    }
  }
}
