package io.sluice.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.sluice.cluster.ClusterOptions;
import io.sluice.cluster.HazelcastConfigs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client's member: a lite member the nodes do not count, under the nodes' network rule unchanged. */
class ClusterClientConfigTest {

  @Test
  void aClientIsALiteMemberWithoutANodeIdUnderTheNetworkRule() {
    Config c = ClusterClientImpl.forClient(new ClusterOptions().setNodeId("ignored").setPort(15801).setClusterName("unit-test")
        .setJoin(List.of("127.0.0.1:15701")));
    assertTrue(c.isLiteMember(), "owns no partition of the metadata maps");
    assertNull(c.getMemberAttributeConfig().getAttribute(HazelcastConfigs.NODE_ID_ATTRIBUTE), "not one of the live nodes");
    NetworkConfig n = c.getNetworkConfig();
    assertEquals(List.of("127.0.0.1"), List.copyOf(n.getInterfaces().getInterfaces()));
    assertEquals("false", c.getProperty("hazelcast.socket.bind.any"));
    assertEquals("127.0.0.1:15801", n.getPublicAddress());
    JoinConfig j = n.getJoin();
    assertFalse(j.getMulticastConfig().isEnabled(), "multicast off");
    assertFalse(j.getAutoDetectionConfig().isEnabled(), "auto-detection off");
    assertEquals(List.of("127.0.0.1:15701"), j.getTcpIpConfig().getMembers(), "the join list only");
    assertEquals("false", c.getProperty("hazelcast.phone.home.enabled"), "phone-home off");
    assertEquals("unit-test", c.getClusterName());
  }
}
