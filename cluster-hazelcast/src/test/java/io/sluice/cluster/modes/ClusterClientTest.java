package io.sluice.cluster.modes;

import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sluice.api.Message;
import io.sluice.api.store.LogStore;
import io.sluice.cluster.ClusterClient;
import io.sluice.cluster.ClusterOptions;
import io.sluice.cluster.Placement;
import io.sluice.cluster.ReplicatedLogStore;
import io.sluice.cluster.internal.TestCluster;
import io.sluice.queue.Delivery;
import io.sluice.queue.Queues;
import io.sluice.topic.Consumer;
import io.sluice.topic.ConsumerOptions;
import io.sluice.topic.ConsumerRecord;
import io.sluice.topic.OffsetReset;
import io.sluice.topic.Producer;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.TopicConfig;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A client-only JVM's view of a cluster ({@link ClusterClient} with {@code Topics.connect} and
 * {@code Queues.connect}), here a client Vert.x in this JVM with its own Hazelcast member: it creates, produces
 * and consumes a topic and creates, sends, receives and acks a queue on a 1-node and a 3-node cluster, while the
 * nodes never count it as a live node nor place a replica on it.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures.
 */
class ClusterClientTest {

  private static final int PARTITIONS = 4;
  private static final int RECORDS = 40;

  @Test
  void aClientProducesConsumesSendsAndAcksOnOneNode() {
    roundTrip(1, o -> o.setReplicationFactor(1).setMinInSync(1));
  }

  @Test
  void aClientProducesConsumesSendsAndAcksOnThreeNodesAndHoldsNoReplica() {
    roundTrip(3, o -> o.setReplicationFactor(2).setMinInSync(2));
  }

  private static void roundTrip(int size, java.util.function.Consumer<ClusterOptions> tune) {
    List<ReplicatedLogStore> stores = new ArrayList<>();
    List<Topics> nodeTopics = new ArrayList<>();
    List<Queues> nodeQueues = new ArrayList<>();
    try (TestCluster cluster = new TestCluster(size, tune)) {
      try {
        for (int i = 0; i < size; i++) {
          Vertx vertx = cluster.node(i).vertx();
          ReplicatedLogStore store = await(ReplicatedLogStore.create(cluster.node(i), LogStore.memory(vertx), "client-test"));
          stores.add(store);
          nodeTopics.add(await(Topics.create(vertx, store)));
          nodeQueues.add(await(Queues.create(vertx, store)));
        }
        ClusterOptions nodeOptions = cluster.node(0).options();
        ClusterClient client = await(ClusterClient.start(new ClusterOptions().setPort(TestCluster.freePort())
            .setClusterName(nodeOptions.getClusterName()).setJoin(nodeOptions.getJoin())));
        try {
          useTopic(client.vertx());
          useQueue(client.vertx());
          assertHoldsNothing(cluster, stores.get(0));
        } finally {
          await(client.close());
        }
      } finally {
        for (int i = 0; i < nodeTopics.size(); i++) {
          await(nodeTopics.get(i).close());
        }
        for (int i = 0; i < nodeQueues.size(); i++) {
          await(nodeQueues.get(i).close());
        }
        for (ReplicatedLogStore s : stores) {
          await(s.close());
        }
      }
    }
  }

  private static void useTopic(Vertx vertx) {
    Topics topics = Topics.connect(vertx);
    try {
      assertEquals(PARTITIONS, await(topics.createTopic("greetings", new TopicConfig().setPartitions(PARTITIONS))).partitions().size());
      Producer producer = topics.createProducer(new ProducerOptions());
      List<Future<?>> sent = new ArrayList<>();
      Set<String> expected = new HashSet<>();
      for (int i = 0; i < RECORDS; i++) {
        expected.add("hello-" + i);
        sent.add(producer.send("greetings", Message.of("k" + i, "hello-" + i)));
      }
      await(Future.all(sent));
      assertEquals(RECORDS, await(topics.describe("greetings")).partitions().stream().mapToLong(p -> p.endOffset()).sum());
      Consumer consumer = topics.createConsumer(new ConsumerOptions().setGroupId("readers").setAutoOffsetReset(OffsetReset.EARLIEST));
      await(consumer.subscribe(List.of("greetings")));
      Set<String> received = new HashSet<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (received.size() < RECORDS && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord r : await(consumer.poll(Duration.ofMillis(500)))) {
          received.add(r.valueAsString());
        }
      }
      assertEquals(expected, received);
      await(consumer.commit());
      assertEquals(List.of("readers"), await(topics.listGroups()));
    } finally {
      await(topics.close());
    }
  }

  private static void useQueue(Vertx vertx) {
    Queues queues = Queues.connect(vertx);
    try {
      await(queues.createQueue("jobs"));
      for (int i = 0; i < 5; i++) {
        await(queues.send("jobs", Message.of("job-" + i)));
      }
      List<Delivery> got = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (got.size() < 5 && System.currentTimeMillis() < deadline) {
        got.addAll(await(queues.receive("jobs", 5 - got.size(), 1000)));
      }
      assertEquals(5, got.size());
      await(queues.ack(got.stream().map(Delivery::receipt).toList()));
      assertEquals(0, await(queues.describe("jobs")).depth(), "acked messages are gone");
    } finally {
      await(queues.close());
    }
  }

  /** The nodes list only themselves as live, every replica is on a node, and the client's member is a lite member. */
  private static void assertHoldsNothing(TestCluster cluster, ReplicatedLogStore store) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      ids.add(cluster.id(i));
    }
    assertEquals(ids, cluster.node(0).liveNodes());
    for (String log : List.of("greetings-0", "greetings-1", "greetings-2", "greetings-3", "q.jobs", "__topics", "__queues")) {
      Placement p = await(store.placement(log));
      assertTrue(ids.containsAll(p.replicas()), log + " is placed on nodes only: " + p);
    }
    String name = cluster.node(0).options().getClusterName();
    List<Member> members = new ArrayList<>();
    for (HazelcastInstance h : Hazelcast.getAllHazelcastInstances()) {
      if (h.getConfig().getClusterName().equals(name) && h.getCluster().getLocalMember().isLiteMember()) {
        members.addAll(h.getCluster().getMembers());
      }
    }
    assertEquals(cluster.size() + 1, members.size(), "the nodes and the client: " + members);
    assertEquals(1, members.stream().filter(Member::isLiteMember).count(), "the client is the one lite member: " + members);
  }
}
