package io.sluice.cluster;

import io.sluice.cluster.internal.ClusterClientImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * A client of a Sluice cluster in another JVM than its nodes: a clustered Vert.x whose event bus reaches
 * every node, which stores nothing and runs no owners. Use its {@link #vertx()} with
 * {@code Topics.connect(vertx)} and {@code Queues.connect(vertx)}: their calls travel over the clustered
 * event bus to the owners, wherever the leaders are.
 *
 * <p>It joins as a Hazelcast <em>lite member</em> without a node id: it owns no partition of the cluster's
 * metadata maps, and it is not one of {@link ClusterNode#liveNodes()}, so it is never given a replica or a
 * leadership and never becomes the controller; it may come and go at any time. The network rule of
 * {@link HazelcastConfigs} applies unchanged (binds {@link ClusterOptions#getHost()} only, TCP-IP join to the
 * join list only, multicast, auto-detection and phone-home off).
 *
 * <p>Of {@link ClusterOptions} a client uses the host, the port (its own Hazelcast port: free, and not a
 * node's), the event-bus port, the join list (the nodes' {@code host:port}), the cluster name and the failure
 * detection settings; the node id and the replication defaults are ignored.
 *
 * <p>Thread-safe.
 */
public interface ClusterClient {

  /** Joins the cluster with Vert.x defaults. */
  static Future<ClusterClient> start(ClusterOptions options) {
    return start(options, new VertxOptions());
  }

  /**
   * Joins the cluster. Does not block; call from anywhere.
   *
   * @param vertxOptions a base for the client's Vert.x; its cluster settings are overwritten
   */
  static Future<ClusterClient> start(ClusterOptions options, VertxOptions vertxOptions) {
    return ClusterClientImpl.start(options, vertxOptions);
  }

  /** The client's clustered Vert.x. */
  Vertx vertx();

  /** Leaves the cluster and closes the Vert.x (close the Topics and Queues made on it first). */
  Future<Void> close();
}
