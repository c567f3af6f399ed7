package io.sluice.bench;

import io.sluice.api.store.LogStore;
import io.sluice.cluster.Acks;
import io.sluice.cluster.ClusterNode;
import io.sluice.cluster.ClusterOptions;
import io.sluice.cluster.ReplicatedLogStore;
import io.sluice.queue.Queues;
import io.sluice.topic.Topics;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;

/**
 * A clustered Sluice node for the clustered scenarios, run in a child JVM ({@link ClusterBench}): a
 * {@link ClusterNode} on 127.0.0.1, the file store under a {@link ReplicatedLogStore}, and topics and queues over
 * it; the same classes {@code sluice.jar --cluster} wires, without HTTP, and with the replication settings the
 * broker has no flags for yet ({@code --replication-factor}, {@code --min-in-sync}, {@code --acks}): a single node
 * needs a replication factor of 1. It prints {@value #READY} once up and runs until it is stopped.
 *
 * <p>Thread contract: {@link #main} starts the node from the main thread, which then ends; Vert.x's threads keep
 * the JVM alive.
 */
final class BenchNode {

  static final String READY = "sluice-bench: node up";

  private BenchNode() {
  }

  public static void main(String[] args) throws Exception {
    List<String> a = Arrays.asList(args);
    ClusterOptions options = new ClusterOptions()
        .setNodeId(Bench.option(a, "--node-id", "node-1"))
        .setPort(Integer.parseInt(Bench.option(a, "--port", "5701")))
        .setJoin(List.of(Bench.option(a, "--join", "127.0.0.1:5701").split(",")))
        .setClusterName(Bench.option(a, "--cluster-name", "sluice-bench"))
        .setReplicationFactor(Integer.parseInt(Bench.option(a, "--replication-factor", "1")))
        .setMinInSync(Integer.parseInt(Bench.option(a, "--min-in-sync", "1")))
        .setAcks(Acks.valueOf(Bench.option(a, "--acks", "all").toUpperCase(java.util.Locale.ROOT)));
    ClusterNode node = StoreBench.await(ClusterNode.start(options));
    LogStore local = LogStore.create(node.vertx(), "file", new JsonObject().put("dataDir", Bench.option(a, "--data-dir", "data")));
    ReplicatedLogStore store = StoreBench.await(ReplicatedLogStore.create(node, local));
    StoreBench.await(Topics.create(node.vertx(), store));
    StoreBench.await(Queues.create(node.vertx(), store));
    System.out.println(READY + " " + options.getNodeId() + " (replication factor " + options.getReplicationFactor()
        + ", minInSync " + options.getMinInSync() + ", acks " + options.getAcks() + ")");
  }
}
