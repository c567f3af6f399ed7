package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.testing.BusBlackHole;
import io.sluice.topic.internal.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GroupTest extends TopicsTestBase {

  private ConsumerOptions member(String group) {
    return new ConsumerOptions().setGroupId(group).setSessionTimeoutMs(3000).setHeartbeatIntervalMs(50)
        .setRebalanceTimeoutMs(3000).setFetchMaxWaitMs(100).setAutoOffsetReset(OffsetReset.EARLIEST);
  }

  private static Set<TopicPartition> union(Collection<Set<TopicPartition>> sets) {
    Set<TopicPartition> all = new HashSet<>();
    sets.forEach(all::addAll);
    return all;
  }

  @Test
  void membersShareThePartitionsAndRebalanceOnJoinAndLeave() {
    createTopic("t", 6);
    Consumer a = topics.createConsumer(member("g"));
    await(a.subscribe(List.of("t")));
    assertEquals(6, await(a.assignment()).size());
    Consumer b = topics.createConsumer(member("g"));
    await(b.subscribe(List.of("t")));
    eventually("a gives up half", () -> await(a.assignment()).size() == 3);
    Set<TopicPartition> sa = await(a.assignment());
    Set<TopicPartition> sb = await(b.assignment());
    assertEquals(3, sb.size());
    assertTrue(sa.stream().noneMatch(sb::contains), "no partition owned twice");
    assertEquals(6, union(List.of(sa, sb)).size());
    GroupDescription g = await(topics.describeGroup("g"));
    assertEquals("stable", g.state());
    assertEquals(2, g.members().size());
    assertEquals("range", g.strategy());
    await(b.close());
    eventually("a takes everything back", () -> await(a.assignment()).size() == 6);
    assertTrue(await(topics.listGroups()).contains("g"));
  }

  @Test
  void closeIsBoundedWhenTheCoordinatorNeverAnswers() {
    createTopic("t", 2);
    Consumer a = topics.createConsumer(member("g").setRequestTimeoutMs(60_000).setCloseTimeoutMs(500));
    await(a.subscribe(List.of("t")));
    assertEquals(2, await(a.assignment()).size());
    // What a close racing the node's own shutdown meets: the coordinator's consumer is gone mid-request and
    // the message is discarded without an answer (Vert.x logs it; the sender only ever times out).
    try (BusBlackHole coordinator = BusBlackHole.open(vertx, address -> address.equals("sluice.group.g"))) {
      // Without the bound this waits the 60 s request timeout for the commit, then again for the leave.
      await(a.close().timeout(15, TimeUnit.SECONDS));
      assertTrue(coordinator.dropped() >= 1, "the close did talk to the coordinator");
    }
  }

  @Test
  void aMemberThatStopsHeartbeatingIsExpired() {
    createTopic("t", 4);
    Consumer a = topics.createConsumer(member("g"));
    await(a.subscribe(List.of("t")));
    // A member that joins by hand and then goes silent, like a crashed process.
    JsonObject joined = raw("join", joinRequest(""));
    assertTrue(joined.getInteger("generation") >= 2);
    eventually("the silent member is expired and a owns everything", () -> await(a.assignment()).size() == 4
        && await(topics.describeGroup("g")).members().size() == 1);
  }

  @Test
  void staleGenerationCannotCommit() {
    createTopic("t", 2);
    JsonObject first = raw("join", joinRequest(""));
    String id = first.getString("memberId");
    int gen = first.getInteger("generation");
    JsonArray offsets = new JsonArray().add(new JsonArray().add("t").add(0).add(0));
    raw("commit", new JsonObject().put("memberId", id).put("generation", gen).put("offsets", offsets));
    // A second member starts a rebalance: the first learns it from its heartbeat ...
    Future<JsonObject> second = rawAsync("join", joinRequest(""));
    eventually("rebalance under way", () -> failure("heartbeat", new JsonObject().put("memberId", id).put("generation", gen))
        == ErrorCode.REBALANCE_IN_PROGRESS);
    // ... and may still commit in its current generation while revoking ...
    raw("commit", new JsonObject().put("memberId", id).put("generation", gen).put("offsets", offsets));
    // ... then rejoins; the rebalance completes with a new generation.
    JsonObject rejoined = raw("join", joinRequest(id));
    assertEquals(gen + 1, rejoined.getInteger("generation"));
    await(second);
    assertEquals(ErrorCode.ILLEGAL_GENERATION, failure("commit", new JsonObject().put("memberId", id).put("generation", gen)
        .put("offsets", offsets)));
    assertEquals(ErrorCode.UNKNOWN_MEMBER, failure("heartbeat", new JsonObject().put("memberId", "ghost").put("generation", gen + 1)));
    // Without membership, nobody commits to a group that has members.
    assertEquals(ErrorCode.ILLEGAL_GENERATION, failure("commit", new JsonObject().put("offsets", offsets)));
  }

  @Test
  void listenersSeeRevokeBeforeAnotherMemberGetsThePartitionAndCanCommitThere() {
    createTopic("t", 2);
    produce("t", 0, 10);
    produce("t", 1, 10);
    List<String> events = new CopyOnWriteArrayList<>();
    Consumer a = topics.createConsumer(member("g").setAutoCommit(false));
    List<ConsumerRecord> got = new CopyOnWriteArrayList<>();
    a.handler(got::add);
    await(a.subscribe(List.of("t"), new RebalanceListener() {
      @Override
      public Future<Void> onPartitionsRevoked(Collection<TopicPartition> partitions) {
        events.add("a-revoked-" + partitions.size());
        return a.commit();
      }

      @Override
      public Future<Void> onPartitionsAssigned(Collection<TopicPartition> partitions) {
        events.add("a-assigned-" + partitions.size());
        return Future.succeededFuture();
      }
    }));
    eventually("a read everything", () -> got.size() == 20);
    Consumer b = topics.createConsumer(member("g").setAutoCommit(false));
    await(b.subscribe(List.of("t"), new RebalanceListener() {
      @Override
      public Future<Void> onPartitionsAssigned(Collection<TopicPartition> partitions) {
        events.add("b-assigned-" + partitions.size());
        return Future.succeededFuture();
      }
    }));
    eventually("both assigned", () -> events.contains("b-assigned-1") && events.size() >= 4);
    assertEquals(List.of("a-assigned-2", "a-revoked-2"), events.subList(0, 2), events.toString());
    assertTrue(events.indexOf("a-revoked-2") < events.indexOf("b-assigned-1"), events.toString());
    // a's commit in onPartitionsRevoked counted: b starts where a stopped and reads nothing old.
    TopicPartition bp = await(b.assignment()).iterator().next();
    assertEquals(10L, await(b.committed(bp)));
    assertEquals(10L, await(b.position(bp)));
  }

  @Test
  void theGroupPicksACommonStrategyAndRefusesIncompatibleMembers() {
    createTopic("t", 4);
    Consumer a = topics.createConsumer(member("g").setAssignmentStrategies(List.of("roundrobin", "range")));
    await(a.subscribe(List.of("t")));
    Consumer b = topics.createConsumer(member("g").setAssignmentStrategies(List.of("range", "roundrobin")));
    await(b.subscribe(List.of("t")));
    eventually("rebalanced", () -> await(a.assignment()).size() == 2);
    assertEquals("roundrobin", await(topics.describeGroup("g")).strategy(), "the oldest member's preference");
    Consumer c = topics.createConsumer(member("g").setAssignmentStrategy("sticky"));
    awaitFailure(c.subscribe(List.of("t")), ErrorCode.CONFLICT);
    Consumer d = topics.createConsumer(member("other").setAssignmentStrategy("no-such"));
    awaitFailure(d.subscribe(List.of("t")), ErrorCode.INVALID_ARGUMENT);
    Consumer e = topics.createConsumer(member("other"));
    awaitFailure(e.subscribe(List.of("missing")), ErrorCode.UNKNOWN_TOPIC);
    Consumer f = topics.createConsumer(member("other").setSessionTimeoutMs(1));
    awaitFailure(f.subscribe(List.of("t")), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void customStrategyRegisteredOnTheNodeIsUsed() {
    await(topics.close());
    topics = await(Topics.create(vertx, store, topicsOptions().addAssignmentStrategy(new AssignmentStrategy() {
      @Override
      public String name() {
        return "all-to-first";
      }

      @Override
      public java.util.Map<String, List<TopicPartition>> assign(java.util.Map<String, Set<String>> subscriptions,
          java.util.Map<String, Integer> partitionsPerTopic, java.util.Map<String, List<TopicPartition>> previous) {
        java.util.Map<String, List<TopicPartition>> out = new java.util.TreeMap<>();
        subscriptions.keySet().forEach(m -> out.put(m, new ArrayList<>()));
        String first = out.keySet().iterator().next();
        partitionsPerTopic.forEach((t, n) -> {
          for (int p = 0; p < n; p++) {
            out.get(first).add(new TopicPartition(t, p));
          }
        });
        return out;
      }
    })));
    createTopic("t", 3);
    Consumer a = topics.createConsumer(member("g").setAssignmentStrategy("all-to-first"));
    Consumer b = topics.createConsumer(member("g").setAssignmentStrategy("all-to-first"));
    await(a.subscribe(List.of("t")));
    await(b.subscribe(List.of("t")));
    eventually("one member owns all", () -> await(a.assignment()).size() + await(b.assignment()).size() == 3
        && (await(a.assignment()).isEmpty() || await(b.assignment()).isEmpty()));
  }

  @Test
  void addedPartitionsAreAssigned() {
    createTopic("t", 2);
    Consumer a = topics.createConsumer(member("g"));
    await(a.subscribe(List.of("t")));
    await(topics.increasePartitions("t", 4));
    eventually("new partitions assigned", () -> await(a.assignment()).size() == 4);
  }

  @Test
  void committedOffsetsSurviveARestart() {
    createTopic("t", 2);
    produce("t", 0, 10);
    Consumer c = topics.createConsumer(member("g").setAutoCommit(false));
    await(c.subscribe(List.of("t")));
    pollUntil(c, 10);
    await(c.commit());
    restart();
    Consumer again = topics.createConsumer(member("g"));
    await(again.subscribe(List.of("t")));
    assertEquals(10L, await(again.committed(new TopicPartition("t", 0))));
    assertEquals(10L, await(again.position(new TopicPartition("t", 0))));
    assertEquals(java.util.Map.of(new TopicPartition("t", 0), 10L, new TopicPartition("t", 1), 0L),
        await(topics.describeGroup("g")).committed());
  }

  @Test
  void deletingATopicForgetsItsCommittedOffsets() {
    createTopic("t", 1);
    produce("t", 0, 3);
    Consumer c = topics.createConsumer(member("g").setAutoCommit(false));
    await(c.assign(List.of(new TopicPartition("t", 0))));
    await(c.commit(java.util.Map.of(new TopicPartition("t", 0), 3L)));
    await(c.close());
    await(topics.delete("t"));
    createTopic("t", 1);
    Consumer fresh = topics.createConsumer(member("g"));
    await(fresh.assign(List.of(new TopicPartition("t", 0))));
    assertEquals(null, await(fresh.committed(new TopicPartition("t", 0))));
  }

  // ---- raw protocol helpers -----------------------------------------------------------------------

  private JsonObject joinRequest(String memberId) {
    return new JsonObject().put("memberId", memberId).put("clientId", "raw").put("topics", new JsonArray().add("t"))
        .put("strategies", new JsonArray().add("range")).put("sessionTimeoutMs", 500).put("rebalanceTimeoutMs", 5000);
  }

  private Future<JsonObject> rawAsync(String op, JsonObject body) {
    Future<JsonObject> found = vertx.eventBus().<JsonObject>request("sluice.topics", new JsonObject().put("group", "g"),
        new DeliveryOptions().addHeader("op", "findCoordinator")).map(m -> m.body());
    return found.compose(x -> vertx.eventBus().<JsonObject>request("sluice.group.g", body, new DeliveryOptions().addHeader("op", op)
        .setSendTimeout(10_000))).map(m -> m.body()).recover(e -> Future.failedFuture(BusErrors.fromBus(e)));
  }

  private JsonObject raw(String op, JsonObject body) {
    return await(rawAsync(op, body));
  }

  private ErrorCode failure(String op, JsonObject body) {
    try {
      raw(op, body);
      return null;
    } catch (io.sluice.api.SluiceException e) {
      return e.code();
    }
  }
}
