package io.sluice.cluster.modes;

import static io.sluice.api.store.ContractSupport.await;

import io.sluice.api.store.LogStore;
import io.sluice.cluster.ReplicatedLogStore;
import io.sluice.cluster.internal.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A delivery mode on each node of a 3-node cluster in this JVM: a replicated store (RF 3, minInSync 2,
 * acks=all, memory stores underneath; after one node dies every log keeps two in-sync replicas, so writes
 * go on) and the mode over it, per node.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures.
 */
abstract class ModeClusterTestBase<M> {

  protected TestCluster cluster;
  protected final List<ReplicatedLogStore> stores = new ArrayList<>();
  protected final List<M> modes = new ArrayList<>();

  protected abstract Future<M> createMode(Vertx vertx, ReplicatedLogStore store);

  protected abstract Future<Void> closeMode(M mode);

  /** Before the modes close (e.g. the mode's clients). */
  protected void closeClients() {
  }

  @BeforeEach
  void startCluster() {
    cluster = new TestCluster(3, o -> o.setReplicationFactor(3).setMinInSync(2));
    for (int i = 0; i < 3; i++) {
      Vertx vertx = cluster.node(i).vertx();
      ReplicatedLogStore s = await(ReplicatedLogStore.create(cluster.node(i), LogStore.memory(vertx), "modes"));
      stores.add(s);
      modes.add(await(createMode(vertx, s)));
    }
  }

  @AfterEach
  void stopCluster() {
    try {
      closeClients();
      for (int i = 0; i < 3; i++) {
        if (cluster.node(i) != null) {
          await(closeMode(modes.get(i)));
          await(stores.get(i).close());
        }
      }
    } finally {
      cluster.close();
    }
  }

  /** The node leading {@code log} now, as node 0 sees the metadata. */
  protected int leaderOf(String log) {
    return cluster.indexOf(await(stores.get(0).placement(log)).leader());
  }
}
