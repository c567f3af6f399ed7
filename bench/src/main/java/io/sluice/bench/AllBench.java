package io.sluice.bench;

import io.sluice.api.store.FsyncPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code bench all}: every scenario and every peer in one run, one after the other (never two at once, so
 * they do not measure each other): the store, topic and queue scenarios (each also writes its own files), then
 * networked Sluice over HTTP and over the clustered event bus, the 3-node replicated cluster beside a single node
 * ({@link ClusterBench}), Kafka, Hazelcast's Ringbuffer and the raw event bus. It prints one table, writes
 * {@code all.json} (raw figures and machine facts), {@code all.md} (the table and the targets' verdicts) and
 * {@code index.html} (the plots, see {@link Report}) into the results directory.
 *
 * <p>Thread contract: {@link #run()} is called from one plain thread and blocks it for the whole run.
 */
final class AllBench {

  static final List<Integer> SIZES = List.of(100, 1024);

  private final boolean quick;
  private final boolean embedded;
  private final Path work;
  private final Path out;
  private final int runs;
  private final long pacedMillis;
  private final List<Long> records;

  /**
   * @param embedded whether to run the store, topic and queue scenarios too; without, the table takes their figures
   *     from their result files already in {@code out} ({@code bench peers}, for re-running the peers alone)
   */
  AllBench(boolean quick, boolean embedded, Path work, Path out) {
    this.quick = quick;
    this.embedded = embedded;
    this.work = work;
    this.out = out;
    this.runs = quick ? 1 : 3;
    this.pacedMillis = quick ? 500 : 5000;
    // The same record count for every system of a size: Kafka's, the HTTP client's, the ring buffer's.
    this.records = quick ? List.of(20_000L, 5_000L) : List.of(1_000_000L, 250_000L);
  }

  void run() throws Exception {
    Files.createDirectories(out);
    JsonObject facts = Machine.facts(out.toAbsolutePath());
    facts.put("loadAverageAtStart", Machine.loadAverage());
    System.out.println(Machine.describe(facts));
    long t0 = System.nanoTime();
    String suffix = quick ? "-quick" : "";
    if (embedded) {
      new StoreBench(quick, work.resolve("store"), out).run();
      new TopicBench(quick, work.resolve("topic"), out).run();
      new QueueBench(quick, work.resolve("queue"), out).run();
    }
    List<Figure> figures = new ArrayList<>();
    Path store = out.resolve("store" + suffix + ".json");
    if (Files.exists(store)) {
      facts.put("rawDiskWriteMBps", readJson(store).getJsonObject("machine").getDouble("rawDiskWriteMBps"));
    }
    Path topic = out.resolve("topic" + suffix + ".json");
    if (Files.exists(topic)) {
      figures.addAll(fromTopicResults(readJson(topic)));
    }
    Path queue = out.resolve("queue" + suffix + ".json");
    if (Files.exists(queue)) {
      figures.addAll(fromQueueResults(readJson(queue)));
    }
    List<String> failures = new ArrayList<>();
    peer("Sluice over HTTP", figures, failures, () -> new HttpTopicBench(work.resolve("http"), runs, pacedMillis)
        .measure(List.of(FsyncPolicy.always(), FsyncPolicy.never()), SIZES, records));
    // Fewer messages than records: a queue settles each one (receive, ack), and the point is the path, not a peer's count.
    List<Long> messages = records.stream().map(n -> n / 5).toList();
    peer("Sluice queue over HTTP", figures, failures, () -> new HttpQueueBench(work.resolve("http-queue"), runs)
        .measure(List.of(FsyncPolicy.always(), FsyncPolicy.never()), SIZES, messages));
    ClusterBench cluster = ClusterBench.of(quick, work.resolve("cluster"));
    List<FsyncPolicy> policies = List.of(FsyncPolicy.always(), FsyncPolicy.never());
    peer("Sluice over the clustered event bus", figures, failures, () -> cluster.networked(policies, SIZES, List.of("topic", "queue")));
    peer("the 3-node replicated cluster", figures, failures, () -> cluster.threeNodes(policies, SIZES));
    peer("Kafka", figures, failures, () -> {
      List<Figure> kafka = new ArrayList<>();
      for (KafkaPeer.Sized s : new KafkaPeer(work.resolve("kafka"), runs, pacedMillis).measure(SIZES, records)) {
        kafka.add(s.produce());
        kafka.add(s.consume());
      }
      return kafka;
    });
    peer("Hazelcast Ringbuffer", figures, failures, () -> new RingbufferPeer(runs, pacedMillis).measure(SIZES, records));
    peer("raw event bus", figures, failures, () -> new EventBusPeer(runs).measure(SIZES, records));
    StoreBench.deleteTree(work);
    facts.put("loadAverageAtEnd", Machine.loadAverage());
    double seconds = (System.nanoTime() - t0) / 1e9;

    String command = "mvn -q -pl bench exec:java -Dexec.args=\"" + (embedded ? "all" : "peers") + (quick ? " --quick" : "") + "\"";
    String method = String.format(Locale.ROOT, "%d measured run(s) per figure after a warm-up; rec/s is the median, "
        + "with min–max; latency at 50%% of the flat-out median, percentiles the median over runs. Same record count per "
        + "size for HTTP, Kafka, Ringbuffer and the event bus (%,d of 100 B, %,d of 1 KiB); the embedded topic and queue "
        + "scenarios, and Sluice over the clustered event bus (client, nodes: child JVMs), run for a fixed time instead. MB/s = rec/s × record bytes. Total %.0f s.%s", runs, records.get(0),
        records.get(1), seconds, embedded ? "" : " The store, topic and queue figures are from their own result files "
            + "(an earlier run), the peers and the HTTP figures from this one.");
    List<String> verdicts = new ArrayList<>(Report.verdicts(figures));
    verdicts.addAll(ClusterBench.verdicts(figures));
    verdicts.addAll(failures);
    String table = Figure.TABLE_HEAD + String.join("", figures.stream().map(Figure::row).toList());
    System.out.println();
    System.out.println(table);
    verdicts.forEach(System.out::println);
    String name = "all" + suffix;
    Files.writeString(out.resolve(name + ".json"), new JsonObject().put("machine", facts).put("method", method)
        .put("command", command).put("figures", new JsonArray(figures.stream().map(Figure::toJson).toList()))
        .put("verdicts", new JsonArray(verdicts)).encodePrettily());
    Files.writeString(out.resolve(name + ".md"), "# Benchmarks, all scenarios and peers\n\n" + Machine.describeRun(facts)
        + "\n\n" + method + "\n\n" + table + "\nTargets (issue 7):\n\n" + String.join("\n", verdicts.stream().map(v -> "- " + v).toList())
        + "\n\nCommand: `" + command + "`\n");
    draw(out, quick, facts, method, command, figures, verdicts);
    System.out.println("wrote " + out.resolve(name + ".md") + ", " + name + ".json and the plots");
  }

  /** The page with every plot ({@code index.html}) and each plot as an SVG file under {@code plots/}. */
  private static void draw(Path out, boolean quick, JsonObject facts, String method, String command, List<Figure> figures,
      List<String> verdicts) throws IOException {
    Files.writeString(out.resolve(quick ? "index-quick.html" : "index.html"), Report.html(facts, method, command, figures, verdicts));
    Path plots = out.resolve(quick ? "plots-quick" : "plots");
    Files.createDirectories(plots);
    for (Map.Entry<String, String> svg : Report.svgFiles(figures).entrySet()) {
      Files.writeString(plots.resolve(svg.getKey()), svg.getValue());
    }
  }

  /** {@code plots}: draws the page and the SVG files again from the last run's {@code all.json}, measuring nothing. */
  static void redraw(Path out, boolean quick) throws IOException {
    JsonObject run = new JsonObject(Files.readString(out.resolve(quick ? "all-quick.json" : "all.json")));
    List<Figure> figures = new ArrayList<>();
    run.getJsonArray("figures").forEach(f -> figures.add(Figure.fromJson((JsonObject) f)));
    List<String> verdicts = new ArrayList<>();
    run.getJsonArray("verdicts").forEach(v -> verdicts.add((String) v));
    draw(out, quick, run.getJsonObject("machine"), run.getString("method"), run.getString("command"), figures, verdicts);
    System.out.println("drew " + out.resolve(quick ? "index-quick.html" : "index.html") + " and the SVG plots");
  }

  /** What a peer measures: its figures, or an exception. */
  interface Measurement {
    List<Figure> run() throws Exception;
  }

  /**
   * Runs one peer; a peer that fails costs its own figures only: the failure is printed and reported with the
   * verdicts, and the run goes on with the next (each peer has already stopped its processes and removed its files).
   */
  private static void peer(String name, List<Figure> figures, List<String> failures, Measurement measurement) {
    try {
      figures.addAll(measurement.run());
    } catch (Exception e) {
      e.printStackTrace();
      failures.add(name + ": FAILED in this run (" + e + "), so its figures are missing");
    }
  }

  static JsonObject readJson(Path file) throws IOException {
    return new JsonObject(Files.readString(file));
  }

  /** The embedded topic scenario's rows as figures: produce (with its end-to-end latency) and consume. */
  static List<Figure> fromTopicResults(JsonObject topic) {
    List<Figure> figures = new ArrayList<>();
    JsonArray results = topic.getJsonArray("results");
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      String durability = r.getString("store").equals("memory") ? "memory store (none)"
          : "acks=leader, fsync " + r.getString("fsync") + (r.getString("fsync").equals("always") ? " (default)" : "");
      String system = "Sluice embedded (" + r.getString("store") + " store, 1 producer, group of " + r.getInteger("consumers") + ")";
      figures.addAll(topicFigures(r, "embedded", system, durability, 0));
    }
    return figures;
  }

  /**
   * One row of {@link TopicBench#measure} as figures: "topic produce (where)" with its latency (scheduled send to the
   * consumer) and "topic consume (where)".
   */
  static List<Figure> topicFigures(JsonObject r, String where, String system, String durability, int nodes) {
    JsonObject l = r.getJsonObject("latency");
    Figure.Latency latency = l == null ? null : new Figure.Latency("scheduled send to consumer",
        l.getDouble("offeredRatePerSec"), median(l, "p50Ms"), median(l, "p99Ms"), median(l, "p999Ms"), median(l, "maxMs"));
    int size = r.getInteger("recordBytes");
    int partitions = r.getInteger("partitions");
    return List.of(
        new Figure("topic produce (" + where + ")", system, durability, size, partitions, nodes, stats(r, "producedPerSec"), latency),
        new Figure("topic consume (" + where + ")", system, durability, size, partitions, nodes, stats(r, "consumedPerSec"), null));
  }

  /** A queue measurement as a figure: the flat-out rate, with the latency of the paced runs. */
  static Figure queueFigure(QueueBench.Figure f, String scenario, int nodes) {
    Histogram h = f.pacedLatency();
    Figure.Latency latency = new Figure.Latency("scheduled send to consumer", f.pacedRate(), h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
    return new Figure(scenario, f.system(), f.durability(), f.size(), 1, nodes, f.flat(), latency);
  }

  /** The queue scenario's rows as figures: the flat-out rate, with the latency of the paced row of the same system. */
  static List<Figure> fromQueueResults(JsonObject queue) {
    List<Figure> figures = new ArrayList<>();
    JsonArray results = queue.getJsonArray("results");
    for (int i = 0; i < results.size(); i++) {
      JsonObject flat = results.getJsonObject(i);
      if (!"flat".equals(flat.getString("mode"))) {
        continue;
      }
      Figure.Latency latency = null;
      for (int j = 0; j < results.size(); j++) {
        JsonObject p = results.getJsonObject(j);
        if ("paced".equals(p.getString("mode")) && p.getString("system").equals(flat.getString("system"))
            && p.getString("durability").equals(flat.getString("durability"))
            && p.getInteger("recordBytes").equals(flat.getInteger("recordBytes"))) {
          JsonObject us = p.getJsonObject("latencyMicros");
          latency = new Figure.Latency("scheduled send to consumer", p.getDouble("offeredPerSec"), us.getDouble("p50") / 1000,
              us.getDouble("p99") / 1000, us.getDouble("p999") / 1000, us.getDouble("max") / 1000);
        }
      }
      figures.add(new Figure("queue send/receive/ack (embedded)", flat.getString("system"), flat.getString("durability"),
          flat.getInteger("recordBytes"), flat.getInteger("partitions", 1), 0,
          new Stats(flat.getDouble("messagesPerSec"), flat.getDouble("min"), flat.getDouble("max")), latency));
    }
    return figures;
  }

  private static double median(JsonObject parent, String key) {
    return parent.getJsonObject(key).getDouble("median");
  }

  private static Stats stats(JsonObject parent, String key) {
    return Stats.fromJson(parent.getJsonObject(key));
  }
}
