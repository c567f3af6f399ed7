package io.sluice.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.InvalidArgumentException;
import io.sluice.broker.NodeOptions;
import io.sluice.cluster.ClusterOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cluster TLS settings of the node: flags and environment reach the cluster node's options, and a
 * node whose cluster transport would listen beyond loopback in plain text refuses to start. (The TLS
 * exchange itself is tested in cluster-hazelcast, {@code EventBusTlsTest}.)
 */
class ClusterTlsSettingsTest {

  private static NodeOptions parse(List<String> args, Map<String, String> env) {
    return assertInstanceOf(NodeSettings.Run.class, NodeSettings.parse(args, env)).options();
  }

  @Test
  void flagsAndEnvironmentReachTheClusterOptions() {
    ClusterOptions pem = SluiceNodeImpl.clusterOptions(parse(List.of("--cluster", "--cluster-tls-cert", "c.pem",
        "--cluster-tls-key", "k.pem", "--cluster-tls-trust", "ca.pem"), Map.of()));
    assertTrue(pem.isTls());
    assertEquals("c.pem", pem.getTlsCertPath());
    assertEquals("k.pem", pem.getTlsKeyPath());
    assertEquals("ca.pem", pem.getTlsTrustPath());

    ClusterOptions store = SluiceNodeImpl.clusterOptions(parse(List.of("--cluster"),
        Map.of("SLUICE_CLUSTER_TLS_KEYSTORE", "cluster.p12", "SLUICE_CLUSTER_TLS_KEYSTORE_PASSWORD", "secret")));
    assertEquals("cluster.p12", store.getTlsKeyStorePath());
    assertEquals("secret", store.getTlsKeyStorePassword());
    assertNull(store.getTlsTrustPath(), "trust defaults to the node's own certificate");

    assertFalse(SluiceNodeImpl.clusterOptions(parse(List.of("--cluster"), Map.of())).isTls());
    // Half a PEM pair is refused before the cluster node starts.
    assertThrows(InvalidArgumentException.class,
        () -> SluiceNodeImpl.clusterOptions(parse(List.of("--cluster", "--cluster-tls-cert", "c.pem"), Map.of())));
  }

  @Test
  void aPlainClusterTransportBeyondLoopbackIsRefusedUnlessToldOtherwise() {
    NodeOptions exposed = new NodeOptions().setCluster(true).setClusterHost("10.1.2.3");
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> SecuritySetup.checkStartable(exposed));
    assertTrue(e.getMessage().contains("--cluster-tls-cert"), e.getMessage());
    SecuritySetup.checkStartable(new NodeOptions(exposed).setClusterTlsPem("c.pem", "k.pem"));
    SecuritySetup.checkStartable(new NodeOptions(exposed).setAllowInsecure(true));
    SecuritySetup.checkStartable(new NodeOptions().setCluster(true));
  }
}
