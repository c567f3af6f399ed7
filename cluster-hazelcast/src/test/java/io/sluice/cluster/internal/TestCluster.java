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

  public TestCluster(int size, Consumer<ClusterOptions> tune) {
    this.tune = tune;
    for (int i = 0; i < size; i++) {
      ids.add("node-" + i);
      ports.add(freePort());
      nodes.add(null);
    }
    for (int i = 0; i < size; i++) {
      restart(i);
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
    for (int p : ports) {
      join.add("127.0.0.1:" + p);
    }
    ClusterOptions o = new ClusterOptions().setNodeId(ids.get(i)).setPort(ports.get(i)).setClusterName(clusterName)
        .setJoin(join).setHeartbeatIntervalSeconds(1).setMaxNoHeartbeatSeconds(4).setReplicaLagMaxMs(2000)
        .setFetchWaitMs(300).setRequestTimeoutMs(8000).setRetryTimeoutMs(15000).setHandOverTimeoutMs(3000);
    tune.accept(o);
    return o;
  }

  /** Starts node {@code i} (again, after a crash or close), as the same node id. */
  public ClusterNode restart(int i) {
    VertxOptions vo = new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4).setInternalBlockingPoolSize(2);
    ClusterNode n = ContractSupport.await(ClusterNode.start(options(i), vo));
    nodes.set(i, n);
    return n;
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
  }
}
