package io.sluice.cluster.modes;

import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.Message;
import io.sluice.cluster.ReplicatedLogStore;
import io.sluice.topic.Consumer;
import io.sluice.topic.ConsumerOptions;
import io.sluice.topic.ConsumerRecord;
import io.sluice.topic.OffsetReset;
import io.sluice.topic.Producer;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.RecordMetadata;
import io.sluice.topic.TopicConfig;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The topic mode on a 3-node cluster in this JVM: each partition's owner, the registry and the group
 * coordinators run on exactly one node, the one leading their log, and move with the leadership.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures.
 */
class ClusteredTopicsTest extends ModeClusterTestBase<Topics> {

  private static final String TOPIC = "orders";
  private static final int PARTITIONS = 3;

  private final List<Object> clients = new ArrayList<>();

  @Override
  protected Future<Topics> createMode(Vertx vertx, ReplicatedLogStore store) {
    return Topics.create(vertx, store);
  }

  @Override
  protected Future<Void> closeMode(Topics mode) {
    return mode.close();
  }

  @Override
  protected void closeClients() {
    for (Object c : clients) {
      Future<Void> closed = c instanceof Producer p ? p.close() : ((Consumer) c).close();
      // A client of a crashed node may never answer.
      closed.toCompletionStage().toCompletableFuture().completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
    }
  }

  private Producer producer(int node) {
    Producer p = modes.get(node).createProducer(new ProducerOptions().setLingerMs(2).setRequestTimeoutMs(5000)
        .setDeliveryTimeoutMs(60_000));
    clients.add(p);
    return p;
  }

  private Consumer member(int node) {
    Consumer c = modes.get(node).createConsumer(new ConsumerOptions().setGroupId("billing").setAutoCommit(false)
        .setAutoOffsetReset(OffsetReset.EARLIEST).setSessionTimeoutMs(6000).setHeartbeatIntervalMs(1000)
        .setRequestTimeoutMs(5000).setFetchMaxWaitMs(200));
    clients.add(c);
    return c;
  }

  private static void eventually(String what, long timeoutMs, BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        fail("not within " + timeoutMs + " ms: " + what);
      }
    }
  }

  /** Sends {@code count} keyed records from {@code producer}; every one must be acknowledged. */
  private static List<String> produce(Producer producer, String prefix, int count) {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      values.add(prefix + i);
      sent.add(producer.send(TOPIC, Message.of("key-" + (i % 10), prefix + i)));
    }
    await(Future.all(sent));
    return values;
  }

  /**
   * Polls the members (committing after each poll) until {@code expected} values arrived; fails on a
   * value seen twice or a partition whose offsets go backwards.
   */
  private static void consume(List<Consumer> members, Set<String> expected, Map<Integer, Long> lastOffset) {
    Set<String> seen = new HashSet<>();
    long deadline = System.currentTimeMillis() + 60_000;
    while (!seen.containsAll(expected)) {
      if (System.currentTimeMillis() > deadline) {
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(seen);
        fail("not consumed within 60 s: " + missing.size() + " records, e.g. " + missing.iterator().next());
      }
      for (Consumer c : members) {
        List<ConsumerRecord> got = await(c.poll(Duration.ofMillis(200)));
        for (ConsumerRecord r : got) {
          assertTrue(seen.add(r.valueAsString()), "consumed once: " + r.valueAsString());
          assertTrue(expected.contains(r.valueAsString()), "only what was expected: " + r.valueAsString());
          Long last = lastOffset.put(r.partition(), r.offset());
          assertTrue(last == null || r.offset() > last, "in order within partition " + r.partition());
        }
        if (!got.isEmpty()) {
          await(c.commit());
        }
      }
    }
  }

  @Test
  void producedOnOneNodeConsumedInAGroupOnTwoOthersAndThroughALeaderCrash() {
    await(modes.get(0).createTopic(TOPIC, new TopicConfig().setPartitions(PARTITIONS)));
    // Exactly one owner per partition in the cluster, on its leader.
    for (int p = 0; p < PARTITIONS; p++) {
      String log = TOPIC + "-" + p;
      int leader = leaderOf(log);
      for (int i = 0; i < 3; i++) {
        assertEquals(i == leader, stores.get(i).leadership().leads(log), log + " led only by " + leader);
      }
    }
    Consumer b = member(1);
    Consumer c = member(2);
    await(b.subscribe(List.of(TOPIC)));
    await(c.subscribe(List.of(TOPIC)));
    eventually("both members hold partitions", 30_000, () -> {
      await(b.poll(Duration.ofMillis(100)));
      await(c.poll(Duration.ofMillis(100)));
      return await(b.assignment()).size() + await(c.assignment()).size() == PARTITIONS
          && !await(b.assignment()).isEmpty() && !await(c.assignment()).isEmpty();
    });

    Producer a = producer(0);
    Map<Integer, Long> lastOffset = new HashMap<>();
    consume(List.of(b, c), new HashSet<>(produce(a, "before-", 300)), lastOffset);

    // Kill a consumer node that leads a partition: its owner and member die with it.
    int victim = -1;
    for (int p = 0; p < PARTITIONS && victim < 0; p++) {
      int leader = leaderOf(TOPIC + "-" + p);
      if (leader != 0) {
        victim = leader;
      }
    }
    assertTrue(victim > 0, "some partition is led by node 1 or 2 (placement spreads leaders)");
    Consumer survivor = victim == 1 ? c : b;
    clients.remove(victim == 1 ? b : c);
    cluster.awaitSafe();
    cluster.crash(victim);
    List<String> after = produce(a, "after-", 150);
    // The survivor takes over every partition from the committed offsets: nothing before the crash again.
    consume(List.of(survivor), new HashSet<>(after), lastOffset);
    for (int p = 0; p < PARTITIONS; p++) {
      int leader = leaderOf(TOPIC + "-" + p);
      assertTrue(leader != victim && stores.get(leader).leadership().leads(TOPIC + "-" + p), "partition " + p + " moved");
    }
  }
}
