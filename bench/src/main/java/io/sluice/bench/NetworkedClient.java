package io.sluice.bench;

import io.sluice.api.store.FsyncPolicy;
import io.sluice.cluster.ClusterClient;
import io.sluice.cluster.ClusterOptions;
import io.sluice.queue.Queues;
import io.sluice.topic.Topics;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The client side of the networked and clustered scenarios ({@link ClusterBench}), run in a child JVM of its own:
 * it joins the nodes' cluster as a {@link ClusterClient} (no data, no owners) and measures, over the clustered
 * event bus, either topic produce and consume ({@link TopicBench#measure} on {@code Topics.connect}: 1 producer, a
 * group of {@value TopicBench#CONSUMERS}, {@value TopicBench#PARTITIONS} partitions) or queue send/receive/ack
 * ({@link QueueBench}'s rig on {@code Queues.connect}). Each figure is printed as one line, {@value #RESULT} and
 * the figure's JSON; the exit code is 0 once all are printed.
 *
 * <p>Thread contract: {@link #main} runs on the main thread and blocks it; the clients run on the client Vert.x.
 */
final class NetworkedClient {

  static final String RESULT = "sluice-bench figure ";

  private NetworkedClient() {
  }

  public static void main(String[] args) {
    try {
      run(Arrays.asList(args));
      System.exit(0);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(List<String> a) throws Exception {
    String scenario = Bench.option(a, "--scenario", "topic");
    FsyncPolicy fsync = FsyncPolicy.parse(Bench.option(a, "--fsync", "always"));
    List<Integer> sizes = Arrays.stream(Bench.option(a, "--sizes", "100").split(",")).map(Integer::parseInt).toList();
    int runs = Integer.parseInt(Bench.option(a, "--runs", "1"));
    long millis = Long.parseLong(Bench.option(a, "--millis", "1000"));
    long pacedMillis = Long.parseLong(Bench.option(a, "--paced-millis", "1000"));
    String where = Bench.option(a, "--where", "networked");
    String system = Bench.option(a, "--system", "Sluice client JVM");
    String durability = Bench.option(a, "--durability", "");
    int nodes = Integer.parseInt(Bench.option(a, "--nodes", "1"));
    ClusterClient client = StoreBench.await(ClusterClient.start(new ClusterOptions()
        .setPort(Integer.parseInt(Bench.option(a, "--port", "5801")))
        .setClusterName(Bench.option(a, "--cluster-name", "sluice-bench"))
        .setJoin(List.of(Bench.option(a, "--join", "127.0.0.1:5701").split(",")))));
    try {
      Vertx vertx = client.vertx();
      if (scenario.equals("topic")) {
        Topics topics = Topics.connect(vertx);
        try {
          for (int size : sizes) {
            print(AllBench.topicFigures(TopicBench.measure(vertx, topics, fsync, size, runs, millis, pacedMillis), where,
                system + ", 1 producer, group of " + TopicBench.CONSUMERS, durability, nodes));
          }
        } finally {
          StoreBench.await(topics.close());
        }
      } else {
        QueueBench bench = new QueueBench(Path.of("."), Path.of("."), "queue-networked", runs, millis, new int[0], List.of(fsync), true);
        for (int size : sizes) {
          QueueBench.SluiceRig rig = new QueueBench.SluiceRig(vertx, Queues.connect(vertx), fsync, size);
          try {
            print(List.of(AllBench.queueFigure(bench.measure(rig, system + ", " + QueueBench.PRODUCERS + " producers, "
                + QueueBench.CONSUMERS + " consumers", durability, size), "queue send/receive/ack (" + where + ")", nodes)));
          } finally {
            rig.close();
          }
        }
      }
    } finally {
      StoreBench.await(client.close());
    }
  }

  private static void print(List<Figure> figures) {
    for (Figure f : figures) {
      System.out.println(RESULT + f.toJson().encode());
    }
  }
}
