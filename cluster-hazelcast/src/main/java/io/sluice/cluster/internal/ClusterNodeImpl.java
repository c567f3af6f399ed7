package io.sluice.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.sluice.api.InvalidArgumentException;
import io.sluice.cluster.ClusterNode;
import io.sluice.cluster.ClusterOptions;
import io.sluice.cluster.HazelcastConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.KeyStoreOptionsBase;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A started node: its clustered Vert.x, its Hazelcast member, and the replicated stores created on it
 * (told about membership changes, and closed gracefully with the node).
 *
 * <p>Thread-safe: the member list is read from Hazelcast on each call; the stores list is copy-on-write.
 */
public final class ClusterNodeImpl implements ClusterNode {

  private static final System.Logger LOG = System.getLogger("io.sluice.cluster");

  private final ClusterOptions options;
  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final List<ReplicaManager> stores = new CopyOnWriteArrayList<>();
  private final UUID membershipRegistration;
  /** Every node seen as a member since this one started, less those that left gracefully: what a majority is of. */
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private ClusterNodeImpl(ClusterOptions options, Vertx vertx, HazelcastInstance hazelcast) {
    this.options = options;
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.membershipRegistration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        stores.forEach(ReplicaManager::membershipChanged);
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String id = event.getMember().getAttribute(HazelcastConfigs.NODE_ID_ATTRIBUTE);
        try {
          if (id != null && departed().containsKey(id)) {
            known.remove(id); // it left gracefully: the cluster is smaller now, not split
          }
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.DEBUG, "reading departed nodes", e);
        }
        stores.forEach(ReplicaManager::membershipChanged);
      }
    });
  }

  public static Future<ClusterNode> start(ClusterOptions options, VertxOptions vertxOptions) {
    return start(options, vertxOptions, UnaryOperator.identity());
  }

  /** For tests: {@code adjust} changes the member's Hazelcast config (a firewall in front of it). */
  static Future<ClusterNode> start(ClusterOptions options, VertxOptions vertxOptions, UnaryOperator<Config> adjust) {
    ClusterOptions o;
    HazelcastClusterManager manager;
    VertxOptions vo;
    try {
      o = new ClusterOptions(options).validate();
      vo = new VertxOptions(vertxOptions).setEventBusOptions(eventBusOptions(o));
      manager = new HazelcastClusterManager(adjust.apply(HazelcastConfigs.forNode(o)));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Vertx.builder().with(vo).withClusterManager(manager).buildClustered()
        .map(vertx -> new ClusterNodeImpl(o, vertx, manager.getHazelcastInstance()));
  }

  /**
   * The clustered event bus binds and advertises the node's host only. With TLS configured it is mutual
   * TLS: a node accepts a connection only from a peer whose certificate its trust accepts, and connects
   * only to such a peer. There is no host-name check (peers are addressed by what Hazelcast advertises):
   * the trust is the authentication, so it should name the cluster's own certificate or private CA,
   * never a public CA.
   */
  static EventBusOptions eventBusOptions(ClusterOptions o) {
    EventBusOptions eb = new EventBusOptions().setHost(o.getHost()).setClusterPublicHost(o.getHost()).setPort(o.getEventBusPort());
    if (!o.isTls()) {
      return eb;
    }
    for (String f : new String[] {o.getTlsCertPath(), o.getTlsKeyPath(), o.getTlsKeyStorePath(), o.getTlsTrustPath()}) {
      if (f != null && !Files.isReadable(Path.of(f))) {
        throw new InvalidArgumentException("event-bus TLS file '" + f + "' does not exist or is not readable");
      }
    }
    KeyCertOptions key;
    TrustOptions trust;
    if (o.getTlsCertPath() != null) {
      key = new PemKeyCertOptions().setCertPath(o.getTlsCertPath()).setKeyPath(o.getTlsKeyPath());
      trust = o.getTlsTrustPath() != null ? trustFrom(o.getTlsTrustPath(), o.getTlsTrustPassword())
          : new PemTrustOptions().addCertPath(o.getTlsCertPath());
    } else {
      key = keyStore(o.getTlsKeyStorePath(), o.getTlsKeyStorePassword());
      // A key store's own certificate is a trust anchor too (the JDK trusts a key entry's certificate).
      trust = o.getTlsTrustPath() != null ? trustFrom(o.getTlsTrustPath(), o.getTlsTrustPassword())
          : keyStore(o.getTlsKeyStorePath(), o.getTlsKeyStorePassword());
    }
    return eb.setSsl(true).setKeyCertOptions(key).setTrustOptions(trust).setClientAuth(ClientAuth.REQUIRED);
  }

  private static TrustOptions trustFrom(String path, String password) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".p12") || lower.endsWith(".pfx") || lower.endsWith(".jks")) {
      return keyStore(path, password);
    }
    return new PemTrustOptions().addCertPath(path);
  }

  private static KeyStoreOptionsBase keyStore(String path, String password) {
    return path.toLowerCase(Locale.ROOT).endsWith(".jks")
        ? new JksOptions().setPath(path).setPassword(password)
        : new PfxOptions().setPath(path).setPassword(password);
  }

  @Override
  public String nodeId() {
    return options.getNodeId();
  }

  @Override
  public ClusterOptions options() {
    return new ClusterOptions(options);
  }

  ClusterOptions settings() {
    return options;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  HazelcastInstance hazelcast() {
    return hazelcast;
  }

  @Override
  public List<String> liveNodes() {
    List<String> out = new ArrayList<>();
    if (!hazelcast.getLifecycleService().isRunning()) {
      return out;
    }
    for (Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getAttribute(HazelcastConfigs.NODE_ID_ATTRIBUTE);
      if (id != null) {
        out.add(id);
      }
    }
    return out;
  }

  /** Node ids that left gracefully (a node removes its own when it starts a store). */
  com.hazelcast.map.IMap<String, String> departed() {
    return hazelcast.getMap("sluice.departed");
  }

  /*
   * Majority of what? Of the largest of the configured cluster size and the nodes this node has seen since it
   * started, less the ones that announced a graceful leave. Members seen now against members ever seen is what
   * tells a split (or a crash of most nodes) from a cluster that was scaled in on purpose; a configured size
   * also covers a node that starts alone on the wrong side of a split and has seen nobody yet. Counting only a
   * configured size would make every scale-out/in a configuration change; counting only what is seen now
   * would let each side of a split call itself a majority.
   */
  @Override
  public boolean hasQuorum() {
    List<String> live = liveNodes();
    known.addAll(live);
    return live.size() * 2 > Math.max(options.getClusterSize(), known.size());
  }

  @Override
  public String controller() {
    List<String> live = liveNodes();
    return live.isEmpty() ? null : live.get(0);
  }

  boolean isController() {
    return nodeId().equals(controller());
  }

  void register(ReplicaManager store) {
    stores.add(store);
  }

  void unregister(ReplicaManager store) {
    stores.remove(store);
  }

  @Override
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    List<Future<Void>> handOvers = new ArrayList<>();
    for (ReplicaManager s : stores) {
      handOvers.add(s.handOverLeadership().recover(e -> Future.succeededFuture()).compose(v -> s.close()));
    }
    // Told before leaving, so the others count a smaller cluster instead of a split.
    return Future.join(handOvers)
        .transform(ar -> vertx.executeBlocking(() -> departed().put(nodeId(), "1")))
        .transform(ar -> closeVertx());
  }

  private Future<Void> closeVertx() {
    try {
      hazelcast.getCluster().removeMembershipListener(membershipRegistration);
    } catch (RuntimeException e) {
      // Hazelcast already stopped: nothing to unregister from
    }
    return vertx.close();
  }

  /**
   * Stops this node as a crash would, for tests: Hazelcast is terminated at once (no graceful leave, no
   * hand-over; the others notice through failure detection or the closed connections), then Vert.x
   * closes. The local stores are left as they are, open, so a restarted node can reuse them.
   */
  Future<Void> crash() {
    closed = true;
    stores.forEach(ReplicaManager::halt);
    try {
      hazelcast.getLifecycleService().terminate();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "terminating Hazelcast", e);
    }
    return vertx.close().recover(e -> Future.succeededFuture());
  }
}
