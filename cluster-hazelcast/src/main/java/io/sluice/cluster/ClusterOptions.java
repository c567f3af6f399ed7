package io.sluice.cluster;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one cluster node: who it is, where it listens, whom it joins, and the replication
 * defaults of the logs it creates. Fluent and mutable; {@link ClusterNode#start} copies them.
 *
 * <p>Everything listens on {@link #getHost()} only (127.0.0.1 unless configured): Hazelcast binds it
 * alone, joins by TCP-IP to the {@link #getJoin() join list} only, and the clustered event bus binds
 * and advertises the same host. See {@link HazelcastConfigs}.
 *
 * <p>The event bus, which carries every record between nodes (replication, forwarded appends and reads),
 * can run over mutual TLS: {@link #setTlsPem} or {@link #setTlsKeyStore} give this node's certificate, and
 * {@link #setTlsTrust} the certificates (or CA) it accepts from peers, by default its own certificate, so
 * nodes sharing one cluster certificate trust each other and nobody else. Hazelcast's member protocol
 * stays plain (its TLS is an Enterprise feature); it carries metadata only, never records.
 *
 * <p>Not thread-safe: configure on one thread, then hand over.
 */
public final class ClusterOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  public static final String DEFAULT_CLUSTER_NAME = "sluice";

  private String nodeId;
  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private int eventBusPort;
  private List<String> join = new ArrayList<>();
  private String clusterName = DEFAULT_CLUSTER_NAME;
  private int replicationFactor = 2;
  private int minInSync = 2;
  private Acks acks = Acks.ALL;
  private int heartbeatIntervalSeconds = 1;
  private int maxNoHeartbeatSeconds = 5;
  private long replicaLagMaxMs = 3000;
  private long fetchWaitMs = 500;
  private int fetchMaxBytes = 1024 * 1024;
  private long requestTimeoutMs = 10_000;
  private long retryTimeoutMs = 10_000;
  private long handOverTimeoutMs = 5000;
  private String tlsCertPath;
  private String tlsKeyPath;
  private String tlsKeyStorePath;
  private String tlsKeyStorePassword;
  private String tlsTrustPath;
  private String tlsTrustPassword;
  private int maxConcurrentMoves = 2;
  private int clusterSize;

  public ClusterOptions() {
  }

  public ClusterOptions(ClusterOptions other) {
    this.nodeId = other.nodeId;
    this.host = other.host;
    this.port = other.port;
    this.eventBusPort = other.eventBusPort;
    this.join = new ArrayList<>(other.join);
    this.clusterName = other.clusterName;
    this.replicationFactor = other.replicationFactor;
    this.minInSync = other.minInSync;
    this.acks = other.acks;
    this.heartbeatIntervalSeconds = other.heartbeatIntervalSeconds;
    this.maxNoHeartbeatSeconds = other.maxNoHeartbeatSeconds;
    this.replicaLagMaxMs = other.replicaLagMaxMs;
    this.fetchWaitMs = other.fetchWaitMs;
    this.fetchMaxBytes = other.fetchMaxBytes;
    this.requestTimeoutMs = other.requestTimeoutMs;
    this.retryTimeoutMs = other.retryTimeoutMs;
    this.handOverTimeoutMs = other.handOverTimeoutMs;
    this.tlsCertPath = other.tlsCertPath;
    this.tlsKeyPath = other.tlsKeyPath;
    this.tlsKeyStorePath = other.tlsKeyStorePath;
    this.tlsKeyStorePassword = other.tlsKeyStorePassword;
    this.tlsTrustPath = other.tlsTrustPath;
    this.tlsTrustPassword = other.tlsTrustPassword;
    this.maxConcurrentMoves = other.maxConcurrentMoves;
    this.clusterSize = other.clusterSize;
  }

  /** Fails with {@code invalid_argument} if a setting is missing or inconsistent. */
  public ClusterOptions validate() {
    if (nodeId == null) {
      throw new InvalidArgumentException("nodeId is required");
    }
    if (minInSync > replicationFactor) {
      throw new InvalidArgumentException("minInSync " + minInSync + " exceeds replicationFactor " + replicationFactor);
    }
    if (fetchWaitMs >= replicaLagMaxMs) {
      throw new InvalidArgumentException("fetchWaitMs " + fetchWaitMs + " must be below replicaLagMaxMs "
          + replicaLagMaxMs + ", or an idle follower would drop out of the in-sync set");
    }
    if ((tlsCertPath == null) != (tlsKeyPath == null)) {
      throw new InvalidArgumentException("event-bus TLS from PEM files needs both a certificate and a key");
    }
    if (tlsCertPath != null && tlsKeyStorePath != null) {
      throw new InvalidArgumentException("give event-bus TLS either as PEM files or as a key store, not both");
    }
    if (tlsTrustPath != null && !isTls()) {
      throw new InvalidArgumentException("an event-bus trust store without a certificate of this node: set TLS PEM files or a key store too");
    }
    return this;
  }

  /** This node's stable identity (a name, e.g. {@code node-1}): replicas and leaders are recorded by it. */
  public String getNodeId() {
    return nodeId;
  }

  public ClusterOptions setNodeId(String nodeId) {
    this.nodeId = Names.validate("node", nodeId);
    return this;
  }

  /** The address Hazelcast and the event bus bind and advertise (default 127.0.0.1). */
  public String getHost() {
    return host;
  }

  public ClusterOptions setHost(String host) {
    this.host = Objects.requireNonNull(host, "host");
    return this;
  }

  /** Hazelcast's member port (default 5701; no auto-increment: a node has one address). */
  public int getPort() {
    return port;
  }

  public ClusterOptions setPort(int port) {
    if (port < 1 || port > 65535) {
      throw new InvalidArgumentException("port must be 1..65535, got " + port);
    }
    this.port = port;
    return this;
  }

  /** The clustered event bus port (default 0: any free port, advertised through Hazelcast). */
  public int getEventBusPort() {
    return eventBusPort;
  }

  public ClusterOptions setEventBusPort(int eventBusPort) {
    if (eventBusPort < 0 || eventBusPort > 65535) {
      throw new InvalidArgumentException("eventBusPort must be 0..65535, got " + eventBusPort);
    }
    this.eventBusPort = eventBusPort;
    return this;
  }

  /** The members to join, as {@code host:port}; the only addresses Hazelcast ever contacts. */
  public List<String> getJoin() {
    return new ArrayList<>(join);
  }

  public ClusterOptions setJoin(List<String> join) {
    for (String member : join) {
      int colon = member.lastIndexOf(':');
      if (colon <= 0) {
        throw new InvalidArgumentException("join member must be host:port, got '" + member + "'");
      }
      try {
        Integer.parseInt(member.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new InvalidArgumentException("join member must be host:port, got '" + member + "'");
      }
    }
    this.join = new ArrayList<>(join);
    return this;
  }

  /** Members only join a cluster of the same name: one per deployment, and one per test. */
  public String getClusterName() {
    return clusterName;
  }

  public ClusterOptions setClusterName(String clusterName) {
    this.clusterName = Names.validate("cluster", clusterName);
    return this;
  }

  /** Replicas of each new log, on distinct nodes (default 2). */
  public int getReplicationFactor() {
    return replicationFactor;
  }

  public ClusterOptions setReplicationFactor(int replicationFactor) {
    if (replicationFactor < 1) {
      throw new InvalidArgumentException("replicationFactor must be >= 1, got " + replicationFactor);
    }
    this.replicationFactor = replicationFactor;
    return this;
  }

  /** In-sync replicas (the leader included) an {@code acks=all} append needs, else it fails (default 2). */
  public int getMinInSync() {
    return minInSync;
  }

  public ClusterOptions setMinInSync(int minInSync) {
    if (minInSync < 1) {
      throw new InvalidArgumentException("minInSync must be >= 1, got " + minInSync);
    }
    this.minInSync = minInSync;
    return this;
  }

  /** When an append completes (default {@link Acks#ALL}). */
  public Acks getAcks() {
    return acks;
  }

  public ClusterOptions setAcks(Acks acks) {
    this.acks = Objects.requireNonNull(acks, "acks");
    return this;
  }

  /** Hazelcast heartbeat period (default 1 s). */
  public int getHeartbeatIntervalSeconds() {
    return heartbeatIntervalSeconds;
  }

  public ClusterOptions setHeartbeatIntervalSeconds(int seconds) {
    if (seconds < 1) {
      throw new InvalidArgumentException("heartbeatIntervalSeconds must be >= 1, got " + seconds);
    }
    this.heartbeatIntervalSeconds = seconds;
    return this;
  }

  /** A member silent this long is declared dead and removed (default 5 s). */
  public int getMaxNoHeartbeatSeconds() {
    return maxNoHeartbeatSeconds;
  }

  public ClusterOptions setMaxNoHeartbeatSeconds(int seconds) {
    if (seconds < 2) {
      throw new InvalidArgumentException("maxNoHeartbeatSeconds must be >= 2, got " + seconds);
    }
    this.maxNoHeartbeatSeconds = seconds;
    return this;
  }

  /** A follower not caught up for this long leaves the in-sync set (default 3000 ms). */
  public long getReplicaLagMaxMs() {
    return replicaLagMaxMs;
  }

  public ClusterOptions setReplicaLagMaxMs(long ms) {
    if (ms < 100) {
      throw new InvalidArgumentException("replicaLagMaxMs must be >= 100, got " + ms);
    }
    this.replicaLagMaxMs = ms;
    return this;
  }

  /** How long a follower's fetch waits at the leader for new data (default 500 ms). */
  public long getFetchWaitMs() {
    return fetchWaitMs;
  }

  public ClusterOptions setFetchWaitMs(long ms) {
    if (ms < 1) {
      throw new InvalidArgumentException("fetchWaitMs must be >= 1, got " + ms);
    }
    this.fetchWaitMs = ms;
    return this;
  }

  /** Bytes one fetch answer carries at most (whole batches; at least one batch) (default 1 MiB). */
  public int getFetchMaxBytes() {
    return fetchMaxBytes;
  }

  public ClusterOptions setFetchMaxBytes(int bytes) {
    if (bytes < 1024) {
      throw new InvalidArgumentException("fetchMaxBytes must be >= 1024, got " + bytes);
    }
    this.fetchMaxBytes = bytes;
    return this;
  }

  /** How long a request to another node (and an {@code acks=all} wait) may take (default 10 s). */
  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  public ClusterOptions setRequestTimeoutMs(long ms) {
    if (ms < 100) {
      throw new InvalidArgumentException("requestTimeoutMs must be >= 100, got " + ms);
    }
    this.requestTimeoutMs = ms;
    return this;
  }

  /** How long a call keeps retrying while there is no leader to take it (default 10 s). */
  public long getRetryTimeoutMs() {
    return retryTimeoutMs;
  }

  public ClusterOptions setRetryTimeoutMs(long ms) {
    if (ms < 0) {
      throw new InvalidArgumentException("retryTimeoutMs must be >= 0, got " + ms);
    }
    this.retryTimeoutMs = ms;
    return this;
  }

  /** How long a leaving node waits for its followers to catch up before handing leadership over (default 5 s). */
  public long getHandOverTimeoutMs() {
    return handOverTimeoutMs;
  }

  public ClusterOptions setHandOverTimeoutMs(long ms) {
    if (ms < 0) {
      throw new InvalidArgumentException("handOverTimeoutMs must be >= 0, got " + ms);
    }
    this.handOverTimeoutMs = ms;
    return this;
  }

  /**
   * Mutual TLS on the event bus from a PEM certificate chain and its private key (PKCS#8 or PKCS#1), both
   * or neither ({@code null}, {@code null}: off, the default).
   */
  public ClusterOptions setTlsPem(String certPath, String keyPath) {
    this.tlsCertPath = optionalPath(certPath);
    this.tlsKeyPath = optionalPath(keyPath);
    return this;
  }

  /** Mutual TLS on the event bus from a PKCS#12 key store ({@code .jks}: a Java key store); {@code null} path: off. */
  public ClusterOptions setTlsKeyStore(String path, String password) {
    this.tlsKeyStorePath = optionalPath(path);
    this.tlsKeyStorePassword = password;
    return this;
  }

  /**
   * What peers must present: a PEM file of certificates ({@code .pem}, {@code .crt}, e.g. the CA that
   * signed every node's certificate) or a key/trust store ({@code .p12}, {@code .pfx}, {@code .jks}).
   * Default ({@code null}): this node's own certificate, for a cluster sharing one certificate.
   */
  public ClusterOptions setTlsTrust(String path, String password) {
    this.tlsTrustPath = optionalPath(path);
    this.tlsTrustPassword = password;
    return this;
  }

  /** Whether the event bus runs over mutual TLS (a certificate of this node is configured). */
  public boolean isTls() {
    return tlsCertPath != null || tlsKeyStorePath != null;
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

  public String getTlsTrustPath() {
    return tlsTrustPath;
  }

  public String getTlsTrustPassword() {
    return tlsTrustPassword;
  }

  private static String optionalPath(String path) {
    if (path != null && path.isBlank()) {
      throw new InvalidArgumentException("a TLS file path must not be empty");
    }
    return path;
  }

  /**
   * How many reassignments a rebalance runs at once (default 2): replicas being copied to another node plus
   * leaderships being handed over. Each copy costs the leader a follower's fetch traffic until it catches up.
   */
  public int getMaxConcurrentMoves() {
    return maxConcurrentMoves;
  }

  public ClusterOptions setMaxConcurrentMoves(int moves) {
    if (moves < 1) {
      throw new InvalidArgumentException("maxConcurrentMoves must be >= 1, got " + moves);
    }
    this.maxConcurrentMoves = moves;
    return this;
  }

  /**
   * The number of nodes the cluster is meant to have (default 0: not set). A node acts as leader or controller
   * only while it sees a strict majority of max(clusterSize, the nodes it has seen since it started, less
   * those that left gracefully); see {@link ClusterNode#hasQuorum()}. Set it so that a node started on the
   * wrong side of a network split, which has seen nobody yet, does not count itself a majority.
   */
  public int getClusterSize() {
    return clusterSize;
  }

  public ClusterOptions setClusterSize(int nodes) {
    if (nodes < 0) {
      throw new InvalidArgumentException("clusterSize must be >= 0, got " + nodes);
    }
    this.clusterSize = nodes;
    return this;
  }
}
