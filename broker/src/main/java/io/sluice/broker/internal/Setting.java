package io.sluice.broker.internal;

import io.sluice.api.HeaderLimits;
import io.sluice.api.InvalidArgumentException;
import io.sluice.broker.NodeOptions;
import io.sluice.cluster.Acks;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Every setting of the standalone node, once: its flag, environment variable, config-file key, default
 * and help line. Flags, {@code SLUICE_*} variables, the config file and {@code --help} are all driven by
 * this table, so they cannot drift apart.
 */
enum Setting {

  CONFIG("config", "<file>", "(none)", "A JSON file of settings, keys in camelCase: {\"httpPort\": 8081, \"store\": \"memory\"}.",
      (o, v) -> { }),
  DATA_DIR("data-dir", "<dir>", NodeOptions.DEFAULT_DATA_DIR, "Where the file store keeps its logs.",
      NodeOptions::setDataDir),
  HTTP_HOST("http-host", "<host>", NodeOptions.DEFAULT_HTTP_HOST, "Address the HTTP API listens on.",
      NodeOptions::setHttpHost),
  HTTP_PORT("http-port", "<port>", String.valueOf(NodeOptions.DEFAULT_HTTP_PORT), "Port of the HTTP API (0 picks a free one).",
      (o, v) -> o.setHttpPort(parseInt(v))),
  STORE("store", "memory|file", NodeOptions.DEFAULT_STORE, "Log store: 'file' is durable, 'memory' is lost on exit.",
      NodeOptions::setStore),
  MAX_DATA_BYTES("max-data-bytes", "<bytes>", "0", "Most bytes of log data the file store keeps (0: no limit); "
      + "writes past it get 507 disk_full.", (o, v) -> o.setMaxDataBytes(parseLong(v))),
  HTTP_MAX_BODY_BYTES("http-max-body-bytes", "<bytes>", String.valueOf(NodeOptions.DEFAULT_HTTP_MAX_BODY_BYTES),
      "Largest HTTP request body; a larger one gets 413.", (o, v) -> o.setHttpMaxBodyBytes(parseLong(v))),
  SHUTDOWN_TIMEOUT_MS("shutdown-timeout-ms", "<ms>", String.valueOf(NodeOptions.DEFAULT_SHUTDOWN_TIMEOUT_MS),
      "On SIGTERM, how long in-flight requests may take to finish.", (o, v) -> o.setShutdownTimeoutMs(parseLong(v))),
  GROUP_MAX_MEMBERS("group-max-members", "<n>", String.valueOf(NodeOptions.DEFAULT_GROUP_MAX_MEMBERS),
      "Consumer-group members the HTTP API holds at once; one more gets 429.", (o, v) -> o.setGroupMaxMembers(parseInt(v))),
  GROUP_SESSION_TIMEOUT_MS("group-session-timeout-ms", "<ms>", String.valueOf(NodeOptions.DEFAULT_GROUP_SESSION_TIMEOUT_MS),
      "A consumer-group member that does not poll for this long is closed.", (o, v) -> o.setGroupSessionTimeoutMs(parseLong(v))),
  STREAM_HEARTBEAT_MS("stream-heartbeat-ms", "<ms>", String.valueOf(NodeOptions.DEFAULT_STREAM_HEARTBEAT_MS),
      "Keep-alive interval of idle SSE/WebSocket record streams.", (o, v) -> o.setStreamHeartbeatMs(parseLong(v))),
  BRIDGE_OUTBOUND("bridge-outbound", "<regex,...>", String.join(",", NodeOptions.DEFAULT_BRIDGE_OUTBOUND),
      "Event-bus addresses browsers may receive from at /eventbus ('none': nothing).",
      (o, v) -> o.setBridgeOutbound(parsePatterns(v))),
  BRIDGE_INBOUND("bridge-inbound", "<regex,...>", "none",
      "Event-bus addresses browsers may send to at /eventbus (e.g. 'sluice\\.in\\..+').",
      (o, v) -> o.setBridgeInbound(parsePatterns(v))),
  MAX_TOPICS("max-topics", "<n>", String.valueOf(NodeOptions.DEFAULT_MAX_TOPICS),
      "Topics the node holds at most; one more gets 429.", (o, v) -> o.setMaxTopics(parseInt(v))),
  MAX_PARTITIONS_PER_TOPIC("max-partitions-per-topic", "<n>", String.valueOf(NodeOptions.DEFAULT_MAX_PARTITIONS_PER_TOPIC),
      "Partitions one topic may have; more gets 400.", (o, v) -> o.setMaxPartitionsPerTopic(parseInt(v))),
  MAX_QUEUES("max-queues", "<n>", String.valueOf(NodeOptions.DEFAULT_MAX_QUEUES),
      "Queues the node holds at most (dead-letter queues included); one more gets 429.", (o, v) -> o.setMaxQueues(parseInt(v))),
  MAX_GROUPS("max-groups", "<n>", String.valueOf(NodeOptions.DEFAULT_MAX_GROUPS),
      "Consumer groups with a coordinator at most; joining one more gets 429.", (o, v) -> o.setMaxGroups(parseInt(v))),
  MAX_RECORD_HEADERS("max-record-headers", "<n>", String.valueOf(HeaderLimits.DEFAULT_MAX_HEADERS),
      "Headers one record or message may carry; more gets 400.",
      (o, v) -> o.setHeaderLimits(HeaderLimits.of(parseInt(v), o.getHeaderLimits().maxHeaderBytes()))),
  MAX_HEADER_BYTES("max-header-bytes", "<bytes>", String.valueOf(HeaderLimits.DEFAULT_MAX_HEADER_BYTES),
      "Bytes of one record's headers together (names and values); more gets 413.",
      (o, v) -> o.setHeaderLimits(HeaderLimits.of(o.getHeaderLimits().maxHeaders(), parseInt(v)))),
  SECURITY_FILE("security-file", "<file>", "(none: auth off)",
      "A JSON file of bearer tokens, access rules and rate limits (see README, Security).",
      (o, v) -> o.setSecurity(SecuritySetup.readFile(v))),
  ALLOW_INSECURE("allow-insecure", null, "false",
      "Let a node without authentication listen on a non-loopback address.", (o, v) -> o.setAllowInsecure(parseBoolean(v))),
  AUDIT_LOG("audit-log", "<file>", "(none: log only)", "Append one JSON line per admin action and refused request here.",
      NodeOptions::setAuditLog),
  TLS_CERT("tls-cert", "<pem file>", "(none)", "Serve HTTPS with this certificate chain (needs --tls-key).",
      (o, v) -> o.setTlsPem(v, o.getTlsKeyPath())),
  TLS_KEY("tls-key", "<pem file>", "(none)", "The private key for --tls-cert (PKCS#8 or PKCS#1 PEM).",
      (o, v) -> o.setTlsPem(o.getTlsCertPath(), v)),
  TLS_KEYSTORE("tls-keystore", "<file>", "(none)", "Serve HTTPS from a PKCS#12 (or .jks) key store instead of PEM files.",
      (o, v) -> o.setTlsKeyStore(v, o.getTlsKeyStorePassword())),
  TLS_KEYSTORE_PASSWORD("tls-keystore-password", "<password>", "(none)", "The key store's password.",
      (o, v) -> o.setTlsKeyStore(o.getTlsKeyStorePath(), v)),
  CLUSTER("cluster", null, "false", "Run clustered: logs replicated across nodes, any node serves any request.",
      (o, v) -> o.setCluster(parseBoolean(v))),
  NODE_ID("node-id", "<id>", "node-<cluster port>", "This node's stable name in the cluster.",
      NodeOptions::setNodeId),
  CLUSTER_HOST("cluster-host", "<host>", NodeOptions.DEFAULT_CLUSTER_HOST, "Address the cluster transport binds to.",
      NodeOptions::setClusterHost),
  CLUSTER_PORT("cluster-port", "<port>", String.valueOf(NodeOptions.DEFAULT_CLUSTER_PORT), "Port of the cluster transport.",
      (o, v) -> o.setClusterPort(parseInt(v))),
  JOIN("join", "<host:port,...>", "(none)", "Cluster members to join; none starts a new cluster.",
      (o, v) -> o.setJoin(parseList(v))),
  CLUSTER_NAME("cluster-name", "<name>", NodeOptions.DEFAULT_CLUSTER_NAME, "Nodes join only a cluster of this name.",
      NodeOptions::setClusterName),
  CLUSTER_TLS_CERT("cluster-tls-cert", "<pem file>", "(none: plain)",
      "Mutual TLS between nodes' event buses with this certificate chain (needs --cluster-tls-key).",
      (o, v) -> o.setClusterTlsPem(v, o.getClusterTlsKeyPath())),
  CLUSTER_TLS_KEY("cluster-tls-key", "<pem file>", "(none)", "The private key for --cluster-tls-cert.",
      (o, v) -> o.setClusterTlsPem(o.getClusterTlsCertPath(), v)),
  CLUSTER_TLS_KEYSTORE("cluster-tls-keystore", "<file>", "(none)", "Cluster TLS from a PKCS#12 (or .jks) key store instead.",
      (o, v) -> o.setClusterTlsKeyStore(v, o.getClusterTlsKeyStorePassword())),
  CLUSTER_TLS_KEYSTORE_PASSWORD("cluster-tls-keystore-password", "<password>", "(none)", "The cluster key store's password.",
      (o, v) -> o.setClusterTlsKeyStore(o.getClusterTlsKeyStorePath(), v)),
  CLUSTER_TLS_TRUST("cluster-tls-trust", "<file>", "(this node's cluster certificate)",
      "Certificates (PEM, or a .p12/.jks store) peers must present, e.g. the cluster's private CA.",
      (o, v) -> o.setClusterTlsTrust(v, o.getClusterTlsTrustPassword())),
  CLUSTER_TLS_TRUST_PASSWORD("cluster-tls-trust-password", "<password>", "(none)", "The trust store's password.",
      (o, v) -> o.setClusterTlsTrust(o.getClusterTlsTrustPath(), v)),
  REPLICATION_FACTOR("replication-factor", "<n>", String.valueOf(NodeOptions.DEFAULT_REPLICATION_FACTOR),
      "Copies of each new log in a cluster; a log is created only while this many nodes are live.",
      (o, v) -> o.setReplicationFactor(parseInt(v))),
  MIN_IN_SYNC("min-in-sync", "<n>", NodeOptions.DEFAULT_MIN_IN_SYNC + " (at most the factor)",
      "In-sync replicas an acks=all write needs; with fewer it gets 503 not_enough_replicas.",
      (o, v) -> o.setMinInSync(parseInt(v))),
  ACKS("acks", "all|leader", "all", "Acknowledge a write once every in-sync replica has it (all) or the leader alone (leader).",
      (o, v) -> o.setAcks(parseAcks(v))),
  CLUSTER_SIZE("cluster-size", "<n>", "0 (not set)",
      "Nodes the cluster is meant to have: a node without a majority of them (or of those it has seen) stops leading.",
      (o, v) -> o.setClusterSize(parseInt(v)));

