package io.sluice.bench;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import io.sluice.api.Message;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogStore;
import io.sluice.queue.ConsumerOptions;
import io.sluice.queue.QueueConfig;
import io.sluice.queue.QueueConsumer;
import io.sluice.queue.Queues;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The queue benchmark of issue 4: 4 producers and 4 consumers in one JVM on one queue, CLIENT acks sent in
 * batches, 100 B and 1 KiB messages, the file store at fsync {@code always} (the default, group-committed)
 * and {@code never}; side by side in the same run with an embedded loopback Hazelcast {@code IQueue}
 * (4 threads {@code offer}, 4 threads {@code poll}, {@code byte[]} payloads of the same sizes).
 *
 * <p>How a figure is measured. Every payload carries, in its first 8 bytes, the {@code System.nanoTime()}
 * at which it was meant to be sent; the consumer records now minus that into an HdrHistogram when it
 * receives the message, so latency is end to end (send call to consumer handler) in one JVM, one clock.
 * <ul>
 *   <li><b>Flat out</b>: producers send as fast as they can, but stop while more than {@link #BACKLOG_CAP}
 *   messages are sent and not yet consumed (the same cap for both systems; it keeps Hazelcast's in-memory
 *   queue from eating the heap and makes flat-out a steady state). Sluice producers send with
 *   {@code sendBatch} of {@link #SEND_BATCH} messages, {@link #SEND_WINDOW} batches in flight each;
 *   Hazelcast producers {@code offer} one message at a time (as the brief says). The figure is messages
 *   consumed per second during the send window; its latency includes the queueing behind the cap.</li>
 *   <li><b>Paced</b> at 50% of the flat-out median: an open-loop producer whose send times are scheduled
 *   ({@code rate / 4} per producer) and never wait for the previous send; latency counts from the
 *   scheduled time, so a stalled send cannot hide the delay it causes (no coordinated omission). Sluice
 *   producers send, once per millisecond tick, the messages that fell due since the last tick, as one
 *   batch; Hazelcast producers park until each message's scheduled time and {@code offer} it.</li>
 * </ul>
 *
 * <p>Why paced p99 can exceed flat-out p99 at half the rate: flat out is a closed loop, so a stall of the
 * process (a young GC pause) or of the log's writer (a durable checkpoint, a segment roll or delete queued
 * in front of the appends) delays only the batches in flight ({@code 4 × SEND_WINDOW × SEND_BATCH}
 * messages), and the producers then stop sending; paced is an open loop, so every message scheduled
 * during the stall waits for it, and a stall of a few tens of ms every half second reaches the p99. The
 * queue used to add one such writer stall every half second under steady traffic (a trim that only moved
 * the log start inside the active segment, written durably in front of the appends); it no longer makes
 * that trim (see {@code QueueOwner.PARTIAL_TRIM_EVERY_MS}). GC pauses (Sluice allocates 1.5–1.7 KB per
 * 100 B message end to end, harness included) and the store's roll and delete of whole segments remain;
 * GC pauses reach IQueue's paced latency too (its p99.9 in the results). Measured under a heavily loaded
 * machine only (load 10–25): the share of each cause on a quiet one is not established.
 *
 * <p>After each run the producers stop and the consumers drain the queue (acks included), so runs do not
 * leak into each other. One warm-up run per system, durability and size; then the measured runs.
 *
 * <p>Thread contract: {@link #run()} is called from one plain (non-Vert.x) thread and blocks it; the
 * Sluice producers and consumers run on their own Vert.x contexts, the Hazelcast ones on plain threads.
 */
final class QueueBench {

  static final int PRODUCERS = 4;
  static final int CONSUMERS = 4;
  /** Messages per {@code sendBatch} when flat out. */
  static final int SEND_BATCH = 100;
  /**
   * {@code sendBatch} calls each producer keeps in flight when flat out (default 4; {@code -Dsluice.bench.queue.window}).
   * With fsync always a producer's throughput is its window over its round trip, so the results name it.
   */
  static final int SEND_WINDOW = Integer.getInteger("sluice.bench.queue.window", 4);
  /** Most messages a paced tick sends in one batch (it only matters if a tick comes very late). */
  static final int PACED_MAX_BATCH = 1000;
  static final int PREFETCH = 2000;
  /** Receipts a consumer collects before it sends one {@code ack}; a timer flushes smaller rests. */
  static final int ACK_BATCH = 200;
  static final long ACK_FLUSH_MS = 5;
  /** Sent but not consumed, beyond which a flat-out producer waits. */
  static final long BACKLOG_CAP = 50_000;

  private static final String HZ_DURABILITY = "in memory (no backup, no persistence)";

  private final Path work;
  private final Path out;
  private final String name;
  private final int runs;
  private final long runMillis;
  private final int[] sizes;
  private final List<FsyncPolicy> policies;
  private final boolean quick;
  private final JsonArray results = new JsonArray();

  QueueBench(boolean quick, Path work, Path out) {
    this(work, out, quick ? "queue-quick" : "queue", quick ? 1 : 3, quick ? 1000 : 3000,
        new int[] {100, 1024}, List.of(FsyncPolicy.always(), FsyncPolicy.never()), quick);
  }

  /** For the smoke test: any sizes, policies and run length. */
  QueueBench(Path work, Path out, String name, int runs, long runMillis, int[] sizes, List<FsyncPolicy> policies,
      boolean quick) {
    this.work = work;
    this.out = out;
    this.name = name;
    this.runs = runs;
    this.runMillis = runMillis;
    this.sizes = sizes.clone();
    this.policies = List.copyOf(policies);
    this.quick = quick;
  }

  void run() throws Exception {
    Files.createDirectories(work);
    Files.createDirectories(out);
    JsonObject facts = Machine.facts(work);
    double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    facts.put("loadAverageAtStart", loadAtStart);
    System.out.println(Machine.describe(facts) + String.format(Locale.ROOT, ", load average at start %.2f", loadAtStart));
    System.out.printf(Locale.ROOT, "%d producers, %d consumers, 1 queue (1 partition), 1 node; %d measured run(s) of %d ms after a warm-up%n%n",
        PRODUCERS, CONSUMERS, runs, runMillis);
    StringBuilder table = new StringBuilder();
    table.append("| system | durability | record | mode | msgs/s (median) | min–max | MB/s | Sluice/IQueue | p50 ms | p99 ms | p99.9 ms | max ms | p99 Sluice/IQueue | load avg |\n");
    table.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    List<Figure> peer = new ArrayList<>();
    long t0 = System.nanoTime();
    HazelcastInstance hz = LoopbackHazelcast.start();
    try {
      for (int size : sizes) {
        HazelcastRig rig = new HazelcastRig(hz, size);
        try {
          peer.add(measure(rig, "Hazelcast IQueue", HZ_DURABILITY, size));
        } finally {
          rig.close();
        }
      }
    } finally {
      hz.shutdown();
    }
    for (Figure f : peer) {
      row(table, f, null);
    }
    Vertx vertx = Vertx.vertx();
    try {
      for (FsyncPolicy policy : policies) {
        for (int i = 0; i < sizes.length; i++) {
          Path dir = Files.createTempDirectory(work, "queue");
          try {
            SluiceRig rig = new SluiceRig(vertx, dir, policy, sizes[i]);
            try {
              String durability = "fsync " + policy + (policy.equals(FsyncPolicy.always()) ? " (group commit)" : "");
              row(table, measure(rig, "Sluice queue (file store)", durability, sizes[i]), peer.get(i));
            } finally {
              rig.close();
            }
          } finally {
            StoreBench.deleteTree(dir);
          }
        }
      }
    } finally {
      StoreBench.await(vertx.close());
      StoreBench.deleteTree(work);
    }
    double totalSecs = (System.nanoTime() - t0) / 1e9;
    double loadAtEnd = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    facts.put("loadAverageAtEnd", loadAtEnd);
    System.out.println();
    System.out.println(table);
    String notes = "Flat out: producers capped at " + BACKLOG_CAP + " messages sent and not consumed; Sluice sends "
        + "`sendBatch` of " + SEND_BATCH + " (" + SEND_WINDOW + " in flight per producer), IQueue `offer`s one by one. "
        + "Consumers: Sluice CLIENT acks, prefetch " + PREFETCH + ", acks in batches of " + ACK_BATCH
        + " (flushed every " + ACK_FLUSH_MS + " ms); IQueue `poll`. Paced: open loop at 50% of the flat-out median, "
        + "latency from each message's scheduled send time to its consumer; its msgs/s is what was consumed within "
        + "the send window, so it falls below the offered rate when latency is a sizeable part of the window. "
        + "MB/s counts payload bytes. "
        + "Latency rows merge the measured runs.\n";
    String md = "# Queue benchmark\n\n" + Machine.describe(facts)
        + String.format(Locale.ROOT, ", load average %.2f at start and %.2f at end (the machine is shared; IQueue runs "
            + "first, so compare ratios with the load in mind)", loadAtStart, loadAtEnd) + "\n\n" + PRODUCERS + " producers, " + CONSUMERS
        + " consumers, 1 queue (1 partition), 1 node, " + runs + " measured run(s) of " + runMillis + " ms after a warm-up.\n\n"
        + table + "\n" + notes + "\nTotal time " + String.format(Locale.ROOT, "%.0f s", totalSecs)
        + ". Command: `mvn -o -q -pl bench exec:java -Dexec.args=\"queue" + (quick ? " --quick" : "") + "\"`, or, where the "
        + "exec plugin is not in the local repository, `java -cp bench/target/classes:<bench runtime class path> "
        + "io.sluice.bench.Bench queue" + (quick ? " --quick" : "") + "`\n";
    Files.writeString(out.resolve(name + ".md"), md);
    Files.writeString(out.resolve(name + ".json"), new JsonObject().put("machine", facts).put("runs", runs)
        .put("runMillis", runMillis).put("producers", PRODUCERS).put("consumers", CONSUMERS).put("nodes", 1)
        .put("partitions", 1).put("results", results).encodePrettily());
    System.out.println("wrote " + out.resolve(name + ".md") + " and " + out.resolve(name + ".json")
        + String.format(Locale.ROOT, " (%.0f s)", totalSecs));
  }

  /** What one system, durability and size measured: flat-out throughput and latency, paced latency. */
  /** {@code load}: the 1-minute load average when the figure's runs ended (the machine is shared). */
  record Figure(String system, String durability, int size, Stats flat, Histogram flatLatency, double pacedRate,
      Stats paced, Histogram pacedLatency, double load) {
  }

  Figure measure(Rig rig, String system, String durability, int size) throws Exception {
    rig.once(runMillis, 0);
    double[] flat = new double[runs];
    Histogram flatLatency = new Histogram(3);
    for (int i = 0; i < runs; i++) {
      RunResult r = rig.once(runMillis, 0);
      flat[i] = r.consumedPerSec();
      flatLatency.add(r.latency());
    }
    Stats flatStats = Stats.of(flat);
    double rate = flatStats.median() / 2;
    double[] paced = new double[runs];
    Histogram pacedLatency = new Histogram(3);
    for (int i = 0; i < runs; i++) {
      RunResult r = rig.once(runMillis, rate);
      paced[i] = r.consumedPerSec();
      pacedLatency.add(r.latency());
    }
    return new Figure(system, durability, size, flatStats, flatLatency, rate, Stats.of(paced), pacedLatency,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private void row(StringBuilder table, Figure f, Figure peer) {
    String ratio = peer == null ? "" : String.format(Locale.ROOT, "%.1f×", f.flat().median() / peer.flat().median());
    line(table, f, "flat out", f.flat(), f.flatLatency(), ratio, peer == null ? null : peer.flatLatency());
    String paced = String.format(Locale.ROOT, "paced %,.0f/s", f.pacedRate());
    line(table, f, paced, f.paced(), f.pacedLatency(), "", peer == null ? null : peer.pacedLatency());
    System.out.print(table.substring(table.lastIndexOf("| " + f.system() + " | " + f.durability() + " | " + f.size() + " B | flat")));
  }

  private void line(StringBuilder table, Figure f, String mode, Stats s, Histogram h, String ratio, Histogram peer) {
    double mbps = s.median() * f.size() / 1e6;
    String p99Ratio = peer == null ? "" : String.format(Locale.ROOT, "%.2f",
        (double) h.getValueAtPercentile(99) / Math.max(1, peer.getValueAtPercentile(99)));
    table.append(String.format(Locale.ROOT, "| %s | %s | %d B | %s | %,.0f | %,.0f–%,.0f | %.1f | %s | %s | %s | %s | %s | %s | %.1f |%n",
        f.system(), f.durability(), f.size(), mode, s.median(), s.min(), s.max(), mbps, ratio,
        ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
        ms(h.getMaxValue()), p99Ratio, f.load()));
    results.add(new JsonObject().put("system", f.system()).put("durability", f.durability())
        .put("recordBytes", f.size()).put("mode", mode.startsWith("paced") ? "paced" : "flat")
        .put("offeredPerSec", mode.startsWith("paced") ? f.pacedRate() : null)
        .put("messagesPerSec", s.median()).put("min", s.min()).put("max", s.max()).put("MBps", mbps)
        .put("latencyMicros", new JsonObject().put("p50", h.getValueAtPercentile(50)).put("p99", h.getValueAtPercentile(99))
            .put("p999", h.getValueAtPercentile(99.9)).put("max", h.getMaxValue()).put("count", h.getTotalCount()))
        .put("producers", PRODUCERS).put("consumers", CONSUMERS).put("partitions", 1).put("nodes", 1)
        .put("loadAverage", f.load()));
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, micros < 10_000 ? "%.2f" : "%.0f", micros / 1000.0);
  }

  record RunResult(double consumedPerSec, Histogram latency) {
  }

  /** One system set up for one size; {@code once} runs producers and consumers, then drains. */
  interface Rig {
    /** Runs for {@code millis}: flat out when {@code rate} is 0, else paced at {@code rate} messages/s. */
    RunResult once(long millis, double rate) throws Exception;

    void close() throws Exception;
  }

  private static long micros(long nanos) {
    return Math.max(0, nanos / 1000);
  }

  /** Waits, bounded, until the consumers caught up with what was sent. */
  private static void awaitDrained(LongAdder sent, LongAdder consumed, LongAdder settled, AtomicReference<Throwable> failure)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (consumed.sum() < sent.sum() || settled.sum() < sent.sum()) {
      if (failure.get() != null) {
        throw new IllegalStateException("benchmark run failed", failure.get());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not drained in 120 s: sent " + sent.sum() + ", consumed " + consumed.sum()
            + ", settled " + settled.sum());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
    if (failure.get() != null) {
      throw new IllegalStateException("benchmark run failed", failure.get());
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Sluice

  /** A file store, a {@code Queues}, one queue, 4 consumers kept across runs, producers made per run. */
  static final class SluiceRig implements Rig {
    private final Vertx vertx;
    private final LogStore store;
    private final Queues queues;
    private final int size;
    private final String queue = "bench";
    private final LongAdder sent = new LongAdder();
    private final LongAdder consumed = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final Recorder latency = new Recorder(3);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Context> producerContexts = new ArrayList<>();
    private final List<QueueConsumer> consumers = new ArrayList<>();
    private final List<Long> flushTimers = new java.util.concurrent.CopyOnWriteArrayList<>();

    SluiceRig(Vertx vertx, Path dir, FsyncPolicy policy, int size) throws Exception {
      this(vertx, LogStore.create(vertx, "file", new JsonObject().put("dataDir", dir.toString())), null, policy, size);
    }

    /** Networked ({@link ClusterBench}): over {@code queues}, a client of owners in another JVM; closes it, no store. */
    SluiceRig(Vertx vertx, Queues queues, FsyncPolicy policy, int size) throws Exception {
      this(vertx, null, queues, policy, size);
    }

    private SluiceRig(Vertx vertx, LogStore store, Queues client, FsyncPolicy policy, int size) throws Exception {
      this.vertx = vertx;
      this.size = size;
      this.store = store;
      this.queues = client != null ? client : StoreBench.await(Queues.create(vertx, store));
      StoreBench.await(queues.createQueue(queue, new QueueConfig().setFsync(policy)));
      for (int i = 0; i < PRODUCERS; i++) {
        producerContexts.add(newContext(vertx));
      }
      for (int i = 0; i < CONSUMERS; i++) {
        Context ctx = newContext(vertx);
        Promise<QueueConsumer> started = Promise.promise();
        ctx.runOnContext(v -> startConsumer().onComplete(started));
        consumers.add(StoreBench.await(started.future()));
      }
    }

    private static Context newContext(Vertx vertx) throws Exception {
      Promise<Context> p = Promise.promise();
      StoreBench.await(vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          p.complete(context);
          return Future.succeededFuture();
        }
      }));
      return StoreBench.await(p.future());
    }

    /** On the calling context: a CLIENT consumer that records latency and acks in batches. */
    private Future<QueueConsumer> startConsumer() {
      List<String> receipts = new ArrayList<>();
      Runnable flush = () -> {
        if (receipts.isEmpty()) {
          return;
        }
        List<String> batch = List.copyOf(receipts);
        receipts.clear();
        queues.ack(batch).onSuccess(v -> acked.add(batch.size())).onFailure(this::fail);
      };
      flushTimers.add(vertx.setPeriodic(ACK_FLUSH_MS, id -> flush.run()));
      return queues.consumer(queue, new ConsumerOptions().setPrefetch(PREFETCH)).onSuccess(c -> {
        c.exceptionHandler(this::fail);
        c.handler(d -> {
          latency.recordValue(micros(System.nanoTime() - d.value().getLong(0)));
          consumed.increment();
          receipts.add(d.receipt());
          if (receipts.size() >= ACK_BATCH) {
            flush.run();
          }
        });
      });
    }

    private void fail(Throwable e) {
      failure.compareAndSet(null, e);
    }

    private Message message(long sendTime) {
      Buffer b = Buffer.buffer(new byte[size]);
      b.setLong(0, sendTime);
      return Message.of(b);
    }

    @Override
    public RunResult once(long millis, double rate) throws Exception {
      latency.reset();
      long start = System.nanoTime();
      long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
      long consumedBefore = consumed.sum();
      List<Future<Void>> producers = new ArrayList<>();
      for (Context ctx : producerContexts) {
        Promise<Void> done = Promise.promise();
        ctx.runOnContext(v -> {
          if (rate == 0) {
            new FlatProducer(end, done).pump();
          } else {
            new PacedProducer(start, end, rate / PRODUCERS, done).start();
          }
        });
        producers.add(done.future());
      }
      LockSupport.parkNanos(end - System.nanoTime());
      while (System.nanoTime() < end) {
        LockSupport.parkNanos(end - System.nanoTime());
      }
      double secs = (System.nanoTime() - start) / 1e9;
      long inWindow = consumed.sum() - consumedBefore;
      StoreBench.await(Future.all(producers));
      awaitDrained(sent, consumed, acked, failure);
      return new RunResult(inWindow / secs, latency.getIntervalHistogram());
    }

    /** Closed loop with a window, on its context: {@code SEND_WINDOW} batches in flight, backlog capped. */
    private final class FlatProducer {
      private final long end;
      private final Promise<Void> done;
      private int inFlight;

      FlatProducer(long end, Promise<Void> done) {
        this.end = end;
        this.done = done;
      }

      void pump() {
        while (inFlight < SEND_WINDOW && System.nanoTime() < end && sent.sum() - consumed.sum() < BACKLOG_CAP) {
          List<Message> batch = new ArrayList<>(SEND_BATCH);
          long now = System.nanoTime();
          for (int i = 0; i < SEND_BATCH; i++) {
            batch.add(message(now));
          }
          inFlight++;
          sent.add(SEND_BATCH);
          queues.sendBatch(queue, batch).onComplete(ar -> {
            inFlight--;
            if (ar.failed()) {
              fail(ar.cause());
            }
            pump();
          });
        }
        if (inFlight == 0) {
          if (System.nanoTime() >= end || failure.get() != null) {
            done.tryComplete();
          } else {
            vertx.setTimer(1, id -> pump()); // backlog cap reached: look again in a millisecond
          }
        }
      }
    }

    /** Open loop on its context: each tick sends, as one batch, what fell due by its schedule. */
    private final class PacedProducer {
      private final long start;
      private final long end;
      private final double nanosPerMessage;
      private final Promise<Void> done;
      private long scheduled;
      private int inFlight;
      private boolean finished;

      PacedProducer(long start, long end, double rate, Promise<Void> done) {
        this.start = start;
        this.end = end;
        this.nanosPerMessage = 1e9 / rate;
        this.done = done;
      }

      void start() {
        tick();
        vertx.setPeriodic(1, id -> {
          tick();
          if (finished) {
            vertx.cancelTimer(id);
          }
        });
      }

      private void tick() {
        if (finished) {
          return;
        }
        long now = Math.min(System.nanoTime(), end);
        long due = (long) ((now - start) / nanosPerMessage);
        while (scheduled < due) {
          int n = (int) Math.min(PACED_MAX_BATCH, due - scheduled);
          List<Message> batch = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            batch.add(message(start + (long) ((scheduled + i) * nanosPerMessage)));
          }
          scheduled += n;
          inFlight++;
          sent.add(n);
          queues.sendBatch(queue, batch).onComplete(ar -> {
            inFlight--;
            if (ar.failed()) {
              fail(ar.cause());
            }
            maybeDone();
          });
        }
        if (now >= end) {
          finished = true;
          maybeDone();
        }
      }

      private void maybeDone() {
        if (finished && inFlight == 0) {
          done.tryComplete();
        }
      }
    }

    @Override
    public void close() throws Exception {
      flushTimers.forEach(vertx::cancelTimer);
      for (QueueConsumer c : consumers) {
        StoreBench.await(c.close());
      }
      StoreBench.await(queues.close());
      if (store != null) {
        StoreBench.await(store.close());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Hazelcast

  /** One {@code IQueue<byte[]>}; producer and consumer threads made per run. */
  static final class HazelcastRig implements Rig {
    private final IQueue<byte[]> queue;
    private final int size;
    private final LongAdder sent = new LongAdder();
    private final LongAdder consumed = new LongAdder();
    private final Recorder latency = new Recorder(3);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    HazelcastRig(HazelcastInstance hz, int size) {
      this.queue = hz.getQueue("bench-" + size);
      this.size = size;
    }

    private byte[] payload(long sendTime) {
      byte[] p = new byte[size];
      ByteBuffer.wrap(p).putLong(0, sendTime);
      return p;
    }

    @Override
    public RunResult once(long millis, double rate) throws Exception {
      latency.reset();
      long start = System.nanoTime();
      long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
      long consumedBefore = consumed.sum();
      double nanosPerMessage = rate == 0 ? 0 : 1e9 / (rate / PRODUCERS);
      List<Thread> producers = new ArrayList<>();
      for (int i = 0; i < PRODUCERS; i++) {
        producers.add(thread("hz-producer-" + i, () -> {
          if (rate == 0) {
            while (System.nanoTime() < end) {
              if (sent.sum() - consumed.sum() >= BACKLOG_CAP) {
                LockSupport.parkNanos(50_000);
                continue;
              }
              sent.increment();
              queue.offer(payload(System.nanoTime()));
            }
          } else {
            for (long n = 0; ; n++) {
              long due = start + (long) (n * nanosPerMessage);
              if (due >= end) {
                break;
              }
              long wait = due - System.nanoTime();
              if (wait > 0) {
                LockSupport.parkNanos(wait);
              }
              sent.increment();
              queue.offer(payload(due));
            }
          }
        }));
      }
      List<Thread> consumers = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      for (int i = 0; i < CONSUMERS; i++) {
        consumers.add(thread("hz-consumer-" + i, () -> {
          while (true) {
            byte[] p = queue.poll(20, TimeUnit.MILLISECONDS);
            if (p != null) {
              latency.recordValue(micros(System.nanoTime() - ByteBuffer.wrap(p).getLong(0)));
              consumed.increment();
            } else if (stop.get()) {
              return;
            }
          }
        }));
      }
      LockSupport.parkNanos(end - System.nanoTime());
      while (System.nanoTime() < end) {
        LockSupport.parkNanos(end - System.nanoTime());
      }
      double secs = (System.nanoTime() - start) / 1e9;
      long inWindow = consumed.sum() - consumedBefore;
      for (Thread t : producers) {
        t.join();
      }
      try {
        awaitDrained(sent, consumed, consumed, failure);
      } finally {
        stop.set(true);
        for (Thread t : consumers) {
          t.join();
        }
      }
      return new RunResult(inWindow / secs, latency.getIntervalHistogram());
    }

    interface Body {
      void run() throws Exception;
    }

    private Thread thread(String name, Body body) {
      Thread t = new Thread(() -> {
        try {
          body.run();
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, name);
      t.start();
      return t;
    }

    @Override
    public void close() {
      queue.destroy();
    }
  }
}
