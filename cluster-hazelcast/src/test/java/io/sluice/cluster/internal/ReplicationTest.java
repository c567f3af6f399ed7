package io.sluice.cluster.internal;

import static io.sluice.api.store.ContractSupport.assertFails;
import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.Durability;
import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.SluiceException;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.Leadership;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.cluster.Acks;
import io.sluice.cluster.Placement;
import io.sluice.cluster.ReplicatedLogStore;
import io.sluice.cluster.Replication;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication on three nodes on loopback in this JVM: acks, min-in-sync refusal, follower catch-up,
 * leader failure with truncation of a divergent tail, and graceful hand-over. Each test has its own
 * cluster. Each node's local store is a file store (fsync=always) in its own directory, on a separate
 * Vert.x that outlives the nodes; a crashed node's store is closed and a new one opened on the same
 * directory when the node restarts, so it recovers its logs and epoch history from disk.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures (never an event loop).
 */
class ReplicationTest extends ReplicatedStoreTestBase {

  @Override
  TestCluster newCluster() {
    return new TestCluster(3, o -> o.setReplicationFactor(2).setMinInSync(2));
  }

  private int other(Placement p) {
    for (int i = 0; i < 3; i++) {
      if (!p.replicas().contains(cluster.id(i))) {
        return i;
      }
    }
    return cluster.indexOf(p.leader());
  }

  private int follower(Placement p) {
    return cluster.indexOf(p.replicas().stream().filter(r -> !r.equals(p.leader())).findFirst().orElseThrow());
  }

  @Test
  void theStoreNeutralLeadershipFollowsTheLeaderAndTellsListenersOnTheirContext() {
    List<List<String>> told = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      List<String> mine = new CopyOnWriteArrayList<>();
      told.add(mine);
      Leadership leadership = stores.get(i).leadership();
      assertTrue(leadership.distributed());
      Context ctx = disks.getOrCreateContext();
      CompletableFuture<Void> added = new CompletableFuture<>();
      ctx.runOnContext(v -> {
        leadership.addListener((log, leader) -> mine.add(log + "=" + leader + (Vertx.currentContext() == ctx ? "" : " (wrong context)")));
        added.complete(null);
      });
      added.join();
    }
    await(stores.get(0).open("ledger-0", new LogOptions(), new Replication(2, 1, Acks.ALL)));
    Placement p = placement(0, "ledger-0");
    int leader = cluster.indexOf(p.leader());
    int f = follower(p);
    eventually("the leader leads, in its own view", 10_000, () -> stores.get(leader).leadership().leads("ledger-0"));
    assertFalse(stores.get(f).leadership().leads("ledger-0"));
    assertFalse(stores.get(other(p)).leadership().leads("ledger-0"));
    eventually("the leader's listener heard it", 5000, () -> told.get(leader).equals(List.of("ledger-0=true")));