  private final String name;
  private final String argument;
  private final String defaultShown;
  private final String description;
  private final BiConsumer<NodeOptions, String> apply;

  Setting(String name, String argument, String defaultShown, String description, BiConsumer<NodeOptions, String> apply) {
    this.name = name;
    this.argument = argument;
    this.defaultShown = defaultShown;
    this.description = description;
    this.apply = apply;
  }

  /** {@code --http-port}. */
  String flag() {
    return "--" + name;
  }

  /** {@code SLUICE_HTTP_PORT}. */
  String env() {
    return "SLUICE_" + name.replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /** {@code httpPort}: the key in a config file. */
  String key() {
    StringBuilder sb = new StringBuilder();
    boolean upper = false;
    for (char c : name.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  /** The placeholder shown in help, or {@code null} for an on/off switch that takes no value. */
  String argument() {
    return argument;
  }

  boolean isSwitch() {
    return argument == null;
  }

  String defaultShown() {
    return defaultShown;
  }

  String description() {
    return description;
  }

  /** Sets this setting on {@code options} from its text form; throws {@link InvalidArgumentException}. */
  void apply(NodeOptions options, String raw) {
    apply.accept(options, raw);
  }

  static Setting byFlag(String flag) {
    return Arrays.stream(values()).filter(s -> s.flag().equals(flag)).findFirst().orElse(null);
  }

  static Setting byKey(String key) {
    return Arrays.stream(values()).filter(s -> s.key().equals(key)).findFirst().orElse(null);
  }

  private static int parseInt(String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("'" + v + "' is not a whole number", e);
    }
  }

  private static long parseLong(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("'" + v + "' is not a whole number", e);
    }
  }

  private static boolean parseBoolean(String v) {
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new InvalidArgumentException("'" + v + "' is not true or false");
    }
  }

  private static Acks parseAcks(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "all" -> Acks.ALL;
      case "leader" -> Acks.LEADER;
      default -> throw new InvalidArgumentException("'" + v + "' is not all or leader");
    };
  }

  /** Comma-separated regular expressions ('none': an empty list); a pattern cannot contain a comma. */
  static List<String> parsePatterns(String v) {
    return v.trim().equalsIgnoreCase("none") ? List.of() : parseList(v);
  }

  private static List<String> parseList(String v) {
    return v.isBlank() ? List.of() : Arrays.stream(v.split(",")).map(String::trim).toList();
  }
}
