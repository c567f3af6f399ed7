package io.sluice.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the benchmark harness: {@code mvn -q -pl bench exec:java -Dexec.args="store|topic|queue|cluster|all|peers [--quick]"}.
 * Each scenario prints a table and writes raw results under {@code bench/results/}; {@code all} runs them all and the
 * peers (Kafka, Hazelcast, the raw event bus, Sluice over HTTP and over the clustered event bus, the 3-node
 * cluster), one after the other, and also draws the plots ({@code index.html}); {@code peers} runs only the peers and
 * the networked and clustered scenarios, taking the other figures from the result files; {@code cluster} runs only
 * the 3-node replicated cluster beside a single node ({@link ClusterBench}).
 */
public final class Bench {

  private Bench() {
  }

  public static void main(String[] args) throws Exception {
    List<String> a = Arrays.asList(args);
    boolean quick = a.contains("--quick");
    Path out = Path.of(option(a, "--out", "bench/results"));
    String scenario = a.isEmpty() || a.get(0).startsWith("--") ? "store" : a.get(0);
    // One work dir per scenario: each deletes its own when done, so two scenarios run at once must not share one.
    Path work = Path.of(option(a, "--dir", out.resolve("tmp-" + scenario).toString()));
    switch (scenario) {
      case "store" -> new StoreBench(quick, work, out).run();
      case "topic" -> new TopicBench(quick, work, out).run();
      case "queue" -> new QueueBench(quick, work, out).run();
      case "cluster" -> ClusterBench.report(quick, work, out);
      case "all" -> new AllBench(quick, true, work, out).run();
      case "peers" -> new AllBench(quick, false, work, out).run();
      case "plots" -> AllBench.redraw(out, quick);
      default -> {
        System.err.println("unknown scenario '" + scenario + "'; known: store, topic, queue, cluster, all, peers, plots");
        System.exit(2);
      }
    }
  }

  static String option(List<String> args, String name, String dflt) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : dflt;
  }
}
