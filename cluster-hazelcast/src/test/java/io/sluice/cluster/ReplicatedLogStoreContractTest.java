package io.sluice.cluster;

import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.Durability;
import io.sluice.api.store.ContractSupport;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.LogStoreContractTest;
import io.sluice.cluster.internal.TestCluster;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on a replicated store: three nodes on loopback (one cluster for the class, so
 * the suite stays fast), replication factor 2, minInSync 2, acks=all, memory stores underneath. Each
 * test gets its own namespace (its own metadata map and addresses) and fresh local stores, and the
 * store under test is node 1's, so calls run both on leaders and forwarded from followers.
 *
 * <p>Deviations: appends complete with {@code REPLICATED}; the truncation cases do not apply (a
 * replicated log does not offer truncateTo to users); the leak check tolerates the cluster's own
 * Vert.x and Hazelcast threads, which live for the whole class.
 */
class ReplicatedLogStoreContractTest extends LogStoreContractTest {

  private static TestCluster cluster;
  private final List<LogStore> others = new ArrayList<>();
  private Set<Thread> before;

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster(3, o -> o.setReplicationFactor(2).setMinInSync(2).setAcks(Acks.ALL));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void threads() {
    before = ContractSupport.liveThreads();
  }

  @Override
  protected LogStore createStore(Vertx vertx, Path dataDir) {
    String namespace = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    LogStore mine = null;
    for (int i = 0; i < cluster.size(); i++) {
      ClusterNode n = cluster.node(i);
      LogStore s = await(ReplicatedLogStore.create(n, LogStore.memory(n.vertx()), namespace));
      if (i == 1) {
        mine = s;
      } else {
        others.add(s);
      }
    }
    return mine;
  }

  @Override
  protected Durability expectedDurability(FsyncPolicy policy) {
    return Durability.REPLICATED;
  }

  @AfterEach
  @Override
  public void closeStoreAndCheckLeaks() {
    try {
      if (store != null) {
        await(store.close());
      }
      for (LogStore s : others) {
        await(s.close());
      }
    } finally {
      ContractSupport.closeVertx(vertx);
    }
    // The cluster's Vert.x and Hazelcast threads belong to the class, not to the test; any other thread must be gone.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> leaked;
    do {
      leaked = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && !before.contains(t) && !t.getName().startsWith("hz.")
              && !t.getName().startsWith("vert.x-") && !t.getName().startsWith("ForkJoinPool")
              && !t.getName().startsWith("process reaper") && !t.getName().startsWith("Attach Listener")
              && !t.getName().startsWith("globalEventExecutor"))
          .map(Thread::getName).toList();
      if (leaked.isEmpty()) {
        return;
      }
      Thread.onSpinWait();
    } while (System.nanoTime() < deadline);
    fail("threads leaked by the test: " + leaked);
  }

  private static final String NO_TRUNCATE = "a replicated log does not offer truncateTo to users: its replicas truncate "
      + "themselves after a leader change (covered by ReplicationTest)";

  @Test
  @Disabled(NO_TRUNCATE)
  @Override
  public void truncateToDropsTheTailAndTheNextAppendGetsTheOffset() {
  }

  @Test
  @Disabled(NO_TRUNCATE)
  @Override
  public void truncateToAcrossSegmentsDropsWholeSegmentsAndShrinksTheSize() {
  }

  @Test
  @Disabled(NO_TRUNCATE)
  @Override
  public void truncateToAtOrPastTheEndIsANoOpAndAtTheStartEmptiesTheLog() {
  }

  @Test
  @Disabled(NO_TRUNCATE)
  @Override
  public void badTruncationOffsetsFailAndChangeNothing() {
  }

  @Test
  @Disabled(NO_TRUNCATE)
  @Override
  public void aWaiterKeepsWaitingAcrossATruncationAndAnAppendWakesIt() {
  }
}
