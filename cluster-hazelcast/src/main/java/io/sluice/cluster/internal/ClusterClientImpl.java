package io.sluice.cluster.internal;

import com.hazelcast.config.Config;
import io.sluice.cluster.ClusterClient;
import io.sluice.cluster.ClusterOptions;
import io.sluice.cluster.HazelcastConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * A started {@link ClusterClient}: a clustered Vert.x on a Hazelcast lite member with no node id.
 *
 * <p>Thread-safe (immutable).
 */
public final class ClusterClientImpl implements ClusterClient {

  /** The node id a client's options are validated with; it never reaches the cluster (the attribute is removed). */
  private static final String NO_NODE = "client";

  private final Vertx vertx;

  private ClusterClientImpl(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Future<ClusterClient> start(ClusterOptions options, VertxOptions vertxOptions) {
    ClusterOptions o;
    HazelcastClusterManager manager;
    try {
      o = new ClusterOptions(options);
      if (o.getNodeId() == null) {
        o.setNodeId(NO_NODE);
      }
      manager = new HazelcastClusterManager(forClient(o.validate()));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    VertxOptions vo = new VertxOptions(vertxOptions).setEventBusOptions(ClusterNodeImpl.eventBusOptions(o));
    return Vertx.builder().with(vo).withClusterManager(manager).buildClustered()
        .map(ClusterClientImpl::new);
  }

  /**
   * A node's configuration (so the network rule is the same code), as a lite member without the node-id
   * attribute: the nodes count only members with a node id as live nodes, so a client never gets a replica.
   */
  static Config forClient(ClusterOptions o) {
    Config config = HazelcastConfigs.forNode(o);
    config.getMemberAttributeConfig().removeAttribute(HazelcastConfigs.NODE_ID_ATTRIBUTE);
    config.setLiteMember(true);
    return config;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public Future<Void> close() {
    return vertx.close();
  }
}
