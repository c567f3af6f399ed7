package io.sluice.cluster.internal;

import static io.sluice.api.store.ContractSupport.assertFails;
import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.cluster.Acks;
import io.sluice.cluster.Placement;
import io.sluice.cluster.Replication;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A network split on loopback ({@link LoopbackFirewall}): the leader of two logs (one acks=all, minInSync 2;
 * one acks=leader, minInSync 1; RF 3) is cut from the two other nodes. The minority leader must refuse both
 * kinds of writes while the majority elects new leaders and keeps accepting; after the heal every replica
 * converges and no acknowledged write is lost.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures.
 */
class SplitBrainTest extends ReplicatedStoreTestBase {

  @Override
  TestCluster newCluster() {
    return new TestCluster(3, 3, o -> o.setReplicationFactor(3).setMinInSync(2).setRetryTimeoutMs(1500)
        .setReplicaLagMaxMs(6000), true); // see ScaleOutTest
  }

  @Test
  void aMinorityLeaderRefusesWritesWhileTheMajorityElectsAndAcceptsThenEverythingConverges() {
    String all = "split-all";
    await(stores.get(0).open(all, new LogOptions(), new Replication(3, 2, Acks.ALL)));
    String minority = placement(0, all).leader();
    int m = cluster.indexOf(minority);
    // An acks=leader log led by the same node (placement spreads leaderships, so one of the next few is).
    String leaderAcked = null;
    for (int i = 0; i < 9 && leaderAcked == null; i++) {
      await(stores.get(0).open("split-leader-" + i, new LogOptions(), new Replication(3, 1, Acks.LEADER)));
      if (placement(0, "split-leader-" + i).leader().equals(minority)) {
        leaderAcked = "split-leader-" + i;
      }
    }
    assertTrue(leaderAcked != null, "an acks=leader log led by " + minority);
    List<String> logs = List.of(all, leaderAcked);
    int majority = (m + 1) % 3;
    List<List<String>> acked = List.of(new ArrayList<>(), new ArrayList<>());
    for (int l = 0; l < 2; l++) {
      PartitionLog h = await(stores.get(majority).open(logs.get(l)));
      for (int i = 0; i < 10; i++) {
        await(h.append(batch("before-" + i)));
        acked.get(l).add("before-" + i);
      }
      String log = logs.get(l);
      eventually("every replica of " + log + " has the records before the split", 10_000,
          () -> copyEnd(0, log) == 10 && copyEnd(1, log) == 10 && copyEnd(2, log) == 10);
    }

    long[] epochBefore = {placement(0, all).leaderEpoch(), placement(0, leaderAcked).leaderEpoch()};
    cluster.firewall().isolate(m);
    eventually("the isolated leader knows it is in a minority", 20_000, () -> !cluster.node(m).hasQuorum());
    for (String log : logs) {
      eventually("the majority elects a new leader of " + log, 20_000, () -> {
        Placement p = placement(majority, log);
        return p.leader() != null && !p.leader().equals(minority);
      });
    }
    assertTrue(cluster.node(majority).hasQuorum(), "two of three is a majority");

    for (String log : logs) {
      PartitionLog onMinority = await(stores.get(m).open(log));
      long before = copyEnd(m, log);
      var e = assertFails(ErrorCode.NOT_LEADER, () -> onMinority.append(batch("refused")));
      assertTrue(e.retriable(), "a retriable error: " + e);
      assertEquals(before, copyEnd(m, log), "the minority appended nothing to " + log);
    }
    for (int l = 0; l < 2; l++) {
      PartitionLog h = await(stores.get(majority).open(logs.get(l)));
      for (int i = 0; i < 10; i++) {
        await(h.append(batch("during-" + i)));
        acked.get(l).add("during-" + i);
      }
    }

    cluster.firewall().heal();
    eventually("the isolated node sees a majority again", 60_000, () -> cluster.node(m).hasQuorum());
    for (int l = 0; l < 2; l++) {
      String log = logs.get(l);
      long epoch = epochBefore[l];
      eventually("the healed node knows the majority's leadership of " + log, 30_000,
          () -> placement(m, log).leaderEpoch() > epoch);
      eventually("every replica of " + log + " converges", 30_000,
          () -> copyBytes(0, log).equals(copyBytes(1, log)) && copyBytes(1, log).equals(copyBytes(2, log)));
      PartitionLog h = await(stores.get(m).open(log));
      await(h.append(batch("after")));
      acked.get(l).add("after");
      List<String> expected = acked.get(l);
      // An acks=leader write is acknowledged before its followers have it, and readable once they do.
      eventually("every acknowledged write of " + log + " is there, once, in order", 10_000,
          () -> values(h).equals(expected));
      assertFalse(values(h).contains("refused"));
    }
  }
}
