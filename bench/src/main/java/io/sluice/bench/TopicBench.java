package io.sluice.bench;

import io.sluice.api.RecordBatch;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogStore;
import io.sluice.topic.ConsumerOptions;
import io.sluice.topic.OffsetReset;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.TopicConfig;
import io.sluice.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The topic benchmark of issue 3: one producer, a topic of {@value #PARTITIONS} partitions, a consumer group
 * of {@value #CONSUMERS} consumers, all in one JVM (1 node), for 100 B and 1 KiB records, on the memory store
 * and on the file store with fsync {@code always} (the default) and {@code never}.
 *
 * <p>Two figures per setting. <b>Throughput</b>: the producer sends as fast as its buffer allows for a fixed
 * time; records/s produced is the count over the time until the last acknowledgement, records/s consumed
 * the count over the time until the group has received every record (both from the first send).
 * <b>End-to-end latency</b>: a paced open-loop producer offers 50% of the measured maximum (the lower of the
 * produced and consumed medians); every record carries its <em>scheduled</em> send time in its value, and
 * latency is taken from that time to the consumer's handler, so a producer that falls behind its schedule
 * shows up in the figures instead of hiding them (no coordinated omission). The schedule is kept by a dedicated
 * pacing thread that hands due sends to the producer's context in small ticks; one unmeasured record is sent
 * and received first, so the new producer's metadata lookup is not counted as latency. Every figure is the median of
 * the measured runs after a warm-up run, with min–max; latency percentiles are the median over runs.
 *
 * <p>Each run uses a fresh topic and group on a store shared by the runs of one setting; the topic is deleted
 * after the run. The bench only reports: it asserts nothing about the figures.
 *
 * <p>Thread contract: {@link #run()} is called from a plain thread (it blocks on futures); the producer side
 * of a run is confined to one Vert.x event-loop context, each consumer's handler to its own.
 */
final class TopicBench {

  static final int PARTITIONS = 4;
  static final int CONSUMERS = 2;
  /** Producer batching used in every figure (stated in the results). */
  static final long LINGER_MS = 1;
  static final int BATCH_BYTES = 64 * 1024;
  static final long BUFFER_MEMORY = 32L * 1024 * 1024;
  /** Consumer prefetch per partition; large enough that a fetch round trip is not the limit. */
  static final int MAX_POLL_RECORDS = 2000;

  /** One store setting: its name in the tables, how to open it, its durability. */
  record StoreSetting(String name, String storeType, FsyncPolicy fsync) {

    String durability() {
      return storeType.equals("memory") ? "memory (none)" : "fsync " + fsync;
    }
  }

  static final List<StoreSetting> ALL_STORES = List.of(
      new StoreSetting("memory", "memory", FsyncPolicy.never()),
      new StoreSetting("file", "file", FsyncPolicy.always()),
      new StoreSetting("file", "file", FsyncPolicy.never()));
  static final List<Integer> ALL_SIZES = List.of(100, 1024);

  private final boolean quick;
  private final Path work;
  private final Path out;
  private final int runs;
  private final long throughputMillis;
  private final long latencyMillis;
  private final List<StoreSetting> stores;
  private final List<Integer> recordSizes;
  private final JsonArray results = new JsonArray();

  TopicBench(boolean quick, Path work, Path out) {
    this(quick, work, out, quick ? 1 : 3, quick ? 500 : 2500, quick ? 500 : 3000, storesAsked(), sizesAsked());
  }

  /** The record sizes to measure: all, or those in {@code -Dsluice.bench.topic.sizes=100,1024}. */
  static List<Integer> sizesAsked() {
    String asked = System.getProperty("sluice.bench.topic.sizes", "");
    return asked.isBlank() ? ALL_SIZES : Stream.of(asked.split(",")).map(Integer::valueOf).toList();
  }

  /**
   * The store settings to measure: all, or only those named in {@code -Dsluice.bench.topic.stores=memory,file} (to
   * compare one store before and after a change without the ~4 min of a full run).
   */
  static List<StoreSetting> storesAsked() {
    String asked = System.getProperty("sluice.bench.topic.stores", "");
    if (asked.isBlank()) {
      return ALL_STORES;
    }
    List<String> names = List.of(asked.split(","));
    List<StoreSetting> chosen = ALL_STORES.stream().filter(s -> names.contains(s.name())).toList();
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("sluice.bench.topic.stores=" + asked + " names no store; known: memory, file");
    }
    return chosen;
  }

  /** For the smoke test: a subset of the settings with very short runs. */
  TopicBench(boolean quick, Path work, Path out, int runs, long throughputMillis, long latencyMillis,
      List<StoreSetting> stores, List<Integer> recordSizes) {
    this.quick = quick;
    this.work = work;
    this.out = out;
    this.runs = runs;
    this.throughputMillis = throughputMillis;
    this.latencyMillis = latencyMillis;
    this.stores = stores;
    this.recordSizes = recordSizes;
  }

  void run() throws Exception {
    Files.createDirectories(work);
    Files.createDirectories(out);
    JsonObject facts = Machine.facts(work);
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    facts.put("loadAverageAtStart", load);
    String settings = String.format(Locale.ROOT,
        "1 node, %d partitions, 1 producer (linger %d ms, batch %d KiB, buffer %d MiB, idempotent, sticky partitioner), "
            + "group of %d consumers (stream handler, prefetch %d records/partition, auto-commit)",
        PARTITIONS, LINGER_MS, BATCH_BYTES >> 10, BUFFER_MEMORY >> 20, CONSUMERS, MAX_POLL_RECORDS);
    System.out.println(Machine.describe(facts) + String.format(Locale.ROOT, ", load average at start %.2f", load));
    System.out.println(settings);
    System.out.println();

    StringBuilder table = new StringBuilder();
    table.append("| store | durability | record | produced rec/s (median) | min–max | MB/s | consumed rec/s (median) | min–max | MB/s "
        + "| latency at rec/s | p50 ms | p99 ms (min–max) | p99.9 ms | max ms |\n");
    table.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    Vertx vertx = Vertx.vertx();
    try {
      for (StoreSetting setting : stores) {
        for (int size : recordSizes) {
          String row = measureSetting(vertx, setting, size);
          table.append(row);
          System.out.print(row);
        }
      }
    } finally {
      StoreBench.await(vertx.close());
      StoreBench.deleteTree(work);
    }
    double loadAtEnd = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    facts.put("loadAverageAtEnd", loadAtEnd);
    System.out.println();
    System.out.println(table);
    String name = quick ? "topic-quick" : "topic";
    String md = "# Topic benchmark\n\n" + Machine.describe(facts)
        + String.format(Locale.ROOT, ", load average %.2f at start and %.2f at end (the machine is shared)", load, loadAtEnd)
        + "\n\n" + settings
        + "\n\nThroughput: the producer sends for " + throughputMillis + " ms; rates count from the first send to the last "
        + "acknowledgement (produced) and to the last record received by the group (consumed). MB/s counts value + "
        + RecordBatch.RECORD_OVERHEAD + " B record framing. Latency: open-loop producer paced by a dedicated thread (sends handed to "
        + "the producer's context in ticks of at most " + TopicBenchRun.Pacer.CHUNK + "), after one unmeasured warm-up record, at 50% of the lower median rate for "
        + latencyMillis + " ms, from the scheduled send time to the consumer's handler; percentiles are medians over "
        + runs + " run(s). Warm-up run first; " + runs + " measured run(s) per figure.\n\n" + table
        + "\nCommand: `mvn -o -q -pl bench exec:java -Dexec.args=\"topic" + (quick ? " --quick" : "") + "\"`\n";
    Files.writeString(out.resolve(name + ".md"), md);
    Files.writeString(out.resolve(name + ".json"), new JsonObject().put("machine", facts).put("settings", settings)
        .put("runs", runs).put("throughputMillis", throughputMillis).put("latencyMillis", latencyMillis)
        .put("results", results).encodePrettily());
    System.out.println("wrote " + out.resolve(name + ".md") + " and " + out.resolve(name + ".json"));
  }

  JsonArray results() {
    return results;
  }

  private String measureSetting(Vertx vertx, StoreSetting setting, int size) throws Exception {
    Path dir = Files.createTempDirectory(work, "topic");
    LogStore store = setting.storeType().equals("memory") ? LogStore.memory(vertx)
        : LogStore.create(vertx, setting.storeType(), new JsonObject().put("dataDir", dir.toString()));
    Topics topics = null;
    try {
      topics = StoreBench.await(Topics.create(vertx, store));
      JsonObject r = measure(vertx, topics, setting.fsync(), size, runs, throughputMillis, latencyMillis);
      Stats p = Stats.fromJson(r.getJsonObject("producedPerSec"));
      Stats c = Stats.fromJson(r.getJsonObject("consumedPerSec"));
      double rate = r.getJsonObject("latency").getDouble("targetRatePerSec");
      Stats l50 = Stats.fromJson(r.getJsonObject("latency").getJsonObject("p50Ms"));
      Stats l99 = Stats.fromJson(r.getJsonObject("latency").getJsonObject("p99Ms"));
      Stats l999 = Stats.fromJson(r.getJsonObject("latency").getJsonObject("p999Ms"));
      Stats lmax = Stats.fromJson(r.getJsonObject("latency").getJsonObject("maxMs"));
      double bytes = size + RecordBatch.RECORD_OVERHEAD;
      results.add(new JsonObject().put("store", setting.name()).put("durability", setting.durability())
          .put("fsync", setting.fsync().toString()).mergeIn(r));
      return String.format(Locale.ROOT, "| %s | %s | %d B | %,.0f | %,.0f–%,.0f | %.1f | %,.0f | %,.0f–%,.0f | %.1f | %,.0f | %.2f | %.2f (%.2f–%.2f) | %.2f | %.2f |%n",
          setting.name(), setting.durability(), size, p.median(), p.min(), p.max(), p.median() * bytes / 1e6,
          c.median(), c.min(), c.max(), c.median() * bytes / 1e6, rate, l50.median(), l99.median(), l99.min(), l99.max(),
          l999.median(), lmax.median());
    } finally {
      if (topics != null) {
        StoreBench.await(topics.close());
      }
      StoreBench.await(store.close());
      StoreBench.deleteTree(dir);
    }
  }

  /**
   * One row's measurement on {@code topics} (embedded, or a client of a node in another JVM): a warm-up run, then
   * {@code runs} throughput runs and {@code runs} latency runs at 50% of the lower median rate. The row as JSON:
   * record size, partitions, consumers, produced/consumed rec/s and MB/s, latency (each a median with min–max).
   */
  static JsonObject measure(Vertx vertx, Topics topics, FsyncPolicy fsync, int size, int runs, long throughputMillis,
      long latencyMillis) throws Exception {
    TopicBenchRun.Setup setup = new TopicBenchRun.Setup(vertx, topics, fsync, size);
    setup.throughput(throughputMillis);
    double[] produced = new double[runs];
    double[] consumed = new double[runs];
    for (int i = 0; i < runs; i++) {
      TopicBenchRun.Throughput t = setup.throughput(throughputMillis);
      produced[i] = t.producedPerSec();
      consumed[i] = t.consumedPerSec();
    }
    Stats p = Stats.of(produced);
    Stats c = Stats.of(consumed);
    // -Dsluice.bench.topic.rate=<rec/s> fixes the latency rate, so runs whose maximum differs (a loaded machine)
    // still compare latency at the same offered load.
    double rate = Double.parseDouble(System.getProperty("sluice.bench.topic.rate",
        Double.toString(Math.max(1, 0.5 * Math.min(p.median(), c.median())))));
    double[] p50 = new double[runs];
    double[] p99 = new double[runs];
    double[] p999 = new double[runs];
    double[] max = new double[runs];
    double[] achieved = new double[runs];
    for (int i = 0; i < runs; i++) {
      TopicBenchRun.Latency l = setup.latency(rate, latencyMillis);
      p50[i] = l.p50Ms();
      p99[i] = l.p99Ms();
      p999[i] = l.p999Ms();
      max[i] = l.maxMs();
      achieved[i] = l.offeredPerSec();
    }
    Stats l50 = Stats.of(p50);
    Stats l99 = Stats.of(p99);
    Stats l999 = Stats.of(p999);
    Stats lmax = Stats.of(max);
    double bytes = size + RecordBatch.RECORD_OVERHEAD;
    return new JsonObject().put("recordBytes", size).put("partitions", PARTITIONS)
        .put("consumers", CONSUMERS).put("nodes", 1)
        .put("producedPerSec", p.toJson()).put("producedMBps", p.median() * bytes / 1e6)
        .put("consumedPerSec", c.toJson()).put("consumedMBps", c.median() * bytes / 1e6)
        .put("latency", new JsonObject().put("targetRatePerSec", rate).put("offeredRatePerSec", Stats.of(achieved).median())
            .put("p50Ms", l50.toJson()).put("p99Ms", l99.toJson()).put("p999Ms", l999.toJson()).put("maxMs", lmax.toJson()));
  }

  /** Producer options of every run. */
  static ProducerOptions producerOptions() {
    return new ProducerOptions().setClientId("bench-producer").setLingerMs(LINGER_MS).setBatchBytes(BATCH_BYTES)
        .setBufferMemory(BUFFER_MEMORY);
  }

  /** Consumer options of every run, for group {@code group}. */
  static ConsumerOptions consumerOptions(String group, int index) {
    // A short heartbeat only makes the group settle quickly before the measurement starts.
    return new ConsumerOptions().setGroupId(group).setClientId("bench-consumer-" + index)
        .setAutoOffsetReset(OffsetReset.EARLIEST).setMaxPollRecords(MAX_POLL_RECORDS).setHeartbeatIntervalMs(100);
  }

  static TopicConfig topicConfig(FsyncPolicy fsync) {
    return new TopicConfig().setPartitions(PARTITIONS).setFsync(fsync);
  }
}
