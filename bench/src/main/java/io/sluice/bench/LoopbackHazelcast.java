package io.sluice.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.UUID;

/**
 * An embedded Hazelcast member that never leaves loopback: it binds 127.0.0.1 only, joins by TCP-IP to
 * 127.0.0.1, with multicast discovery, auto-detection (which probes cloud metadata addresses) and
 * phone-home all off, and a cluster name of its own so it joins nothing else.
 */
final class LoopbackHazelcast {

  private LoopbackHazelcast() {
  }

  static HazelcastInstance start() {
    return Hazelcast.newHazelcastInstance(config("sluice-bench-" + UUID.randomUUID()));
  }

  /** The loopback-only member config, for members that must find each other under {@code clusterName}. */
  static Config config(String clusterName) {
    System.setProperty("hazelcast.phone.home.enabled", "false");
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    NetworkConfig network = config.getNetworkConfig();
    network.setPublicAddress("127.0.0.1");
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    return config;
  }
}
