package io.sluice.broker;

import io.sluice.api.HeaderLimits;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import io.sluice.cluster.Acks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The settings of one node, with fluent setters, in the Vert.x options style. Every setter checks its
 * value and throws {@link InvalidArgumentException} on a bad one, so an options object never holds a
 * value the node would refuse.
 *
 * <p>The standalone launcher fills these from flags, {@code SLUICE_*} environment variables and a config
 * file (see {@code broker/README.md}); an application embedding a node sets them in code and passes them
 * to {@link SluiceNode#start(io.vertx.core.Vertx, NodeOptions)}.
 *
 * <p>Not thread-safe: build one on one thread, then hand it over. The node keeps its own copy.
 */
public final class NodeOptions {

  public static final String DEFAULT_DATA_DIR = "./data";
  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String DEFAULT_STORE = "file";
  /** Large enough for a batch of a few 1 MiB messages in base64. */
  public static final long DEFAULT_HTTP_MAX_BODY_BYTES = 8L * 1024 * 1024;
  public static final long DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
  public static final String DEFAULT_CLUSTER_HOST = "127.0.0.1";
  public static final int DEFAULT_CLUSTER_PORT = 5701;
  public static final String DEFAULT_CLUSTER_NAME = "sluice";
  /** Copies of each log in a cluster. */
  public static final int DEFAULT_REPLICATION_FACTOR = 2;
  /** In-sync replicas an {@code acks=all} append needs; never more than the replication factor. */
  public static final int DEFAULT_MIN_IN_SYNC = 2;
  /** The registry name vertx-micrometer-metrics uses when none is set. */
  public static final String DEFAULT_METRICS_REGISTRY_NAME = "default";

  /** HTTP consumer-group members one node holds at most. */
  public static final int DEFAULT_GROUP_MAX_MEMBERS = 1000;
  /** How long an HTTP consumer-group member may go without polling before the node closes it. */
  public static final long DEFAULT_GROUP_SESSION_TIMEOUT_MS = 30_000;

  /** How often an idle record stream (SSE or WebSocket) sends a keep-alive, so proxies keep it open. */
  public static final long DEFAULT_STREAM_HEARTBEAT_MS = 15_000;
  /** The SockJS bridge's default outbound addresses: the live topic feeds, {@code sluice.live.<topic>}. */
  public static final List<String> DEFAULT_BRIDGE_OUTBOUND = List.of("sluice\\.live\\..+");

  public static final int DEFAULT_MAX_TOPICS = 10_000;
  public static final int DEFAULT_MAX_PARTITIONS_PER_TOPIC = 1_000;
  public static final int DEFAULT_MAX_QUEUES = 10_000;
  public static final int DEFAULT_MAX_GROUPS = 10_000;

  /** The store types a node accepts. */
  public static final List<String> STORES = List.of("memory", "file");

  private String dataDir = DEFAULT_DATA_DIR;
  private String httpHost = DEFAULT_HTTP_HOST;
  private int httpPort = DEFAULT_HTTP_PORT;
  private String store = DEFAULT_STORE;
  private long httpMaxBodyBytes = DEFAULT_HTTP_MAX_BODY_BYTES;
  private long shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS;
  private boolean cluster;
  private String nodeId;
  private String clusterHost = DEFAULT_CLUSTER_HOST;
  private int clusterPort = DEFAULT_CLUSTER_PORT;
  private List<String> join = List.of();
  private String clusterName = DEFAULT_CLUSTER_NAME;
  private int replicationFactor = DEFAULT_REPLICATION_FACTOR;
  private int clusterSize;
  /** 0: not set, {@link #getMinInSync} then follows the replication factor. */
  private int minInSync;
  private Acks acks = Acks.ALL;
  private String metricsRegistryName = DEFAULT_METRICS_REGISTRY_NAME;
  private int groupMaxMembers = DEFAULT_GROUP_MAX_MEMBERS;
  private long groupSessionTimeoutMs = DEFAULT_GROUP_SESSION_TIMEOUT_MS;
  private long maxDataBytes;
  private long streamHeartbeatMs = DEFAULT_STREAM_HEARTBEAT_MS;
  private List<String> bridgeOutbound = DEFAULT_BRIDGE_OUTBOUND;
  private List<String> bridgeInbound = List.of();
  private SecurityOptions security = new SecurityOptions();
  private int maxTopics = DEFAULT_MAX_TOPICS;
  private int maxPartitionsPerTopic = DEFAULT_MAX_PARTITIONS_PER_TOPIC;
  private int maxQueues = DEFAULT_MAX_QUEUES;
  private int maxGroups = DEFAULT_MAX_GROUPS;
  private HeaderLimits headerLimits = HeaderLimits.DEFAULT;
  private boolean allowInsecure;
  private String auditLog;
  private String tlsCertPath;
  private String tlsKeyPath;
  private String tlsKeyStorePath;
  private String tlsKeyStorePassword;
  private String clusterTlsCertPath;
  private String clusterTlsKeyPath;
  private String clusterTlsKeyStorePath;
  private String clusterTlsKeyStorePassword;
  private String clusterTlsTrustPath;
  private String clusterTlsTrustPassword;

  public NodeOptions() {
  }

  public NodeOptions(NodeOptions other) {
    this.dataDir = other.dataDir;
    this.httpHost = other.httpHost;
    this.httpPort = other.httpPort;
    this.store = other.store;
    this.httpMaxBodyBytes = other.httpMaxBodyBytes;
    this.shutdownTimeoutMs = other.shutdownTimeoutMs;
    this.cluster = other.cluster;
    this.nodeId = other.nodeId;
    this.clusterHost = other.clusterHost;
    this.clusterPort = other.clusterPort;
    this.join = other.join;
    this.clusterName = other.clusterName;
    this.replicationFactor = other.replicationFactor;
    this.clusterSize = other.clusterSize;
    this.minInSync = other.minInSync;
    this.acks = other.acks;
    this.metricsRegistryName = other.metricsRegistryName;
    this.groupMaxMembers = other.groupMaxMembers;
    this.groupSessionTimeoutMs = other.groupSessionTimeoutMs;
    this.maxDataBytes = other.maxDataBytes;
    this.streamHeartbeatMs = other.streamHeartbeatMs;
    this.bridgeOutbound = other.bridgeOutbound;
    this.bridgeInbound = other.bridgeInbound;
    this.security = new SecurityOptions(other.security);
    this.maxTopics = other.maxTopics;
    this.maxPartitionsPerTopic = other.maxPartitionsPerTopic;
    this.maxQueues = other.maxQueues;
    this.maxGroups = other.maxGroups;
    this.headerLimits = other.headerLimits;
    this.allowInsecure = other.allowInsecure;
    this.auditLog = other.auditLog;
    this.tlsCertPath = other.tlsCertPath;
    this.tlsKeyPath = other.tlsKeyPath;
    this.tlsKeyStorePath = other.tlsKeyStorePath;
    this.tlsKeyStorePassword = other.tlsKeyStorePassword;
    this.clusterTlsCertPath = other.clusterTlsCertPath;
    this.clusterTlsKeyPath = other.clusterTlsKeyPath;
    this.clusterTlsKeyStorePath = other.clusterTlsKeyStorePath;
    this.clusterTlsKeyStorePassword = other.clusterTlsKeyStorePassword;
    this.clusterTlsTrustPath = other.clusterTlsTrustPath;
    this.clusterTlsTrustPassword = other.clusterTlsTrustPassword;
  }

  /**
   * How often a record stream ({@code GET /v1/groups/{group}/members/{id}/stream}, SSE or WebSocket) sends
   * a keep-alive while no record flows, so proxies and load balancers do not close it as idle.
   * Default {@value #DEFAULT_STREAM_HEARTBEAT_MS} ms.
   */
  public long getStreamHeartbeatMs() {
    return streamHeartbeatMs;
  }

  public NodeOptions setStreamHeartbeatMs(long streamHeartbeatMs) {
    if (streamHeartbeatMs < 10) {
      throw new InvalidArgumentException("must be at least 10 ms, got " + streamHeartbeatMs);
    }
    this.streamHeartbeatMs = streamHeartbeatMs;
    return this;
  }

  /** The most topics the node holds; one more is 429 {@code limit_exceeded}. Default {@value #DEFAULT_MAX_TOPICS}. */
  public int getMaxTopics() {
    return maxTopics;
  }

  public NodeOptions setMaxTopics(int maxTopics) {
    this.maxTopics = atLeastOne(maxTopics);
    return this;
  }

  /** The most partitions of one topic; more is 400. Default {@value #DEFAULT_MAX_PARTITIONS_PER_TOPIC}. */
  public int getMaxPartitionsPerTopic() {
    return maxPartitionsPerTopic;
  }

  public NodeOptions setMaxPartitionsPerTopic(int maxPartitionsPerTopic) {
    if (maxPartitionsPerTopic < 1 || maxPartitionsPerTopic > 100_000) {
      throw new InvalidArgumentException("must be in [1, 100000], got " + maxPartitionsPerTopic);
    }
    this.maxPartitionsPerTopic = maxPartitionsPerTopic;
    return this;
  }

  /** The most queues (dead-letter queues included); one more is 429. Default {@value #DEFAULT_MAX_QUEUES}. */
  public int getMaxQueues() {
    return maxQueues;
  }

  public NodeOptions setMaxQueues(int maxQueues) {
    this.maxQueues = atLeastOne(maxQueues);
    return this;
  }

  /** The most consumer groups with a coordinator; joining one more is 429. Default {@value #DEFAULT_MAX_GROUPS}. */
  public int getMaxGroups() {
    return maxGroups;
  }

  public NodeOptions setMaxGroups(int maxGroups) {
    this.maxGroups = atLeastOne(maxGroups);
    return this;
  }

  /**
   * Headers one record (a topic record or a queue message) may carry, and their bytes together (names in
   * UTF-8 plus values), on every entry point: the Java API, HTTP and the event-bus bridge. Over the count:
   * 400 {@code invalid_argument}; over the bytes: 413 {@code record_too_large}. Default
   * {@link HeaderLimits#DEFAULT} ({@value HeaderLimits#DEFAULT_MAX_HEADERS} headers,
   * {@value HeaderLimits#DEFAULT_MAX_HEADER_BYTES} bytes).
   */
  public HeaderLimits getHeaderLimits() {
    return headerLimits;
  }

  public NodeOptions setHeaderLimits(HeaderLimits headerLimits) {
    this.headerLimits = Objects.requireNonNull(headerLimits, "headerLimits");
    return this;
  }

  private static int atLeastOne(int n) {
    if (n < 1) {
      throw new InvalidArgumentException("must be at least 1, got " + n);
    }
    return n;
  }

  /**
   * Tokens, access rules and rate limits. With no token (the default) authentication is off, which the
   * node accepts only on a loopback HTTP address unless {@link #setAllowInsecure allowed} explicitly.
   */
  public SecurityOptions getSecurity() {
    return new SecurityOptions(security);
  }

  public NodeOptions setSecurity(SecurityOptions security) {
    this.security = new SecurityOptions(Objects.requireNonNull(security, "security"));
    return this;
  }

  /**
   * The event-bus addresses browsers may receive from through the SockJS bridge at {@code /eventbus}, as
   * regular expressions matched against the whole address. Default {@code sluice\.live\..+}: the live
   * feeds {@code sluice.live.<topic>}, which the node fills with a topic's new records while a browser
   * listens. Empty: browsers receive nothing.
   */
  public List<String> getBridgeOutbound() {
    return bridgeOutbound;
  }

  public NodeOptions setBridgeOutbound(List<String> bridgeOutbound) {
    this.bridgeOutbound = checkPatterns(bridgeOutbound);
    return this;
  }

  /**
   * The event-bus addresses browsers may send or publish to through the SockJS bridge, as regular
   * expressions. Default none. A permitted address {@code sluice.in.<topic>} appends what browsers send
   * there to the topic.
   */
  public List<String> getBridgeInbound() {
    return bridgeInbound;
  }

  public NodeOptions setBridgeInbound(List<String> bridgeInbound) {
    this.bridgeInbound = checkPatterns(bridgeInbound);
    return this;
  }

  /**
   * Lets a node without authentication listen on a non-loopback address. Off by default: such a node
   * refuses to start, because anyone who can reach the port could read and delete everything.
   */
  public boolean isAllowInsecure() {
    return allowInsecure;
  }

  public NodeOptions setAllowInsecure(boolean allowInsecure) {
    this.allowInsecure = allowInsecure;
    return this;
  }

  /** A file that gets one JSON line per admin action and per refused request, or {@code null} (log only). */
  public String getAuditLog() {
    return auditLog;
  }

  public NodeOptions setAuditLog(String auditLog) {
    this.auditLog = auditLog == null ? null : requireText(auditLog, "must not be empty");
    return this;
  }

  /** TLS for the HTTP API from a PEM certificate chain and private key; both or neither. */
  public NodeOptions setTlsPem(String certPath, String keyPath) {
    this.tlsCertPath = certPath == null ? null : requireText(certPath, "the certificate path must not be empty");
    this.tlsKeyPath = keyPath == null ? null : requireText(keyPath, "the key path must not be empty");
    return this;
  }

  /** TLS for the HTTP API from a PKCS#12 or JKS key store (by file extension .jks, else PKCS#12). */
  public NodeOptions setTlsKeyStore(String path, String password) {
    this.tlsKeyStorePath = path == null ? null : requireText(path, "the key store path must not be empty");
    this.tlsKeyStorePassword = password;
    return this;
  }

  public String getTlsCertPath() {
    return tlsCertPath;
  }

  public String getTlsKeyPath() {
    return tlsKeyPath;
  }

  public String getTlsKeyStorePath() {
    return tlsKeyStorePath;
  }

  public String getTlsKeyStorePassword() {
    return tlsKeyStorePassword;
  }

  /** Whether the HTTP API serves TLS (a certificate is configured). */
  public boolean isTls() {
    return tlsCertPath != null || tlsKeyStorePath != null;
  }

  /**
   * How many consumer-group members ({@code POST /v1/groups/{group}/members}) the node holds at once; one
   * more gets 429 {@code limit_exceeded}. Each is a consumer with its own fetches and heartbeats, so the
   * bound keeps clients that never delete their members from exhausting the node.
   * Default {@value #DEFAULT_GROUP_MAX_MEMBERS}.
   */
  public int getGroupMaxMembers() {
    return groupMaxMembers;
  }

  public NodeOptions setGroupMaxMembers(int groupMaxMembers) {
    if (groupMaxMembers < 1) {
      throw new InvalidArgumentException("must be at least 1, got " + groupMaxMembers);
    }
    this.groupMaxMembers = groupMaxMembers;
    return this;
  }

  /**
   * How long a consumer-group member may go without polling its records before the node closes it
   * (leaving the group, so its partitions go to the others), like Kafka's session timeout.
   * Default {@value #DEFAULT_GROUP_SESSION_TIMEOUT_MS} ms.
   */
  public long getGroupSessionTimeoutMs() {
    return groupSessionTimeoutMs;
  }

  public NodeOptions setGroupSessionTimeoutMs(long groupSessionTimeoutMs) {
    if (groupSessionTimeoutMs < 100) {
      throw new InvalidArgumentException("must be at least 100 ms, got " + groupSessionTimeoutMs);
    }
    this.groupSessionTimeoutMs = groupSessionTimeoutMs;
    return this;
  }

  /**
   * The most bytes of log data the file store may keep in {@link #getDataDir()}; 0 (the default) for no
   * limit but the disk's. A produce or send that would go past it is refused with 507 {@code disk_full},
   * having stored nothing; reads go on, and writes succeed again once deleted topics or queues, retention
   * or acknowledged messages have made room (the file store's {@code maxDataBytes}).
   */
  public long getMaxDataBytes() {
    return maxDataBytes;
  }

  public NodeOptions setMaxDataBytes(long maxDataBytes) {
    if (maxDataBytes < 0) {
      throw new InvalidArgumentException("must be >= 0 (0: no limit), got " + maxDataBytes);
    }
    this.maxDataBytes = maxDataBytes;
    return this;
  }

  /** Where the file store keeps its logs. Default {@value #DEFAULT_DATA_DIR}. */
  public String getDataDir() {
    return dataDir;
  }

  public NodeOptions setDataDir(String dataDir) {
    this.dataDir = requireText(dataDir, "must not be empty");
    return this;
  }

  /** The address the HTTP API listens on. Default {@value #DEFAULT_HTTP_HOST}. */
  public String getHttpHost() {
    return httpHost;
  }

  public NodeOptions setHttpHost(String httpHost) {
    this.httpHost = requireText(httpHost, "must not be empty");
    return this;
  }

  /** The HTTP port; 0 picks a free one (see {@link SluiceNode#httpPort()}). Default {@value #DEFAULT_HTTP_PORT}. */
  public int getHttpPort() {
    return httpPort;
  }

  public NodeOptions setHttpPort(int httpPort) {
    this.httpPort = checkPort(httpPort);
    return this;
  }

  /** The log store type, one of {@link #STORES}. Default {@value #DEFAULT_STORE}. */
  public String getStore() {
    return store;
  }

  public NodeOptions setStore(String store) {
    String s = store == null ? "" : store.trim().toLowerCase(Locale.ROOT);
    if (!STORES.contains(s)) {
      throw new InvalidArgumentException("unknown store '" + store + "' (expected one of " + String.join(", ", STORES) + ")");
    }
    this.store = s;
    return this;
  }

  /** The largest HTTP request body accepted; a larger one gets 413. Default 8 MiB. */
  public long getHttpMaxBodyBytes() {
    return httpMaxBodyBytes;
  }

  public NodeOptions setHttpMaxBodyBytes(long httpMaxBodyBytes) {
    if (httpMaxBodyBytes < 1024) {
      throw new InvalidArgumentException("must be at least 1024 bytes, got " + httpMaxBodyBytes);
    }
    this.httpMaxBodyBytes = httpMaxBodyBytes;
    return this;
  }

  /**
   * How long a stopping node lets in-flight requests finish before it closes their connections.
   * Default {@value #DEFAULT_SHUTDOWN_TIMEOUT_MS} ms.
   */
  public long getShutdownTimeoutMs() {
    return shutdownTimeoutMs;
  }

  public NodeOptions setShutdownTimeoutMs(long shutdownTimeoutMs) {
    if (shutdownTimeoutMs < 0) {
      throw new InvalidArgumentException("must not be negative, got " + shutdownTimeoutMs);
    }
    this.shutdownTimeoutMs = shutdownTimeoutMs;
    return this;
  }

  /**
   * Whether the node runs clustered: Vert.x clustered through Hazelcast, logs replicated across the nodes
   * (cluster-hazelcast), each topic partition and queue served by its log's leader.
   */
  public boolean isCluster() {
    return cluster;
  }

  public NodeOptions setCluster(boolean cluster) {
    this.cluster = cluster;
    return this;
  }

  /** This node's name in the cluster (replicas are recorded by it: keep it stable), or {@code null} for {@code node-<cluster port>}. */
  public String getNodeId() {
    return nodeId;
  }

  public NodeOptions setNodeId(String nodeId) {
    this.nodeId = nodeId == null ? null : Names.validate("node id", nodeId);
    return this;
  }

  /** The address the cluster transport binds to. Default {@value #DEFAULT_CLUSTER_HOST}. */
  public String getClusterHost() {
    return clusterHost;
  }

  public NodeOptions setClusterHost(String clusterHost) {
    this.clusterHost = requireText(clusterHost, "must not be empty");
    return this;
  }

  /** The cluster transport's port. Default {@value #DEFAULT_CLUSTER_PORT}. */
  public int getClusterPort() {
    return clusterPort;
  }

  public NodeOptions setClusterPort(int clusterPort) {
    this.clusterPort = checkPort(clusterPort);
    return this;
  }

  /** The cluster's name: nodes join only a cluster of the same name (one per deployment). Default {@value #DEFAULT_CLUSTER_NAME}. */
  public String getClusterName() {
    return clusterName;
  }

  public NodeOptions setClusterName(String clusterName) {
    this.clusterName = Names.validate("cluster name", clusterName);
    return this;
  }

  /**
   * How many nodes hold a copy of each new log in a cluster (the leader and its followers). Default
   * {@value #DEFAULT_REPLICATION_FACTOR}. A log is created only while this many nodes are live; until then
   * its creation fails {@code not_enough_replicas} (and the node's own logs are retried). Unused without
   * {@link #isCluster() cluster}: a single node holds one copy.
   */
  public int getReplicationFactor() {
    return replicationFactor;
  }

  public NodeOptions setReplicationFactor(int replicationFactor) {
    if (replicationFactor < 1) {
      throw new InvalidArgumentException("the replication factor must be at least 1, got " + replicationFactor);
    }
    this.replicationFactor = replicationFactor;
    return this;
  }

  /**
   * How many replicas must be in sync for an {@code acks=all} append to be taken: with fewer (nodes down or
   * behind) such appends are refused with {@code not_enough_replicas} (HTTP 503), never acknowledged with
   * fewer copies. Default {@value #DEFAULT_MIN_IN_SYNC}, or the replication factor when that is smaller.
   */
  public int getMinInSync() {
    return minInSync > 0 ? minInSync : Math.min(DEFAULT_MIN_IN_SYNC, replicationFactor);
  }

  /** @throws InvalidArgumentException below 1 (above the replication factor is refused when the node starts) */
  public NodeOptions setMinInSync(int minInSync) {
    if (minInSync < 1) {
      throw new InvalidArgumentException("min in-sync replicas must be at least 1, got " + minInSync);
    }
    this.minInSync = minInSync;
    return this;
  }

  /**
   * How many nodes the cluster is meant to have (default 0: not set). A node leads (and acknowledges writes) only
   * while it sees a strict majority of this or of the nodes it has seen since it started, whichever is larger; set
   * it so a node that starts alone on the wrong side of a network split does not count itself a majority.
   */
  public int getClusterSize() {
    return clusterSize;
  }

  public NodeOptions setClusterSize(int clusterSize) {
    if (clusterSize < 0) {
      throw new InvalidArgumentException("the cluster size must be 0 (not set) or more, got " + clusterSize);
    }
    this.clusterSize = clusterSize;
    return this;
  }

  /**
   * When a replicated append is acknowledged: {@link Acks#ALL} (the default) once every in-sync replica has
   * it; {@link Acks#LEADER} after the leader's own append, which a leader crash can lose.
   */
  public Acks getAcks() {
    return acks;
  }

  public NodeOptions setAcks(Acks acks) {
    this.acks = Objects.requireNonNull(acks, "acks");
    return this;
  }

  /** Members to join, as {@code host:port}; empty to start a new cluster. */
  public List<String> getJoin() {
    return join;
  }

  public NodeOptions setJoin(List<String> join) {
    List<String> checked = new ArrayList<>();
    for (String member : Objects.requireNonNull(join, "join")) {
      checked.add(checkHostPort(member));
    }
    this.join = Collections.unmodifiableList(checked);
    return this;
  }

  /**
   * Mutual TLS on the clustered event bus (which carries every record between nodes) from a PEM certificate
   * chain and key, both or neither. Separate from the HTTP API's certificate: this one identifies cluster
   * members to each other, so it is usually one certificate shared by every node, or each node's own signed
   * by a private CA given with {@link #setClusterTlsTrust}.
   */
  public NodeOptions setClusterTlsPem(String certPath, String keyPath) {
    this.clusterTlsCertPath = certPath == null ? null : requireText(certPath, "the certificate path must not be empty");
    this.clusterTlsKeyPath = keyPath == null ? null : requireText(keyPath, "the key path must not be empty");
    return this;
  }

  /** Mutual TLS on the clustered event bus from a PKCS#12 or JKS key store (by file extension .jks, else PKCS#12). */
  public NodeOptions setClusterTlsKeyStore(String path, String password) {
    this.clusterTlsKeyStorePath = path == null ? null : requireText(path, "the key store path must not be empty");
    this.clusterTlsKeyStorePassword = password;
    return this;
  }

  /**
   * The certificates a cluster peer must present: PEM ({@code .pem}/{@code .crt}, e.g. the private CA) or a
   * store ({@code .p12}/{@code .pfx}/{@code .jks}). Default: this node's own cluster certificate.
   */
  public NodeOptions setClusterTlsTrust(String path, String password) {
    this.clusterTlsTrustPath = path == null ? null : requireText(path, "the trust path must not be empty");
    this.clusterTlsTrustPassword = password;
    return this;
  }

  public String getClusterTlsCertPath() {
    return clusterTlsCertPath;
  }

  public String getClusterTlsKeyPath() {
    return clusterTlsKeyPath;
  }

  public String getClusterTlsKeyStorePath() {
    return clusterTlsKeyStorePath;
  }

  public String getClusterTlsKeyStorePassword() {
    return clusterTlsKeyStorePassword;
  }

  public String getClusterTlsTrustPath() {
    return clusterTlsTrustPath;
  }

  public String getClusterTlsTrustPassword() {
    return clusterTlsTrustPassword;
  }

  /**
   * The name of a vertx-micrometer-metrics Prometheus registry to publish into. When the node's
   * {@code Vertx} was built with Micrometer metrics under this name, {@code /metrics} shows Vert.x's own
   * metrics beside Sluice's; otherwise the node keeps a registry of its own. Default
   * {@value #DEFAULT_METRICS_REGISTRY_NAME}.
   */
  public String getMetricsRegistryName() {
    return metricsRegistryName;
  }

  public NodeOptions setMetricsRegistryName(String metricsRegistryName) {
    this.metricsRegistryName = requireText(metricsRegistryName, "must not be empty");
    return this;
  }

  @Override
  public String toString() {
    return "NodeOptions{dataDir=" + dataDir + ", http=" + httpHost + ":" + httpPort + ", store=" + store
        + ", httpMaxBodyBytes=" + httpMaxBodyBytes + ", shutdownTimeoutMs=" + shutdownTimeoutMs
        + ", cluster=" + cluster + ", nodeId=" + nodeId + ", clusterHost=" + clusterHost
        + ", clusterPort=" + clusterPort + ", join=" + join + ", clusterName=" + clusterName
        + ", replicationFactor=" + replicationFactor + ", minInSync=" + getMinInSync() + ", acks=" + acks + ", clusterSize=" + clusterSize
        + ", bridgeOutbound=" + bridgeOutbound
        + ", bridgeInbound=" + bridgeInbound + ", security=" + security + ", tls=" + isTls()
        + ", clusterTls=" + (clusterTlsCertPath != null || clusterTlsKeyStorePath != null) + "}";
  }

  private static List<String> checkPatterns(List<String> patterns) {
    List<String> checked = new ArrayList<>();
    for (String p : Objects.requireNonNull(patterns, "patterns")) {
      if (p == null || p.isBlank()) {
        throw new InvalidArgumentException("an address pattern must not be empty");
      }
      try {
        Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        throw new InvalidArgumentException("'" + p + "' is not a regular expression: " + e.getDescription(), e);
      }
      checked.add(p);
    }
    return List.copyOf(checked);
  }

  private static String requireText(String value, String message) {
    if (value == null || value.isBlank()) {
      throw new InvalidArgumentException(message);
    }
    return value.trim();
  }

  private static int checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new InvalidArgumentException("not a port number (0-65535): " + port);
    }
    return port;
  }

  private static String checkHostPort(String member) {
    String m = member == null ? "" : member.trim();
    int colon = m.lastIndexOf(':');
    if (colon <= 0 || colon == m.length() - 1) {
      throw new InvalidArgumentException("'" + member + "' is not host:port");
    }
    int port;
    try {
      port = Integer.parseInt(m.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("'" + member + "' is not host:port (bad port)", e);
    }
    if (port < 1 || port > 65535) {
      throw new InvalidArgumentException("'" + member + "' is not host:port (port must be 1-65535)");
    }
    return m;
  }
}
