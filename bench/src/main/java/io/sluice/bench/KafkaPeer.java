package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Apache Kafka peer of the topic scenarios (issue 7): a real single-node KRaft broker (broker and controller
 * in one process, as Kafka's own quick start runs it) in a child JVM on 127.0.0.1, its storage formatted by
 * Kafka's {@code StorageTool}, its topic made by {@code TopicCommand}, measured by Kafka's own
 * {@code ProducerPerformance} and {@code ConsumerPerformance}, each a child JVM of its own, whose output is parsed.
 *
 * <p>What is measured, per record size, on a fresh topic of {@value TopicBench#PARTITIONS} partitions:
 * <ul>
 *   <li><b>produce, flat out</b>: {@code --throughput -1}, {@code acks=1} (the leader has it in its page cache;
 *   Kafka does not fsync by default, so it compares with Sluice at leader acknowledgement and fsync never), with
 *   the producer batching Sluice's bench producer uses ({@code linger.ms} {@value TopicBench#LINGER_MS}, a 64 KiB
 *   batch, a 32 MiB buffer). One warm-up run, then the measured runs.</li>
 *   <li><b>produce latency</b> at 50% of the flat-out median ({@code --throughput}): Kafka's send-to-acknowledgement
 *   percentiles. ProducerPerformance times from its {@code send()} call, not from a schedule, so a stalled send can
 *   hide delay (coordinated omission); at half the maximum rate that is rare.</li>
 *   <li><b>consume</b>: a new group reads the first {@code records} records back from the beginning;
 *   {@code fetch.nMsg.sec} (excluding the group join) is the figure.</li>
 * </ul>
 *
 * <p>Every child is stopped by its PID in {@code finally} (and by a shutdown hook if the bench is killed), each
 * waits on a log line or its exit with a bound, and the broker's data directory is deleted afterwards.
 *
 * <p>Thread contract: used from one plain thread, which it blocks while the children run.
 */
final class KafkaPeer {

  static final String SYSTEM = "Kafka";
  static final String DURABILITY = "acks=1, no fsync (Kafka default)";
  private static final String CLASSPATH_FILE = "kafka-classpath/target/kafka.classpath";
  private static final List<String> BROKER_JVM = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
      "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true");
  /** What Kafka's perf-test scripts give their tools; the tools log at WARN so their result lines stand out. */
  private static final List<String> TOOL_JVM = List.of("-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
  private static final long TOOL_TIMEOUT_SECONDS = 300;

  /** The figures of one size, in the order they are measured. */
  record Sized(Figure produce, Figure consume) {
  }

  private final Path work;
  private final int runs;
  private final long pacedMillis;
  private final String classPath;
  private final String version;
  private final List<ProcessHandle> started = new ArrayList<>();

  /**
   * @param work a directory the peer may create and delete
   * @param runs measured runs per figure (after one warm-up produce run, when more than one)
   * @param pacedMillis how long each fixed-rate produce run offers records
   */
  KafkaPeer(Path work, int runs, long pacedMillis) throws IOException {
    this.work = work;
    this.runs = runs;
    this.pacedMillis = pacedMillis;
    this.classPath = Files.readString(classPathFile()).trim();
    Matcher m = Pattern.compile("kafka_2\\.13-([0-9][^/\\\\]*?)\\.jar").matcher(classPath);
    this.version = m.find() ? m.group(1) : "?";
  }

  String version() {
    return version;
  }

  /** Every child process this peer started (all stopped by the time {@link #measure} returns). */
  List<ProcessHandle> startedProcesses() {
    return List.copyOf(started);
  }

  /**
   * Starts a broker, measures each record size with {@code records} records (records per size from
   * {@code recordsPerSize}, same index), stops the broker and deletes its files.
   */
  List<Sized> measure(List<Integer> sizes, List<Long> recordsPerSize) throws Exception {
    Files.createDirectories(work);
    Path dir = Files.createTempDirectory(work, "kafka");
    try (ChildJvm broker = startBroker(dir)) {
      String bootstrap = Files.readString(dir.resolve("bootstrap")).trim();
      List<Sized> out = new ArrayList<>();
      for (int i = 0; i < sizes.size(); i++) {
        out.add(measureSize(dir, bootstrap, sizes.get(i), recordsPerSize.get(i)));
        if (!broker.isAlive()) {
          throw new IllegalStateException("the Kafka broker exited; see " + dir.resolve("broker.log"));
        }
      }
      return out;
    } finally {
      StoreBench.deleteTree(dir);
    }
  }

  private Sized measureSize(Path dir, String bootstrap, int size, long records) throws Exception {
    String topic = "bench-" + size;
    tool(dir, "topic-" + size, "org.apache.kafka.tools.TopicCommand", List.of("--bootstrap-server", bootstrap, "--create",
        "--topic", topic, "--partitions", Integer.toString(TopicBench.PARTITIONS), "--replication-factor", "1"));
    if (runs > 1) {
      // Quick mode (one run) skips the warm-up: its figures only prove the harness works, and a JVM start is seconds.
      produce(dir, bootstrap, topic, size, records, -1, "warm-up");
    }
    double[] flat = new double[runs];
    for (int i = 0; i < runs; i++) {
      flat[i] = produce(dir, bootstrap, topic, size, records, -1, "flat-" + i).recordsPerSec();
    }
    Stats flatStats = Stats.of(flat);
    long rate = Math.max(1, Math.round(flatStats.median() / 2));
    long pacedRecords = Math.max(1, rate * pacedMillis / 1000);
    double[] p50 = new double[runs];
    double[] p99 = new double[runs];
    double[] p999 = new double[runs];
    double[] max = new double[runs];
    double[] offered = new double[runs];
    for (int i = 0; i < runs; i++) {
      ProducerResult r = produce(dir, bootstrap, topic, size, pacedRecords, rate, "paced-" + i);
      p50[i] = r.p50Ms();
      p99[i] = r.p99Ms();
      p999[i] = r.p999Ms();
      max[i] = r.maxMs();
      offered[i] = r.recordsPerSec();
    }
    double[] consumed = new double[runs];
    for (int i = 0; i < runs; i++) {
      consumed[i] = consume(dir, bootstrap, topic, records, "consume-" + i).fetchRecordsPerSec();
    }
    String system = SYSTEM + " " + version;
    Figure.Latency latency = new Figure.Latency("send to ack (ProducerPerformance)", Stats.of(offered).median(),
        Stats.of(p50).median(), Stats.of(p99).median(), Stats.of(p999).median(), Stats.of(max).median());
    return new Sized(
        new Figure("topic produce (networked)", system + " ProducerPerformance", DURABILITY, size, TopicBench.PARTITIONS, 1,
            flatStats, latency),
        new Figure("topic consume (networked)", system + " ConsumerPerformance", DURABILITY, size, TopicBench.PARTITIONS, 1,
            Stats.of(consumed), null));
  }

  private ChildJvm startBroker(Path dir) throws Exception {
    int port = ChildJvm.freePort();
    int controllerPort = ChildJvm.freePort();
    while (controllerPort == port) {
      controllerPort = ChildJvm.freePort();
    }
    String properties = String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=" + TopicBench.PARTITIONS,
        // One node: every internal topic has one replica.
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "");
    Path config = dir.resolve("server.properties");
    Files.writeString(config, properties);
    Files.writeString(dir.resolve("bootstrap"), "127.0.0.1:" + port);
    tool(dir, "format", "kafka.tools.StorageTool", List.of("format", "-t", clusterId(), "-c", config.toString()));
    ChildJvm broker = ChildJvm.start("kafka-broker", classPath, BROKER_JVM, "kafka.Kafka", List.of(config.toString()),
        dir.resolve("broker.log"));
    started.add(broker.handle());
    return broker.awaitReady(l -> l.contains("Kafka Server started"), 90, "the Kafka broker");
  }

  /** A cluster id as Kafka's {@code Uuid} prints one: 16 random bytes, URL-safe base64 without padding. */
  private static String clusterId() {
    SecureRandom random = new SecureRandom();
    byte[] bytes = new byte[16];
    String id;
    do {
      random.nextBytes(bytes);
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (id.startsWith("-")); // would read as an option on the command line; Kafka avoids these too
    return id;
  }

  /** Runs one Kafka tool to its end, bounded; its output lines. */
  private List<String> tool(Path dir, String name, String mainClass, List<String> args) throws Exception {
    try (ChildJvm child = ChildJvm.start("kafka-" + name, classPath, TOOL_JVM, mainClass, args, dir.resolve(name + ".log"))) {
      started.add(child.handle());
      int code = child.awaitExit(TOOL_TIMEOUT_SECONDS);
      if (code != 0) {
        throw new IllegalStateException(mainClass + " exited with " + code + "; see " + dir.resolve(name + ".log"));
      }
      return child.lines();
    }
  }

  private ProducerResult produce(Path dir, String bootstrap, String topic, int size, long records, long throughput, String run)
      throws Exception {
    List<String> lines = tool(dir, "produce-" + size + "-" + run, "org.apache.kafka.tools.ProducerPerformance", List.of(
        "--topic", topic, "--num-records", Long.toString(records), "--record-size", Integer.toString(size),
        "--throughput", Long.toString(throughput), "--producer-props", "bootstrap.servers=" + bootstrap, "acks=1",
        "linger.ms=" + TopicBench.LINGER_MS, "batch.size=" + TopicBench.BATCH_BYTES, "buffer.memory=" + TopicBench.BUFFER_MEMORY));
    return ProducerResult.parse(lines);
  }

  private ConsumerResult consume(Path dir, String bootstrap, String topic, long records, String run) throws Exception {
    List<String> lines = tool(dir, "consume-" + topic + "-" + run, "org.apache.kafka.tools.ConsumerPerformance", List.of(
        "--bootstrap-server", bootstrap, "--topic", topic, "--messages", Long.toString(records), "--timeout", "60000"));
    return ConsumerResult.parse(lines);
  }

  /** ProducerPerformance's summary line: its totals, rates and latency percentiles (ms). */
  record ProducerResult(long records, double recordsPerSec, double megabytesPerSec, double avgMs, double maxMs, double p50Ms,
      double p95Ms, double p99Ms, double p999Ms) {

    private static final Pattern SUMMARY = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), "
        + "([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");

    static ProducerResult parse(List<String> lines) {
      for (int i = lines.size() - 1; i >= 0; i--) {
        Matcher m = SUMMARY.matcher(lines.get(i));
        if (m.find()) {
          return new ProducerResult(Long.parseLong(m.group(1)), d(m, 2), d(m, 3), d(m, 4), d(m, 5), d(m, 6), d(m, 7), d(m, 8),
              d(m, 9));
        }
      }
      throw new IllegalStateException("no ProducerPerformance summary in its output: " + tail(lines));
    }
  }

  /**
   * ConsumerPerformance's result line ({@code start.time, end.time, data.consumed.in.MB, MB.sec,
   * data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec}).
   */
  record ConsumerResult(long records, double megabytes, double recordsPerSec, double fetchMegabytesPerSec,
      double fetchRecordsPerSec) {

    static ConsumerResult parse(List<String> lines) {
      for (int i = lines.size() - 1; i >= 0; i--) {
        String[] f = lines.get(i).split(",\\s*");
        if (f.length == 10 && f[0].matches("\\d{4}-\\d\\d-\\d\\d .*")) {
          return new ConsumerResult(Long.parseLong(f[4].trim()), Double.parseDouble(f[2]), Double.parseDouble(f[5]),
              Double.parseDouble(f[8]), Double.parseDouble(f[9].trim()));
        }
      }
      throw new IllegalStateException("no ConsumerPerformance result in its output: " + tail(lines));
    }
  }

  private static double d(Matcher m, int group) {
    return Double.parseDouble(m.group(group));
  }

  private static String tail(List<String> lines) {
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
  }

  /** The class path file written by the {@code bench/kafka-classpath} module ({@code mvn verify} at the root). */
  static Path classPathFile() {
    String set = System.getProperty("sluice.kafka.classpath");
    List<Path> candidates = set != null ? List.of(Path.of(set))
        : List.of(Path.of(CLASSPATH_FILE), Path.of("bench").resolve(CLASSPATH_FILE));
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalStateException(String.format(Locale.ROOT, "no Kafka class path at %s: build it with "
        + "`mvn -q -f bench/kafka-classpath/pom.xml generate-resources` (the root `mvn verify` does)", candidates));
  }
}
