package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The network rule, setting by setting: nobody can silently let a node talk beyond its host. */
class HazelcastConfigsTest {

  private static ClusterOptions options() {
    return new ClusterOptions().setNodeId("n1").setPort(15701).setClusterName("unit-test")
        .setJoin(List.of("127.0.0.1:15701", "127.0.0.1:15702"));
  }

  @Test
  void bindsJoinsAndAdvertisesOnlyTheConfiguredHost() {
    Config c = HazelcastConfigs.forNode(options());
    NetworkConfig n = c.getNetworkConfig();
    assertEquals("false", c.getProperty("hazelcast.socket.bind.any"), "bind.any off: only the listed interface");
    assertTrue(n.getInterfaces().isEnabled(), "interfaces enabled");
    assertEquals(List.of("127.0.0.1"), List.copyOf(n.getInterfaces().getInterfaces()));
    assertEquals("127.0.0.1:15701", n.getPublicAddress());
    assertEquals(15701, n.getPort());
    assertFalse(n.isPortAutoIncrement(), "one address per node, no probing of neighbouring ports");
    JoinConfig j = n.getJoin();
    assertFalse(j.getMulticastConfig().isEnabled(), "multicast off");
    assertFalse(j.getAutoDetectionConfig().isEnabled(), "auto-detection off (it probes cloud metadata addresses)");
    assertFalse(j.getAwsConfig().isEnabled());
    assertFalse(j.getKubernetesConfig().isEnabled());
    assertTrue(j.getTcpIpConfig().isEnabled(), "TCP-IP join");
    assertEquals(List.of("127.0.0.1:15701", "127.0.0.1:15702"), j.getTcpIpConfig().getMembers(), "the join list only");
    assertEquals("false", c.getProperty("hazelcast.phone.home.enabled"), "phone-home off");
    assertEquals("false", System.getProperty("hazelcast.phone.home.enabled"), "phone-home off for the JVM too");
    assertEquals("unit-test", c.getClusterName());
    assertEquals("n1", c.getMemberAttributeConfig().getAttribute(HazelcastConfigs.NODE_ID_ATTRIBUTE));
  }

  @Test
  void failureDetectionNoticesADeadMemberInSeconds() {
    Config c = HazelcastConfigs.forNode(options().setHeartbeatIntervalSeconds(1).setMaxNoHeartbeatSeconds(5));
    assertEquals("1", c.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("5", c.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals(2, c.getMapConfig("sluice.assignments.default").getBackupCount(), "metadata keeps two backups");
  }

  @Test
  void anotherHostIsUsedEverywhereTheLoopbackWouldBe() {
    Config c = HazelcastConfigs.forNode(options().setHost("10.1.2.3").setJoin(List.of()));
    NetworkConfig n = c.getNetworkConfig();
    assertEquals(List.of("10.1.2.3"), List.copyOf(n.getInterfaces().getInterfaces()));
    assertEquals("10.1.2.3:15701", n.getPublicAddress());
    assertEquals(List.of("10.1.2.3:15701"), n.getJoin().getTcpIpConfig().getMembers(), "alone: joins itself only");
  }

  @Test
  void badSettingsFailWithInvalidArgument() {
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> new ClusterOptions().setJoin(List.of("no-port")));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> new ClusterOptions().setPort(0));
    assertCode(ErrorCode.INVALID_NAME, () -> new ClusterOptions().setNodeId("bad id"));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> HazelcastConfigs.forNode(new ClusterOptions()));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> options().setReplicationFactor(2).setMinInSync(3).validate());
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> options().setFetchWaitMs(5000).setReplicaLagMaxMs(1000).validate());
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> new Replication(2, 3, Acks.ALL));
  }

  private static void assertCode(ErrorCode code, Runnable r) {
    SluiceException e = assertThrows(SluiceException.class, r::run);
    assertEquals(code, e.code(), e.getMessage());
  }
}
