package io.sluice.bench;

import io.sluice.api.store.FsyncPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Sluice over the clustered event bus, every process a child JVM on 127.0.0.1: nodes ({@link BenchNode}, file
 * store under the replicated store) and one client JVM ({@link NetworkedClient}, a {@code ClusterClient} with
 * {@code Topics.connect}/{@code Queues.connect}) holding the producer and the consumers, so every record crosses
 * the event bus's TCP connections.
 *
 * <ul>
 *   <li>{@link #networked}: 1 node, replication factor 1: topic produce/consume and queue send/receive/ack, beside
 *   Sluice over HTTP and Kafka (issue 7).</li>
 *   <li>{@link #threeNodes}: 3 nodes, replication factor 2, minInSync 2, {@code acks=all}, topic produce/consume,
 *   beside the single node's topic figures from the same run and harness (issue 6: the cluster should reach ≥ 50%
 *   of the single node's rate, {@link #verdicts}).</li>
 * </ul>
 *
 * <p>Thread contract: called from one plain thread, which it blocks; each child is stopped (by its PID) and its
 * data directory deleted before a call returns, also when it fails.
 */
final class ClusterBench {

  static final String SYSTEM = "Sluice event bus (client JVM, clustered Vert.x)";
  static final String CLUSTER_PRODUCE = "topic produce (cluster)";
  static final String CLUSTER_CONSUME = "topic consume (cluster)";
  /** The issue 6 target: the replicated cluster's rate over the single node's. */
  static final double CLUSTER_TARGET = 0.5;
  private static final long START_SECONDS = 120;

  private final Path work;
  private final int runs;
  private final long millis;
  private final long pacedMillis;
  private final List<ProcessHandle> started = new ArrayList<>();

  ClusterBench(Path work, int runs, long millis, long pacedMillis) {
    this.work = work;
    this.runs = runs;
    this.millis = millis;
    this.pacedMillis = pacedMillis;
  }

  /** The runs of a quick (smoke, seconds per row) or a full mode (3 runs of 3 s each per row and kind). */
  static ClusterBench of(boolean quick, Path work) {
    return quick ? new ClusterBench(work, 1, 1000, 1000) : new ClusterBench(work, 3, 3000, 3000);
  }

  List<ProcessHandle> startedProcesses() {
    return List.copyOf(started);
  }

  /** How the records were kept: what the table's durability column says. */
  static String durability(int replicationFactor, FsyncPolicy fsync) {
    String fsyncText = "fsync " + fsync + (fsync.equals(FsyncPolicy.always()) ? " (default)" : "");
    return replicationFactor == 1 ? "acks=leader (RF 1), " + fsyncText
        : "acks=all, RF " + replicationFactor + ", minInSync " + replicationFactor + ", " + fsyncText;
  }

  /**
   * One node (replication factor 1), per fsync policy: for each size the {@code scenarios} in that order ("topic":
   * produce and consume; "queue": send/receive/ack), as "(networked)" figures.
   */
  List<Figure> networked(List<FsyncPolicy> policies, List<Integer> sizes, List<String> scenarios) throws Exception {
    List<Figure> out = new ArrayList<>();
    for (FsyncPolicy fsync : policies) {
      out.addAll(onCluster(1, fsync, sizes, scenarios, "networked"));
    }
    return out;
  }

  /**
   * Three nodes (replication factor 2, minInSync 2, acks=all), per fsync policy: topic produce and consume as
   * "(cluster)" figures, to set beside {@link #networked}'s single-node topic figures ({@link #verdicts}).
   */
  List<Figure> threeNodes(List<FsyncPolicy> policies, List<Integer> sizes) throws Exception {
    List<Figure> out = new ArrayList<>();
    for (FsyncPolicy fsync : policies) {
      out.addAll(onCluster(3, fsync, sizes, List.of("topic"), "cluster"));
    }
    return out;
  }

  /** Starts {@code nodes} nodes (RF 1 for one, else 2), runs a client per scenario, stops everything. */
  private List<Figure> onCluster(int nodes, FsyncPolicy fsync, List<Integer> sizes, List<String> scenarios, String where)
      throws Exception {
    int replicationFactor = Math.min(2, nodes);
    Files.createDirectories(work);
    Path dir = Files.createTempDirectory(work, "cluster");
    String clusterName = "sluice-bench-" + UUID.randomUUID().toString().substring(0, 8);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ports.add(ChildJvm.freePort());
    }
    String join = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < nodes; i++) {
        String id = "node-" + (i + 1);
        ChildJvm node = ChildJvm.start(id, HttpTopicBench.classPath(), nodeJvmArgs(id), BenchNode.class.getName(),
            List.of("--node-id", id, "--port", Integer.toString(ports.get(i)), "--join", join, "--cluster-name", clusterName,
                "--data-dir", dir.resolve(id).toString(), "--replication-factor", Integer.toString(replicationFactor),
                "--min-in-sync", Integer.toString(replicationFactor), "--acks", "all"),
            dir.resolve(id + ".log"));
        children.add(node);
        started.add(node.handle());
        if (i == 0) {
          // node-1 first: the oldest member (the controller) and a cluster the others join, instead of two that merge later.
          node.awaitReady(l -> l.startsWith(BenchNode.READY), START_SECONDS, "bench node " + id);
        }
      }
      // The others start together; every node is in before the client places a topic.
      for (int i = 1; i < nodes; i++) {
        children.get(i).awaitReady(l -> l.startsWith(BenchNode.READY), START_SECONDS, "bench node node-" + (i + 1));
      }
      List<Figure> out = new ArrayList<>();
      for (String scenario : scenarios) {
        out.addAll(client(scenario, fsync, sizes, where, clusterName, join, replicationFactor, nodes, dir));
      }
      return out;
    } finally {
      for (int i = children.size() - 1; i >= 0; i--) {
        children.get(i).close();
      }
      StoreBench.deleteTree(dir);
    }
  }

  /** A node's JVM options; -Dsluice.bench.nodeJvmArgs adds some (space-separated, {@code {id}} becomes the node id), e.g. JFR. */
  private static List<String> nodeJvmArgs(String id) {
    List<String> args = new ArrayList<>(List.of("-Xmx1g"));
    String extra = System.getProperty("sluice.bench.nodeJvmArgs", "").trim();
    if (!extra.isEmpty()) {
      Arrays.stream(extra.split(" +")).map(a -> a.replace("{id}", id)).forEach(args::add);
    }
    return args;
  }

  private List<Figure> client(String scenario, FsyncPolicy fsync, List<Integer> sizes, String where, String clusterName,
      String join, int replicationFactor, int nodes, Path dir) throws Exception {
    String system = SYSTEM + (nodes > 1 ? ", " + nodes + " nodes" : "");
    List<String> args = List.of("--scenario", scenario, "--fsync", fsync.toString(),
        "--sizes", sizes.stream().map(String::valueOf).collect(Collectors.joining(",")), "--runs", Integer.toString(runs),
        "--millis", Long.toString(millis), "--paced-millis", Long.toString(pacedMillis), "--where", where,
        "--system", system, "--durability", durability(replicationFactor, fsync), "--nodes", Integer.toString(nodes),
        "--port", Integer.toString(ChildJvm.freePort()), "--cluster-name", clusterName, "--join", join);
    // A warm-up, the throughput runs and the latency runs per size, plus joining, draining and closing.
    long budget = sizes.size() * ((runs + 1) * (millis + 30_000) + runs * (pacedMillis + 30_000)) / 1000 + START_SECONDS;
    try (ChildJvm client = ChildJvm.start("client-" + scenario, HttpTopicBench.classPath(), List.of("-Xmx1g"),
        NetworkedClient.class.getName(), args, dir.resolve("client-" + scenario + ".log"))) {
      started.add(client.handle());
      int exit = client.awaitExit(budget);
      List<String> lines = client.lines();
      if (exit != 0) {
        throw new IllegalStateException("the " + scenario + " client on " + nodes + " node(s) failed (exit " + exit
            + "); its last lines: " + lines.subList(Math.max(0, lines.size() - 20), lines.size()));
      }
      List<Figure> out = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith(NetworkedClient.RESULT)) {
          out.add(Figure.fromJson(new JsonObject(line.substring(NetworkedClient.RESULT.length()))));
        }
      }
      return out;
    }
  }

  /**
   * {@code bench cluster}: the single node's topic figures and {@link #threeNodes} alone (fsync {@code always} and {@code never}; {@code never} only when
   * quick), then the table and the verdicts, printed and written to {@code cluster[-quick].md|json} in {@code out}.
   */
  static void report(boolean quick, Path work, Path out) throws Exception {
    Files.createDirectories(out);
    JsonObject facts = Machine.facts(out.toAbsolutePath());
    facts.put("loadAverageAtStart", Machine.loadAverage());
    System.out.println(Machine.describe(facts));
    ClusterBench bench = of(quick, work);
    // -Dsluice.bench.fsync=always (or never,always) picks the policies, e.g. to compare one quickly before and after a change.
    String asked = System.getProperty("sluice.bench.fsync");
    List<FsyncPolicy> policies = asked != null ? Arrays.stream(asked.split(",")).map(FsyncPolicy::parse).toList()
        : quick ? List.of(FsyncPolicy.never()) : List.of(FsyncPolicy.always(), FsyncPolicy.never());
    long t0 = System.nanoTime();
    List<Figure> figures;
    try {
      figures = new ArrayList<>(bench.networked(policies, AllBench.SIZES, List.of("topic")));
      figures.addAll(bench.threeNodes(policies, AllBench.SIZES));
    } finally {
      StoreBench.deleteTree(work);
    }
    facts.put("loadAverageAtEnd", Machine.loadAverage());
    String method = String.format(Locale.ROOT, "Every process a child JVM on 127.0.0.1: the nodes (file store under the "
        + "replicated store) and one client JVM (ClusterClient, Topics.connect) with 1 producer and a group of %d consumers "
        + "on %d partitions, over the clustered event bus. Per row: a warm-up, then %d throughput run(s) of %d ms (produce: "
        + "first send to last acknowledgement; consume: to the last record received) and %d latency run(s) of %d ms at 50%% "
        + "of the lower median rate (scheduled send to consumer); medians, min–max. 1 node runs with replication factor 1 "
        + "(acks=leader in effect), 3 nodes with replication factor 2, minInSync 2, acks=all. Total %.0f s.",
        TopicBench.CONSUMERS, TopicBench.PARTITIONS, bench.runs, bench.millis, bench.runs, bench.pacedMillis,
        (System.nanoTime() - t0) / 1e9);
    String command = "mvn -q -pl bench exec:java -Dexec.args=\"cluster" + (quick ? " --quick" : "") + "\"";
    List<String> verdicts = verdicts(figures);
    String table = Figure.TABLE_HEAD + String.join("", figures.stream().map(Figure::row).toList());
    System.out.println();
    System.out.println(table);
    verdicts.forEach(System.out::println);
    String name = quick ? "cluster-quick" : "cluster";
    Files.writeString(out.resolve(name + ".json"), new JsonObject().put("machine", facts).put("method", method)
        .put("command", command).put("figures", new JsonArray(figures.stream().map(Figure::toJson).toList()))
        .put("verdicts", new JsonArray(verdicts)).encodePrettily());
    Files.writeString(out.resolve(name + ".md"), "# Benchmark: the 3-node replicated cluster beside a single node\n\n"
        + Machine.describeRun(facts) + "\n\n" + method + "\n\n" + table + "\nTarget (issue 6):\n\n"
        + String.join("\n", verdicts.stream().map(v -> "- " + v).toList()) + "\n\nCommand: `" + command + "`\n");
    System.out.println("wrote " + out.resolve(name + ".md") + " and " + name + ".json");
  }

  /**
   * The replicated cluster against the single node of the same run: per record size and fsync policy, the 3-node
   * produce and consume rates over the 1-node ones, against {@link #CLUSTER_TARGET}.
   */
  static List<String> verdicts(List<Figure> figures) {
    List<String> out = new ArrayList<>();
    for (Figure three : figures) {
      if (three.nodes() < 2 || !three.scenario().equals(CLUSTER_PRODUCE) && !three.scenario().equals(CLUSTER_CONSUME)) {
        continue;
      }
      String fsync = three.durability().substring(three.durability().indexOf("fsync"));
      String single = three.scenario().replace("(cluster)", "(networked)");
      figures.stream().filter(one -> one.nodes() == 1 && one.scenario().equals(single) && one.system().startsWith(SYSTEM)
          && one.recordBytes() == three.recordBytes() && one.durability().endsWith(fsync)).findFirst().ifPresent(one -> {
            double r = three.rate().median() / one.rate().median();
            out.add(String.format(Locale.ROOT, "%d B: %s, %d nodes (%s) vs 1 node (RF 1), %s: %,.0f vs %,.0f rec/s = %.2f× "
                + "(target ≥ %.1f×): %s", three.recordBytes(), three.scenario(), three.nodes(),
                three.durability().substring(0, three.durability().indexOf(", fsync")), fsync, three.rate().median(),
                one.rate().median(), r, CLUSTER_TARGET, r >= CLUSTER_TARGET ? "met" : "MISSED"));
          });
    }
    return out;
  }
}
