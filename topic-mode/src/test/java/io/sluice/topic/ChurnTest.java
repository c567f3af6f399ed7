package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Consuming while the group churns: members join and leave while a producer writes, one member is
 * unhealthy (its heartbeats are slower than its session timeout, so it keeps being expired and acts as
 * a zombie until it notices), and a silent member joins by hand and is expired.
 *
 * <p>Checked: every record is delivered at least once (nothing committed is skipped); a healthy member
 * never receives a record below an offset whose commit had already succeeded (committed records are not
 * redelivered); duplicates are counted and stay within what uncommitted records across the counted
 * rebalances allow.
 */
class ChurnTest extends TopicsTestBase {

  private static final int PARTITIONS = 6;
  private static final int RECORDS = 6000;
  private static final int COMMIT_EVERY = 10;
  private static final int MAX_POLL = 20;

  private final Map<TopicPartition, Map<Long, AtomicInteger>> delivered = new ConcurrentHashMap<>();
  private final Map<TopicPartition, AtomicLong> committedMax = new ConcurrentHashMap<>();
  private final AtomicInteger violations = new AtomicInteger();
  private final List<String> violationSamples = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger rebalances = new AtomicInteger();
  private final AtomicInteger lostEvents = new AtomicInteger();

  /** A member that commits every few records and, like a careful Kafka application, on revocation. */
  private final class Member {
    final Consumer consumer;
    final boolean healthy;
    /** Next offset to commit per owned partition; touched only on the consumer's context. */
    final Map<TopicPartition, Long> handled = new HashMap<>();
    int sinceCommit;

    Member(String name, boolean healthy) {
      this.healthy = healthy;
      ConsumerOptions o = new ConsumerOptions().setGroupId("churn").setClientId(name).setAutoCommit(false)
          .setAutoOffsetReset(OffsetReset.EARLIEST).setSessionTimeoutMs(healthy ? 3000 : 1000).setRebalanceTimeoutMs(5000)
          .setHeartbeatIntervalMs(healthy ? 40 : 1200).setFetchMaxWaitMs(50).setMaxPollRecords(MAX_POLL);
      consumer = topics.createConsumer(o);
      consumer.handler(r -> {
        TopicPartition tp = r.topicPartition();
        int count = delivered.computeIfAbsent(tp, k -> new ConcurrentHashMap<>()).computeIfAbsent(r.offset(), k -> new AtomicInteger())
            .incrementAndGet();
        long committed = committedMax.computeIfAbsent(tp, k -> new AtomicLong()).get();
        if (this.healthy && r.offset() < committed) {
          violations.incrementAndGet();
          violationSamples.add(name + " got " + tp + "@" + r.offset() + " below committed " + committed + " (delivery #" + count + ")");
        }
        handled.put(tp, r.offset() + 1);
        if (++sinceCommit >= COMMIT_EVERY) {
          sinceCommit = 0;
          commit(new HashMap<>(handled));
        }
      });
    }

    Future<Void> commit(Map<TopicPartition, Long> offsets) {
      return consumer.commit(offsets).onSuccess(v -> offsets.forEach((tp, o) ->
          committedMax.computeIfAbsent(tp, k -> new AtomicLong()).accumulateAndGet(o, Math::max)));
    }

    Future<Void> start() {
      return consumer.subscribe(List.of("churn"), new RebalanceListener() {
        @Override
        public Future<Void> onPartitionsRevoked(Collection<TopicPartition> partitions) {
          rebalances.incrementAndGet();
          Map<TopicPartition, Long> mine = new HashMap<>();
          partitions.forEach(tp -> {
            Long o = handled.remove(tp);
            if (o != null) {
              mine.put(tp, o);
            }
          });
          return commit(mine).recover(e -> Future.succeededFuture());
        }

        @Override
        public Future<Void> onPartitionsLost(Collection<TopicPartition> partitions) {
          lostEvents.incrementAndGet();
          partitions.forEach(handled::remove);
          return Future.succeededFuture();
        }
      });
    }
  }

