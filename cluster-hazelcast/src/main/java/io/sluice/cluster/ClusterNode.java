package io.sluice.cluster;

import io.sluice.cluster.internal.ClusterNodeImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;

/**
 * One member of a Sluice cluster: a clustered Vert.x over Hazelcast (membership and failure detection,
 * cluster metadata), bound to the configured host only (see {@link HazelcastConfigs}). Replicated logs
 * live in {@link ReplicatedLogStore}s created on a node.
 *
 * <p>The <b>controller</b> is the oldest member (the first of Hazelcast's member list, which every
 * member sees in the same order): the only node that changes a log's leadership after a member leaves,
 * always by compare-and-set on the log's metadata entry with a new leader epoch. When it leaves, the
 * next oldest takes over; no Hazelcast locks or atomics are involved (Community Edition has no CP).
 *
 * <p>Thread-safe.
 */
public interface ClusterNode {

  /** Starts a node with Vert.x defaults. */
  static Future<ClusterNode> start(ClusterOptions options) {
    return start(options, new VertxOptions());
  }

  /**
   * Starts a node: Hazelcast joins the cluster and Vert.x runs clustered on it, the event bus bound to
   * and advertising {@link ClusterOptions#getHost()}. Call from outside any event loop or on one; it
   * does not block.
   *
   * @param vertxOptions a base for this node's Vert.x (pool sizes...); its cluster settings are overwritten
   */
  static Future<ClusterNode> start(ClusterOptions options, VertxOptions vertxOptions) {
    return ClusterNodeImpl.start(options, vertxOptions);
  }

  String nodeId();

  ClusterOptions options();

  /** This node's clustered Vert.x. */
  Vertx vertx();

  /** The node ids of the live members, oldest first. */
  List<String> liveNodes();

  /** The node id of the controller (the oldest member). */
  String controller();

  /**
   * Whether this node sees a strict majority of the cluster: of max({@link ClusterOptions#getClusterSize()},
   * the nodes it has seen as members since it started, less those that left gracefully). Without it (the
   * minority side of a network split, or most nodes down) the node acknowledges no write on the logs it
   * leads ({@code not_leader}, retriable), counts no follower's fetch as progress, and changes no metadata,
   * so the majority side can elect new leaders without two leaders acknowledging writes.
   */
  boolean hasQuorum();

  /**
   * Leaves gracefully: every replicated store on this node hands its leaderships over to in-sync
   * followers first (so clients see no gap), then closes; then the node leaves the cluster and Vert.x closes.
   */
  Future<Void> close();
}
