/**
 * The cluster through Hazelcast: membership ({@link io.sluice.cluster.ClusterNode}), cluster metadata,
 * and replicated logs ({@link io.sluice.cluster.ReplicatedLogStore}) with leaders, followers, in-sync
 * replicas, leader epochs and failover. See the module README for the model and its guarantees.
 */
package io.sluice.cluster;
