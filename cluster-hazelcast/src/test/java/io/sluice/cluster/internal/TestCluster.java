package io.sluice.cluster.internal;

import io.sluice.api.store.ContractSupport;
import io.sluice.cluster.ClusterNode;
import io.sluice.cluster.ClusterOptions;
import io.vertx.core.Future;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * N nodes on loopback in this JVM, each with its own Vert.x and Hazelcast member on a free port, in a
 * cluster of a name no other test uses. Nodes are started one after the other, so node 0 is the oldest
 * member: the controller.
 *
 * <p>Thread contract: drive it from the test thread (it waits for futures there).
 */
public final class TestCluster implements AutoCloseable {

  private final String clusterName = "sluice-test-" + UUID.randomUUID();
  private final List<String> ids = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final List<ClusterNode> nodes = new ArrayList<>();
  private final Consumer<ClusterOptions> tune;
  private final LoopbackFirewall firewall;

  public TestCluster(int size, Consumer<ClusterOptions> tune) {
    this(size, size, tune, false);
  }

  /**
   * A cluster of {@code size} node ids (all in every join list), of which the first {@code started} start now;
   * {@code firewalled}: the members talk through a {@link #firewall()} that can split them.
   */
  public TestCluster(int size, int started, Consumer<ClusterOptions> tune, boolean firewalled) {
    this.tune = tune;
    for (int i = 0; i < size; i++) {
      ids.add("node-" + i);
      ports.add(freePort());
      nodes.add(null);
    }
    this.firewall = firewalled ? new LoopbackFirewall(size, ports::get) : null;
    for (int i = 0; i < started; i++) {
      start(i);
    }
    awaitSafe();
  }

  /** Starts node {@code i}, not started yet, on its port: a node joining the running cluster. */
  public ClusterNode join(int i) {
    ClusterNode n = start(i);
    awaitSafe();
    return n;
  }

  /**
   * Waits until every partition of Hazelcast's data has its backups in place (migrations after joins are
   * done), so losing one member loses no metadata. A node killed earlier can take partitions it alone held.
   */
  public void awaitSafe() {
    long deadline = System.currentTimeMillis() + 30_000;
    for (ClusterNode n : nodes) {
      if (n == null) {
        continue;
      }
      while (!((ClusterNodeImpl) n).hazelcast().getPartitionService().isClusterSafe()) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("the cluster did not become safe in 30 s");
        }
        try {
          Thread.sleep(20); // polls a condition, bounded by the deadline
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ClusterOptions options(int i) {
    List<String> join = new ArrayList<>();
    for (int j = 0; j < ports.size(); j++) {
      join.add("127.0.0.1:" + (firewall != null ? firewall.publicPort(j) : ports.get(j)));
    }
    ClusterOptions o = new ClusterOptions().setNodeId(ids.get(i)).setPort(ports.get(i)).setClusterName(clusterName)
        .setJoin(join).setHeartbeatIntervalSeconds(1).setMaxNoHeartbeatSeconds(4).setReplicaLagMaxMs(2000)
        .setFetchWaitMs(300).setRequestTimeoutMs(8000).setRetryTimeoutMs(15000).setHandOverTimeoutMs(3000);
    tune.accept(o);
    return o;
  }

  /** Starts node {@code i} again, after a crash or close: the same node id, on a fresh port. */
  public ClusterNode restart(int i) {
    ports.set(i, freePort());
    ClusterNode n = start(i);
    awaitSafe();
    return n;
  }

  private ClusterNode start(int i) {
    VertxOptions vo = new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4).setInternalBlockingPoolSize(2);
    ClusterNode n = ContractSupport.await(firewall == null ? ClusterNode.start(options(i), vo)
        : ClusterNodeImpl.start(options(i), vo, c -> firewall.configure(i, c)));
    nodes.set(i, n);
    return n;
  }

  /** The firewall between the members (null unless the cluster was made firewalled). */
  LoopbackFirewall firewall() {
    return firewall;
  }

  public ClusterNode node(int i) {
    return nodes.get(i);
  }

  public String id(int i) {
    return ids.get(i);
  }

  public int indexOf(String nodeId) {
    return ids.indexOf(nodeId);
  }

  public int size() {
    return nodes.size();
  }

  /** Kills node {@code i} the hard way: no hand-over, no goodbye. */
  public void crash(int i) {
    ContractSupport.await(((ClusterNodeImpl) nodes.get(i)).crash());
    nodes.set(i, null);
  }

  /** Graceful leave. */
  public void stop(int i) {
    ContractSupport.await(nodes.get(i).close());
    nodes.set(i, null);
  }

  @Override
  public void close() {
    List<Future<Void>> all = new ArrayList<>();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      ClusterNode n = nodes.get(i);
      if (n != null) {
        all.add(((ClusterNodeImpl) n).crash());
        nodes.set(i, null);
      }
    }
    ContractSupport.await(Future.join(all));
    if (firewall != null) {
      firewall.close();
    }
  }
}
