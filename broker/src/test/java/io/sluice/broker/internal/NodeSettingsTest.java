package io.sluice.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.NodeOptions;
import io.sluice.cluster.Acks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeSettingsTest {

  @TempDir
  Path dir;

  private static NodeOptions run(List<String> args, Map<String, String> env) {
    NodeSettings.Outcome o = NodeSettings.parse(args, env);
    if (o instanceof NodeSettings.Invalid invalid) {
      throw new AssertionError("unexpected: " + invalid.message());
    }
    return assertInstanceOf(NodeSettings.Run.class, o).options();
  }

  private static String invalid(List<String> args, Map<String, String> env) {
    String message = assertInstanceOf(NodeSettings.Invalid.class, NodeSettings.parse(args, env)).message();
    assertFalse(message.contains("\n"), "one line: " + message);
    assertFalse(message.contains("Exception"), "no exception names: " + message);
    return message;
  }

  @Test
  void nothingGivenMeansTheDefaults() {
    NodeOptions o = run(List.of(), Map.of());
    assertEquals("./data", o.getDataDir());
    assertEquals("127.0.0.1", o.getHttpHost());
    assertEquals(8080, o.getHttpPort());
    assertEquals("file", o.getStore());
    assertFalse(o.isCluster());
    assertEquals(List.of(), o.getJoin());
  }

  @Test
  void bridgeAddressesAndTheStreamHeartbeatAreSettings() throws IOException {
    NodeOptions defaults = run(List.of(), Map.of());
    assertEquals(List.of("sluice\\.live\\..+"), defaults.getBridgeOutbound());
    assertEquals(List.of(), defaults.getBridgeInbound());
    assertEquals(15_000, defaults.getStreamHeartbeatMs());

    NodeOptions o = run(List.of("--bridge-outbound", "none", "--bridge-inbound=sluice\\.in\\..+, app\\..*",
        "--stream-heartbeat-ms", "500"), Map.of());
    assertEquals(List.of(), o.getBridgeOutbound());
    assertEquals(List.of("sluice\\.in\\..+", "app\\..*"), o.getBridgeInbound());
    assertEquals(500, o.getStreamHeartbeatMs());
    assertEquals(List.of("x\\..*"), run(List.of(), Map.of("SLUICE_BRIDGE_OUTBOUND", "x\\..*")).getBridgeOutbound());

    Path config = dir.resolve("bridge.json");
    Files.writeString(config, "{\"bridgeInbound\": [\"a\", \"b\"], \"bridgeOutbound\": []}");
    NodeOptions fromFile = run(List.of("--config", config.toString()), Map.of());
    assertEquals(List.of("a", "b"), fromFile.getBridgeInbound());
    assertEquals(List.of(), fromFile.getBridgeOutbound());

    assertTrue(invalid(List.of("--bridge-inbound", "sluice.(in"), Map.of()).startsWith("bad value for --bridge-inbound: 'sluice.(in' is not a regular expression"));
    assertTrue(invalid(List.of("--stream-heartbeat-ms", "0"), Map.of()).startsWith("bad value for --stream-heartbeat-ms"));
  }

  @Test
  void flagsTakeValuesWithASpaceOrAnEqualsSign() {
    NodeOptions o = run(List.of("--http-port", "9090", "--store=memory", "--data-dir", "/tmp/x", "--join=a:1, b:2"), Map.of());
    assertEquals(9090, o.getHttpPort());
    assertEquals("memory", o.getStore());
    assertEquals("/tmp/x", o.getDataDir());
    assertEquals(List.of("a:1", "b:2"), o.getJoin());
  }

  @Test
  void flagBeatsEnvironmentBeatsConfigFileBeatsDefault() throws IOException {
    Path config = dir.resolve("node.json");
    Files.writeString(config, "{\"httpPort\": 1111, \"httpHost\": \"127.0.0.2\", \"dataDir\": \"from-file\", \"store\": \"memory\"}");
    Map<String, String> env = Map.of("SLUICE_HTTP_PORT", "2222", "SLUICE_HTTP_HOST", "127.0.0.3", "SLUICE_CONFIG", config.toString());
    NodeOptions o = run(List.of("--http-port", "3333"), env);
    assertEquals(3333, o.getHttpPort(), "flag wins");
    assertEquals("127.0.0.3", o.getHttpHost(), "environment beats the file");
    assertEquals("from-file", o.getDataDir(), "the file beats the default");
    assertEquals("memory", o.getStore());
    assertEquals(8L * 1024 * 1024, o.getHttpMaxBodyBytes(), "untouched settings keep their default");
  }

  @Test
  void theConfigFlagBeatsTheConfigVariable() throws IOException {
    Path a = dir.resolve("a.json");
    Path b = dir.resolve("b.json");
    Files.writeString(a, "{\"httpPort\": 1}");
    Files.writeString(b, "{\"httpPort\": 2, \"join\": [\"h:1\", \"h:2\"], \"cluster\": false}");
    NodeOptions o = run(List.of("--config", b.toString()), Map.of("SLUICE_CONFIG", a.toString()));
    assertEquals(2, o.getHttpPort());
    assertEquals(List.of("h:1", "h:2"), o.getJoin());
  }

  @Test
  void anEmptyVariableCountsAsUnset() {
    assertEquals(8080, run(List.of(), Map.of("SLUICE_HTTP_PORT", "")).getHttpPort());
  }

  @Test
  void otherVariablesAreIgnored() {
    assertEquals(8080, run(List.of(), Map.of("SLUICE_URL", "http://x", "HTTP_PORT", "1")).getHttpPort());
  }

  @Test
  void clusterIsASwitch() {
    assertTrue(run(List.of("--cluster"), Map.of()).isCluster());
    assertFalse(run(List.of("--cluster=false"), Map.of()).isCluster());
    assertTrue(run(List.of(), Map.of("SLUICE_CLUSTER", "TRUE")).isCluster());
    NodeOptions o = run(List.of("--cluster", "--node-id", "n-1", "--cluster-host", "127.0.0.1", "--cluster-port", "5702"), Map.of());
    assertEquals("n-1", o.getNodeId());
    assertEquals(5702, o.getClusterPort());
  }

  @Test
  void replicationSettingsDefaultToTwoCopiesAckedByAll() {
    NodeOptions defaults = run(List.of("--cluster"), Map.of());
    assertEquals(2, defaults.getReplicationFactor());
    assertEquals(2, defaults.getMinInSync());
    assertEquals(Acks.ALL, defaults.getAcks());
    NodeOptions one = run(List.of("--replication-factor", "1", "--acks", "leader"), Map.of());
    assertEquals(1, one.getMinInSync(), "the default in-sync count never exceeds the factor");
    assertEquals(Acks.LEADER, one.getAcks());
    NodeOptions three = run(List.of("--replication-factor=3", "--min-in-sync=3"), Map.of("SLUICE_ACKS", "ALL"));
    assertEquals(3, three.getReplicationFactor());
    assertEquals(3, three.getMinInSync());
    assertEquals(3, SluiceNodeImpl.clusterOptions(three.setNodeId("n")).getMinInSync());
    assertEquals("bad value for --acks: 'some' is not all or leader", invalid(List.of("--acks", "some"), Map.of()));
    assertEquals("bad value for --replication-factor: the replication factor must be at least 1, got 0",
        invalid(List.of("--replication-factor", "0"), Map.of()));
    assertEquals("bad value for SLUICE_MIN_IN_SYNC: min in-sync replicas must be at least 1, got -1",
        invalid(List.of(), Map.of("SLUICE_MIN_IN_SYNC", "-1")));
    assertEquals("bad value for --min-in-sync: 3 in-sync replicas exceed the replication factor 2",
        invalid(List.of("--min-in-sync", "3"), Map.of()));
    assertEquals(0, defaults.getClusterSize());
    assertEquals(3, SluiceNodeImpl.clusterOptions(run(List.of("--cluster-size", "3"), Map.of()).setNodeId("n")).getClusterSize());
    assertEquals("bad value for SLUICE_CLUSTER_SIZE: the cluster size must be 0 (not set) or more, got -2",
        invalid(List.of(), Map.of("SLUICE_CLUSTER_SIZE", "-2")));
  }

  @Test
  void badSettingsSayWhichSettingAndWhereItCameFrom() {
    assertEquals("unknown option '--http-prot' (see --help)", invalid(List.of("--http-prot", "1"), Map.of()));
    assertEquals("bad value for --http-port: 'abc' is not a whole number", invalid(List.of("--http-port", "abc"), Map.of()));
    assertEquals("bad value for SLUICE_HTTP_PORT: not a port number (0-65535): 70000",
        invalid(List.of(), Map.of("SLUICE_HTTP_PORT", "70000")));
    assertTrue(invalid(List.of("--store", "disk"), Map.of()).startsWith("bad value for --store: unknown store 'disk'"));
    assertEquals("--http-port needs a value: --http-port <port>", invalid(List.of("--http-port"), Map.of()));
    assertEquals("--data-dir needs a value: --data-dir <dir>", invalid(List.of("--data-dir", "--store", "memory"), Map.of()));
    assertTrue(invalid(List.of("serve"), Map.of()).startsWith("unexpected argument 'serve'"));
    assertTrue(invalid(List.of("--join", "nohost"), Map.of()).contains("'nohost' is not host:port"));
    assertTrue(invalid(List.of("--join", "h:99999"), Map.of()).contains("port must be 1-65535"));
    assertTrue(invalid(List.of("--cluster=maybe"), Map.of()).contains("'maybe' is not true or false"));
    assertTrue(invalid(List.of("--node-id", "a b"), Map.of()).contains("invalid node id name"));
    assertTrue(invalid(List.of("--http-max-body-bytes", "10"), Map.of()).contains("at least 1024"));
  }

  @Test
  void badConfigFilesAreReportedInOneLine() throws IOException {
    assertTrue(invalid(List.of("--config", dir.resolve("missing.json").toString()), Map.of()).endsWith("does not exist"));
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"httpPort\": ");
    assertTrue(invalid(List.of("--config", broken.toString()), Map.of()).contains("is not a JSON object"));
    Path unknown = dir.resolve("unknown.json");
    Files.writeString(unknown, "{\"httpProt\": 1}");
    assertTrue(invalid(List.of("--config", unknown.toString()), Map.of()).startsWith("unknown setting 'httpProt' in config file"));
    Path wrongType = dir.resolve("wrong.json");
    Files.writeString(wrongType, "{\"httpPort\": 80.5}");
    assertTrue(invalid(List.of("--config", wrongType.toString()), Map.of()).startsWith("bad value for 'httpPort' in"));
    Path badValue = dir.resolve("bad.json");
    Files.writeString(badValue, "{\"httpPort\": \"x\"}");
    assertEquals("bad value for 'httpPort' in " + badValue + ": 'x' is not a whole number",
        invalid(List.of("--config", badValue.toString()), Map.of()));
  }

  @Test
  void helpListsEverySettingWithItsVariableAndDefault() {
    NodeSettings.Help help = assertInstanceOf(NodeSettings.Help.class, NodeSettings.parse(List.of("--store", "x", "--help"), Map.of()));
    for (Setting s : Setting.values()) {
      String line = help.text().lines().filter(l -> l.trim().startsWith(s.flag() + " ") || l.trim().equals(s.flag())
          || l.trim().startsWith(s.flag() + "  ")).findFirst().orElseThrow(() -> new AssertionError("no line for " + s.flag()));
      assertTrue(line.contains(s.env()), line);
      assertTrue(line.contains("default " + s.defaultShown()), line);
    }
    assertTrue(help.text().contains("--help"));
    assertInstanceOf(NodeSettings.Help.class, NodeSettings.parse(List.of("-h"), Map.of()));
  }

  @Test
  void settingNamesFollowOneRule() {
    assertEquals("--http-max-body-bytes", Setting.HTTP_MAX_BODY_BYTES.flag());
    assertEquals("SLUICE_HTTP_MAX_BODY_BYTES", Setting.HTTP_MAX_BODY_BYTES.env());
    assertEquals("httpMaxBodyBytes", Setting.HTTP_MAX_BODY_BYTES.key());
  }
}
