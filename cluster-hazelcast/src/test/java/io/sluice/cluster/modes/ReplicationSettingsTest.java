package io.sluice.cluster.modes;

import static io.sluice.api.store.ContractSupport.assertFails;
import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.SluiceException;
import io.sluice.api.store.LogReplicas;
import io.sluice.cluster.Placement;
import io.sluice.cluster.ReplicatedLogStore;
import io.sluice.queue.QueueConfig;
import io.sluice.queue.QueueStats;
import io.sluice.queue.Queues;
import io.sluice.topic.PartitionInfo;
import io.sluice.topic.Producer;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.TopicConfig;
import io.sluice.topic.TopicDescription;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replication factor and in-sync minimum per topic and per queue on a 3-node cluster whose node default is
 * RF 3, minInSync 2: each log gets the replicas its topic or queue asked for, {@code describe} shows where
 * they are, and a factor above the live nodes is refused at create with nothing left behind.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures.
 */
class ReplicationSettingsTest extends ModeClusterTestBase<ReplicationSettingsTest.Modes> {

  /** Both modes on one node's store. */
  record Modes(Topics topics, Queues queues) {
  }

  @Override
  protected Future<Modes> createMode(Vertx vertx, ReplicatedLogStore store) {
    return Topics.create(vertx, store).compose(t -> Queues.create(vertx, store).map(q -> new Modes(t, q)));
  }

  @Override
  protected Future<Void> closeMode(Modes mode) {
    return mode.queues().close().transform(ar -> mode.topics().close());
  }

  private Topics topics(int node) {
    return modes.get(node).topics();
  }

  private Queues queues(int node) {
    return modes.get(node).queues();
  }

  private Placement placement(String log) {
    return await(stores.get(0).placement(log));
  }

  @Test
  void topicsGetTheReplicasTheyAskFor() {
    TopicDescription three = await(topics(0).createTopic("wide", new TopicConfig().setPartitions(2)
        .setReplicationFactor(3).setMinInSync(3)));
    TopicDescription one = await(topics(1).createTopic("narrow", new TopicConfig().setPartitions(2).setReplicationFactor(1)));
    TopicDescription byDefault = await(topics(2).createTopic("plain", new TopicConfig()));
    for (int p = 0; p < 2; p++) {
      Placement wide = placement("wide-" + p);
      assertEquals(3, wide.replicas().size(), "RF 3: " + wide);
      assertEquals(3, new HashSet<>(wide.replicas()).size(), "on three distinct nodes: " + wide);
      assertEquals(3, wide.minInSync());
      Placement narrow = placement("narrow-" + p);
      assertEquals(1, narrow.replicas().size(), "RF 1: " + narrow);
      assertEquals(1, narrow.minInSync(), "the node default minInSync 2 is lowered to the factor");
      assertReplicas(wide, three.partitions().get(p));
      assertReplicas(narrow, one.partitions().get(p));
    }
    assertEquals(3, placement("plain-0").replicas().size(), "no setting: the node's default");
    assertEquals(2, placement("plain-0").minInSync());
    assertEquals(3, byDefault.partitions().get(0).replicas().factor());

    // Described from another node, after writes: the same settings and replicas.
    Producer producer = topics(2).createProducer(new ProducerOptions().setLingerMs(1));
    try {
      await(producer.send("narrow", Message.of("k", "v")));
      await(producer.send("wide", Message.of("k", "v")));
    } finally {
      await(producer.close());
    }
    TopicDescription seen = await(topics(2).describe("narrow"));
    assertEquals(1, seen.config().getReplicationFactor());
    assertEquals(1, seen.partitions().stream().mapToLong(PartitionInfo::size).sum());
    for (PartitionInfo p : seen.partitions()) {
      LogReplicas r = p.replication().orElseThrow();
      assertEquals(List.of(r.leader()), r.replicas());
      assertEquals(r.replicas(), r.inSync());
    }
  }

  @Test
  void queuesGetTheReplicasTheyAskFor() {
    await(queues(0).createQueue("single", new QueueConfig().setReplicationFactor(1)));
    await(queues(1).createQueue("triple", new QueueConfig().setReplicationFactor(3).setMinInSync(3)));
    for (String log : List.of("q.single", "qc.single")) {
      assertEquals(1, placement(log).replicas().size(), log + ": " + placement(log));
    }
    for (String log : List.of("q.triple", "qc.triple")) {
      assertEquals(3, new HashSet<>(placement(log).replicas()).size(), log + ": " + placement(log));
      assertEquals(3, placement(log).minInSync());
    }
    await(queues(2).send("single", Message.of("one")));
    await(queues(2).send("triple", Message.of("three")));
    QueueStats single = await(queues(2).describe("single"));
    assertEquals(1, single.depth());
    assertEquals(1, single.config().getReplicationFactor());
    assertReplicas(placement("q.single"), single.replication().orElseThrow());
    QueueStats triple = await(queues(0).describe("triple"));
    assertEquals(3, triple.replication().orElseThrow().factor());
    assertEquals(3, triple.replication().orElseThrow().minInSync());
  }

  @Test
  void aFactorAboveTheLiveNodesIsRefusedAtCreateAndLeavesNothing() {
    long started = System.currentTimeMillis();
    expectRefused(topics(1).createTopic("toowide", new TopicConfig().setPartitions(2).setReplicationFactor(4)));
    expectRefused(queues(2).createQueue("toowide", new QueueConfig().setReplicationFactor(4)));
    assertTrue(System.currentTimeMillis() - started < 20_000, "refused at once, not retried until a timeout");
    assertFalse(await(topics(0).list()).contains("toowide"));
    assertFalse(await(queues(0).list()).contains("toowide"));
    for (String log : List.of("toowide-0", "toowide-1", "q.toowide", "qc.toowide")) {
      assertFalse(await(stores.get(0).exists(log)), log + " was left behind");
    }
    // The names stay free: the same topic and queue with a factor the cluster can hold are created.
    assertEquals(3, await(topics(0).createTopic("toowide", new TopicConfig().setReplicationFactor(3)))
        .partitions().get(0).replicas().factor());
    await(queues(0).createQueue("toowide", new QueueConfig().setReplicationFactor(2)));
    assertEquals(2, placement("q.toowide").replicas().size());
  }

  private static void expectRefused(Future<?> create) {
    SluiceException e = assertFails(ErrorCode.INVALID_ARGUMENT, () -> create);
    assertTrue(e.getMessage().contains("replication factor 4 exceeds the 3 live nodes"), e.getMessage());
  }

  private static void assertReplicas(Placement expected, PartitionInfo partition) {
    assertReplicas(expected, partition.replication().orElseThrow(() -> new AssertionError("no replicas: " + partition)));
  }

  private static void assertReplicas(Placement expected, LogReplicas shown) {
    assertEquals(expected.replicas(), shown.replicas());
    assertEquals(expected.leader(), shown.leader());
    assertEquals(expected.minInSync(), shown.minInSync());
    assertTrue(shown.replicas().containsAll(shown.inSync()), shown.toString());
  }
}
