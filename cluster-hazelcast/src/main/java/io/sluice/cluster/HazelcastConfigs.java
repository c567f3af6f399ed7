package io.sluice.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;

/**
 * The programmatic Hazelcast configuration of a node. The network rule is hard: Hazelcast binds the
 * configured host only (127.0.0.1 by default; interfaces enabled with just that address,
 * {@code hazelcast.socket.bind.any=false}), discovers members by TCP-IP to the join list only, with
 * multicast, auto-detection (which probes cloud metadata addresses) and phone-home all off. A test
 * checks every one of these settings.
 *
 * <p>Failure detection: heartbeats every {@link ClusterOptions#getHeartbeatIntervalSeconds()}, a member
 * silent for {@link ClusterOptions#getMaxNoHeartbeatSeconds()} is removed, so a dead node is noticed
 * within a few seconds instead of Hazelcast's default minute.
 *
 * <p>Thread-safe (stateless).
 */
public final class HazelcastConfigs {

  /** The member attribute carrying {@link ClusterOptions#getNodeId()}. */
  public static final String NODE_ID_ATTRIBUTE = "sluice.node";
  /** Maps of Sluice metadata: replicated to two backups, so losing two members keeps it. */
  public static final String METADATA_MAPS = "sluice.*";

  private HazelcastConfigs() {
  }

  public static Config forNode(ClusterOptions options) {
    ClusterOptions o = new ClusterOptions(options).validate();
    // Also as a system property: Hazelcast reads phone-home before it reads the config in some versions.
    System.setProperty("hazelcast.phone.home.enabled", "false");
    Config config = new Config();
    config.setClusterName(o.getClusterName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(o.getHeartbeatIntervalSeconds()));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(o.getMaxNoHeartbeatSeconds()));
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    config.setProperty("hazelcast.graceful.shutdown.max.wait", "15");
    config.getMemberAttributeConfig().setAttribute(NODE_ID_ATTRIBUTE, o.getNodeId());

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(o.getPort()).setPortAutoIncrement(false);
    network.setPublicAddress(o.getHost() + ":" + o.getPort());
    network.getInterfaces().setEnabled(true).addInterface(o.getHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(o.getJoin().isEmpty()
        ? java.util.List.of(o.getHost() + ":" + o.getPort()) : o.getJoin());

    // What vertx-hazelcast's default-cluster.xml declares for the event bus's own structures.
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig(METADATA_MAPS).setBackupCount(2));
    return config;
  }
}