  @Test
  void rebalancingUnderChurnSkipsNothingAndDuplicatesOnlyUncommitted() {
    createTopic("churn", PARTITIONS);
    List<Member> members = new ArrayList<>();
    Member zombie = new Member("unhealthy", false);
    members.add(new Member("m0", true));
    members.add(new Member("m1", true));
    members.forEach(m -> await(m.start()));
    await(zombie.start());

    Producer producer = topics.createProducer(new ProducerOptions().setLingerMs(2));
    Promise<Void> produced = Promise.promise();
    AtomicInteger sentCount = new AtomicInteger();
    List<Future<RecordMetadata>> sends = new java.util.concurrent.CopyOnWriteArrayList<>();
    vertx.setPeriodic(50, id -> {
      for (int i = 0; i < 100 && sentCount.get() < RECORDS; i++) {
        int n = sentCount.getAndIncrement();
        sends.add(producer.send("churn", Message.of("k" + n, "v" + n)));
      }
      if (sentCount.get() >= RECORDS) {
        vertx.cancelTimer(id);
        produced.complete();
      }
    });

    Random random = new Random(7);
    int joinsAndLeaves = 0;
    int next = 2;
    boolean silentJoined = false;
    while (!produced.future().isComplete()) {
      awaitTimer(200);
      if (members.size() > 1 && random.nextBoolean()) {
        await(members.remove(random.nextInt(members.size())).consumer.close());
      } else {
        Member m = new Member("m" + next++, true);
        members.add(m);
        await(m.start());
      }
      joinsAndLeaves++;
      if (!silentJoined) {
        silentJoined = true;
        joinSilentMember();
      }
    }
    sends.forEach(TopicsTestBase::await);
    await(zombie.consumer.close());

    eventually("every record delivered", () -> {
      for (int p = 0; p < PARTITIONS; p++) {
        Map<Long, AtomicInteger> got = delivered.get(new TopicPartition("churn", p));
        long end = await(topics.describe("churn")).partitions().get(p).endOffset();
        if (got == null || got.size() < end) {
          return false;
        }
      }
      return true;
    });
    long total = 0;
    long duplicates = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      Map<Long, AtomicInteger> got = delivered.get(new TopicPartition("churn", p));
      long end = await(topics.describe("churn")).partitions().get(p).endOffset();
      for (long o = 0; o < end; o++) {
        assertTrue(got.containsKey(o), "record churn-" + p + "@" + o + " was skipped");
        duplicates += got.get(o).get() - 1;
      }
      total += end;
    }
    assertEquals(RECORDS, total);
    assertEquals(0, violations.get(), "committed records redelivered to a healthy member: " + violationSamples);
    // Each revocation or loss may redeliver, per partition, what was handled but not yet committed: up
    // to the commit interval plus a prefetch, and for a zombie what it fetched before it noticed.
    long events = rebalances.get() + lostEvents.get();
    long bound = events * PARTITIONS * (COMMIT_EVERY + 2L * MAX_POLL);
    System.out.printf("churn: %d records, %d joins/leaves, %d revocations, %d lost, %d duplicates (bound %d)%n",
        total, joinsAndLeaves, rebalances.get(), lostEvents.get(), duplicates, bound);
    assertTrue(joinsAndLeaves >= 5, "the group really churned");
    assertTrue(duplicates <= bound, duplicates + " duplicates exceed the bound " + bound);
  }

  /** A member that joins by hand and never heartbeats: the coordinator must expire it and move on. */
  private void joinSilentMember() {
    io.vertx.core.json.JsonObject join = new io.vertx.core.json.JsonObject().put("memberId", "").put("clientId", "silent")
        .put("topics", new io.vertx.core.json.JsonArray().add("churn")).put("strategies", new io.vertx.core.json.JsonArray().add("range"))
        .put("sessionTimeoutMs", 300).put("rebalanceTimeoutMs", 3000);
    vertx.eventBus().request("sluice.group.churn", join, new io.vertx.core.eventbus.DeliveryOptions().addHeader("op", "join")
        .setSendTimeout(10_000));
  }
}