    crash(leader);
    eventually("the follower leads after the crash", 15_000, () -> stores.get(f).leadership().leads("ledger-0"));
    eventually("the new leader's listener heard it", 5000, () -> told.get(f).equals(List.of("ledger-0=true")));
    assertEquals(List.of(), told.get(other(p)), "a node with no replica was never told");
  }

  @Test
  void acksAllCompletesOnlyOnceEveryInSyncReplicaHasTheRecords() {
    PartitionLog log = await(stores.get(0).open("orders-0", new LogOptions(), new Replication(3, 2, Acks.ALL)));
    Placement p = placement(0, "orders-0");
    assertEquals(3, p.replicas().size(), "three replicas on three nodes");
    assertEquals(3, p.isr().size());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      AppendResult r = await(log.append(batch("a" + i, "b" + i)));
      expected.add("a" + i);
      expected.add("b" + i);
      assertEquals(Durability.REPLICATED, r.durability());
      for (String replica : p.isr()) {
        assertTrue(copyEnd(cluster.indexOf(replica), "orders-0") > r.lastOffset(),
            "an acknowledged append is on in-sync replica " + replica);
      }
    }
    for (int via = 0; via < 3; via++) {
      PartitionLog h = await(stores.get(via).open("orders-0"));
      assertEquals(expected, values(h), "every node reads the same log, through its leader");
    }
    Buffer leaderCopy = copyBytes(cluster.indexOf(p.leader()), "orders-0");
    for (int i = 0; i < 3; i++) {
      assertEquals(leaderCopy, copyBytes(i, "orders-0"), "replica on node " + i + " is byte-identical");
    }

    PartitionLog fast = await(stores.get(1).open("fast-0", new LogOptions(), new Replication(2, 1, Acks.LEADER)));
    AppendResult r = await(fast.append(batch("x")));
    assertEquals(Durability.LOCAL_FSYNC, r.durability(), "acks=leader completes with the leader's local durability");

    await(log.trimBefore(30));
    for (String replica : p.replicas()) {
      eventually("replica " + replica + " follows the leader's trim", 10_000,
          () -> await(await(stores.get(cluster.indexOf(replica)).localCopy("orders-0")).startOffset()) == 30);
    }
  }

  @Test
  void anAcksAllAppendIsRefusedWhileFewerThanMinInSyncReplicasAreInSync() {
    PartitionLog log = await(stores.get(0).open("payments-0", new LogOptions(), new Replication(2, 2, Acks.ALL)));
    Placement p = placement(0, "payments-0");
    await(log.append(batch("before")));
    int f = follower(p);
    int via = cluster.indexOf(p.leader());
    PartitionLog onLeader = await(stores.get(via).open("payments-0"));
    crash(f);
    SluiceException e = assertFails(ErrorCode.NOT_ENOUGH_REPLICAS, () -> onLeader.append(batch("during")));
    assertTrue(e.retriable(), "not_enough_replicas is retriable");
    eventually("the dead follower leaves the in-sync set", 10_000,
        () -> placement(via, "payments-0").isr().equals(List.of(p.leader())));
    long end = await(onLeader.endOffset());
    assertFails(ErrorCode.NOT_ENOUGH_REPLICAS, () -> onLeader.append(batch("refused")));
    assertEquals(end, await(onLeader.endOffset()), "a refused append appends nothing");
    assertFalse(values(onLeader).contains("refused"));
  }

  @Test
  void aStoppedFollowerCatchesUpAndRejoinsTheInSyncSet() {
    PartitionLog log = await(stores.get(0).open("events-0", new LogOptions(), new Replication(2, 1, Acks.ALL)));
    Placement p = placement(0, "events-0");
    int f = follower(p);
    int leader = cluster.indexOf(p.leader());
    PartitionLog onLeader = await(stores.get(leader).open("events-0"));
    for (int i = 0; i < 10; i++) {
      await(onLeader.append(batch("first-" + i)));
    }
    crash(f);
    for (int i = 0; i < 30; i++) {
      await(onLeader.append(batch("while-down-" + i)));
    }
    eventually("the follower is out of the in-sync set", 10_000,
        () -> !placement(leader, "events-0").isr().contains(cluster.id(f)));
    restart(f);
    eventually("the follower catches up", 15_000, () -> copyEnd(f, "events-0") == 40);
    eventually("and rejoins the in-sync set", 10_000, () -> placement(leader, "events-0").isr().contains(cluster.id(f)));
    assertEquals(copyBytes(leader, "events-0"), copyBytes(f, "events-0"), "the copies are identical");
    assertEquals(Durability.REPLICATED, await(onLeader.append(batch("after"))).durability());
  }

  /** A queue trims what is acknowledged: a follower that was down meanwhile ends below the leader's start. */
  @Test
  void aFollowerLeftBelowTheLeadersStartStartsAgainThereAndRejoinsTheInSyncSet() {
    PartitionLog log = await(stores.get(0).open("jobs-0", new LogOptions(), new Replication(2, 1, Acks.ALL)));
    Placement p = placement(0, "jobs-0");
    int f = follower(p);
    int leader = cluster.indexOf(p.leader());
    PartitionLog onLeader = await(stores.get(leader).open("jobs-0"));
    for (int i = 0; i < 10; i++) {
      await(onLeader.append(batch("first-" + i)));
    }
    eventually("the follower has the first records", 10_000, () -> copyEnd(f, "jobs-0") == 10);
    crash(f);
    for (int i = 0; i < 30; i++) {
      await(onLeader.append(batch("while-down-" + i)));
    }
    await(onLeader.trimBefore(25));
    eventually("the follower is out of the in-sync set", 10_000,
        () -> !placement(leader, "jobs-0").isr().contains(cluster.id(f)));
    restart(f);
    eventually("the follower catches up from the leader's start", 15_000, () -> copyEnd(f, "jobs-0") == 40);
    eventually("and rejoins the in-sync set", 10_000, () -> placement(leader, "jobs-0").isr().contains(cluster.id(f)));
    PartitionLog copy = await(stores.get(f).localCopy("jobs-0"));
    assertEquals(25, await(copy.startOffset()), "the copy starts where the leader's does");
    assertEquals(copyBytes(leader, "jobs-0"), copyBytes(f, "jobs-0"), "the copies are identical");
    assertEquals(Durability.REPLICATED, await(onLeader.append(batch("after"))).durability());
  }

  @Test
  void aKilledLeaderIsReplacedAndTheUnacknowledgedDivergentTailIsCut() throws Exception {
    PartitionLog log = await(stores.get(0).open("audit-0", new LogOptions(), new Replication(2, 1, Acks.ALL)));
    Placement p = placement(0, "audit-0");
    int leader = cluster.indexOf(p.leader());
    int f = follower(p);
    int client = other(p);
    List<String> acked = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      await(log.append(batch("acked-" + i)));
      acked.add("acked-" + i);
    }
    // The follower stops fetching; the leader appends a record nobody else gets, and dies before acknowledging it.
    stores.get(f).pauseFetching(true);
    PartitionLog onLeader = await(stores.get(leader).open("audit-0"));
    Future<AppendResult> lost = onLeader.append(batch("never-acknowledged"));
    eventually("the leader appended locally", 5000, () -> copyEnd(leader, "audit-0") == 11);
    long crashedAt = System.nanoTime();
    crash(leader);
    stores.get(f).pauseFetching(false);
    eventually("the in-sync follower is elected", 15_000,
        () -> cluster.id(f).equals(placement(client, "audit-0").leader()));
    long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
    System.out.println("failover: new leader " + cluster.id(f) + " " + failoverMs + " ms after the crash");
    assertTrue(placement(client, "audit-0").leaderEpoch() > p.leaderEpoch(), "a new epoch");
    assertFalse(succeeded(lost), "the record the old leader never replicated was not acknowledged");

    PartitionLog viaClient = await(stores.get(client).open("audit-0"));
    await(viaClient.append(batch("after-failover")));
    acked.add("after-failover");
    assertEquals(acked, values(viaClient), "every acknowledged record survived, nothing else is visible");

    restart(leader);
    eventually("the old leader follows and converges", 15_000,
        () -> copyBytes(leader, "audit-0").equals(copyBytes(f, "audit-0")));
    assertEquals(11, copyEnd(leader, "audit-0"), "its divergent record was cut and replaced by the new leader's");
    eventually("it rejoins the in-sync set", 10_000,
        () -> placement(client, "audit-0").isr().contains(cluster.id(leader)));
  }

  @Test
  void aLaggingFollowerLeavesTheInSyncSetAndRejoinsOnceCaughtUp() {
    PartitionLog log = await(stores.get(0).open("lag-0", new LogOptions(), new Replication(2, 1, Acks.ALL)));
    Placement p = placement(0, "lag-0");
    int f = follower(p);
    int leader = cluster.indexOf(p.leader());
    await(log.append(batch("one")));
    stores.get(f).pauseFetching(true);
    await(log.append(batch("two")));
    eventually("the lagging follower is dropped after replicaLagMaxMs", 10_000,
        () -> placement(leader, "lag-0").isr().equals(List.of(p.leader())));
    assertEquals(Durability.REPLICATED, await(log.append(batch("three"))).durability(),
        "with minInSync 1 the leader alone acknowledges");
    stores.get(f).pauseFetching(false);
    eventually("it rejoins once caught up", 10_000, () -> placement(leader, "lag-0").isr().size() == 2);
    assertEquals(copyBytes(leader, "lag-0"), copyBytes(f, "lag-0"));
  }

  @Test
  void anOffsetTheLeaderHoldsAboveTheHighWatermarkReadsEmptyNotOutOfRange() {
    PartitionLog log = await(stores.get(0).open("hw-0", new LogOptions(), new Replication(2, 1, Acks.LEADER)));
    Placement p = placement(0, "hw-0");
    await(log.append(batch("a")));
    eventually("the follower confirms offset 0", 10_000, () -> await(log.endOffset()) == 1);
    stores.get(follower(p)).pauseFetching(true);
    assertEquals(1, await(log.append(batch("b"))).baseOffset(), "acks=leader: appended at the leader only");
    assertEquals(1, await(log.endOffset()), "not visible before a follower has it");
    assertTrue(await(log.read(1, 10, 1000)).isEmpty(), "at the visible end: empty");
    var rs = await(log.read(2, 10, 1000));
    assertTrue(rs.isEmpty(), "at the leader's own end, beyond the visible one: empty, so a consumer waits");
    assertEquals(2, rs.nextOffset());
    assertFails(ErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(3, 10, 1000));
    stores.get(follower(p)).pauseFetching(false);
    eventually("visible once the follower has it", 10_000, () -> await(log.endOffset()) == 2);
    assertEquals(List.of("a", "b"), values(log));
  }

  @Test
  void aFetchOfAStaleEpochIsRefused() {
    await(stores.get(0).open("fenced-0", new LogOptions(), new Replication(2, 2, Acks.ALL)));
    Placement p = placement(0, "fenced-0");
    int f = follower(p);
    Wire.Frame stale = Wire.Frame.empty().with("op", "fetch").with("log", "fenced-0").with("uid", "whatever")
        .with("epoch", p.leaderEpoch() - 1).with("replica", cluster.id(f)).with("offset", 0);
    Future<SluiceException> refused = cluster.node(f).vertx().eventBus()
        .<Buffer>request("sluice.replica." + NS + "." + p.leader(), stale.body(), stale.delivery(5000))
        .transform(ar -> Future.succeededFuture(ar.failed() ? Wire.error(ar.cause(), "fenced-0", p.leader()) : null));
    SluiceException e = await(refused);
    assertTrue(e != null && e.code() == ErrorCode.NOT_LEADER, "a stale epoch is fenced: " + e);
  }

  private static boolean succeeded(Future<AppendResult> f) throws InterruptedException {
    CompletableFuture<AppendResult> c = f.toCompletionStage().toCompletableFuture();
    try {
      c.get(20, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      return false;
    } catch (TimeoutException e) {
      throw new AssertionError("the append neither completed nor failed");
    }
  }

  @Test
  void producersKeepGoingThroughALeaderCrashWithoutLosingAnAcknowledgedRecord() {
    PartitionLog log = await(stores.get(0).open("clicks-0", new LogOptions(), new Replication(3, 2, Acks.ALL)));
    Placement p = placement(0, "clicks-0");
    int leader = cluster.indexOf(p.leader());
    int client = (leader + 1) % 3;
    PartitionLog producer = await(stores.get(client).open("clicks-0"));
    List<String> acked = new ArrayList<>();
    int failed = 0;
    long crashedAt = 0;
    long firstAckAfterCrash = 0;
    for (int i = 0; i < 80 && failed < 4; i++) {
      if (i == 40) {
        crash(leader);
        crashedAt = System.nanoTime();
      }
      try {
        await(producer.append(batch("click-" + i)));
        acked.add("click-" + i);
        if (crashedAt != 0 && firstAckAfterCrash == 0) {
          firstAckAfterCrash = System.nanoTime();
        }
      } catch (AssertionError e) {
        failed++;
        System.out.println("append " + i + " failed: " + e.getMessage());
      }
    }
    System.out.println("leader crash under load: " + acked.size() + " acknowledged, " + failed + " failed, first ack "
        + TimeUnit.NANOSECONDS.toMillis(firstAckAfterCrash - crashedAt) + " ms after the crash");
    assertTrue(firstAckAfterCrash != 0, "producing resumed after the crash");
    assertTrue(failed <= 2, "the store retried through the failover (" + failed + " appends failed)");
    List<String> stored = values(producer);
    for (String v : acked) {
      assertTrue(stored.contains(v), "acknowledged " + v + " is in the log");
    }
    Placement after = placement(client, "clicks-0");
    assertNotEquals(p.leader(), after.leader());
    int a = cluster.indexOf(after.isr().get(0));
    for (String r : after.isr()) {
      assertEquals(copyBytes(a, "clicks-0"), copyBytes(cluster.indexOf(r), "clicks-0"), "in-sync copies are identical");
    }
  }

  @Test
  void aGracefulLeaveHandsLeadershipOverBeforeTheNodeGoes() {
    await(stores.get(0).open("orders-1", new LogOptions(), new Replication(3, 2, Acks.ALL)));
    Placement p = placement(0, "orders-1");
    int leader = cluster.indexOf(p.leader());
    int client = (leader + 1) % 3;
    PartitionLog producer = await(stores.get(client).open("orders-1"));
    for (int i = 0; i < 20; i++) {
      await(producer.append(batch("before-" + i)));
    }
    CompletableFuture<Void> leaving = cluster.node(leader).close().toCompletionStage().toCompletableFuture();
    int i = 0;
    long worstMs = 0;
    while (!leaving.isDone() || i < 40) {
      long t0 = System.nanoTime();
      await(producer.append(batch("during-" + i++)));
      worstMs = Math.max(worstMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
    await(Future.fromCompletionStage(leaving));
    System.out.println("graceful leave: " + i + " appends during the hand-over, none failed, slowest " + worstMs + " ms");
    Placement after = placement(client, "orders-1");
    assertNotEquals(p.leader(), after.leader(), "leadership moved");
    assertFalse(after.isr().contains(p.leader()), "the leaver is no longer in sync");
    assertEquals(20 + i, values(producer).size(), "every append landed exactly once");
  }
}
