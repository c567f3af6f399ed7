package io.sluice.broker.internal;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.store.LogStore;
import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.sluice.cluster.ClusterNode;
import io.sluice.cluster.ClusterOptions;
import io.sluice.cluster.ReplicatedLogStore;
import io.sluice.queue.Queues;
import io.sluice.topic.Topics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/*
 * How a node starts and stops, and why in this order.
 *
 * Start: listen first, then open. The HTTP server binds before the store and services open, because
 * opening a file store may replay and index logs for a while, and during that time operators (and the
 * launcher's "port in use" check) need an answer: /health says 503 STARTING and every API route says
 * 503 not_ready. Only once every route group's service is open are their routes mounted and the state
 * flipped to UP. A failure at any step releases, in reverse, everything taken so far, so a failed start
 * leaves no bound port, open log or registered meter behind.
 *
 * Stop: drain, then close. The state flips to STOPPING first, so requests arriving on kept-alive
 * connections get 503 instead of racing the closing services. Then the HTTP verticle is undeployed: its
 * stop() asks the server to shut down, which stops accepting connections and waits (up to the
 * shutdown timeout) for in-flight requests to complete. Only after that do the services close (newest
 * first) and, last, the store, which flushes every log and writes its clean-shutdown marker: nothing that
 * a client was told is stored can be cut off by the shutdown. Each step runs even if an earlier one
 * failed; close() reports the first failure.
 *
 * The route groups are where the topic and queue services plug in: each is an Opener in
 * builtInGroups(), given the node's resources, returning a group that mounts routes and closes its
 * service.
 */

/**
 * The {@link SluiceNode} implementation: owns the store, the meter registry, the HTTP verticle and the
 * route groups, and orders their start and stop (see the comment at the top of this file).
 *
 * <p>Thread-safe: the state is atomic; start and close run as future chains on the caller's Vert.x.
 */
public final class SluiceNodeImpl implements SluiceNode {

  private static final Logger LOG = System.getLogger(SluiceNodeImpl.class.getName());
  private static final long CLUSTER_LEAVE_TIMEOUT_S = 30;

  private final Vertx vertx;
  private final NodeOptions options;
  /** The cluster membership this node runs on ({@code vertx} is then its clustered Vert.x), or null for a single node. */
  private final ClusterNode cluster;
  private final AtomicReference<NodeState> state = new AtomicReference<>(NodeState.STARTING);
  private final AtomicReference<Future<Void>> closing = new AtomicReference<>();
  private final List<RouteGroup> groups = Collections.synchronizedList(new ArrayList<>());
  private NodeMetrics metrics;
  private LogStore store;
  private HttpServerVerticle http;
  private String httpDeployment;
  private Future<Void> starting;
  private Future<SluiceNode> started;

  private SluiceNodeImpl(Vertx vertx, NodeOptions options, ClusterNode cluster) {
    this.vertx = vertx;
    this.options = options;
    this.cluster = cluster;
  }

  /** Starts a node with the built-in route groups. */
  public static Future<SluiceNode> start(Vertx vertx, NodeOptions options) {
    return start(vertx, options, builtInGroups());
  }

  /** Starts a node with the given route groups (tests add their own). */
  static Future<SluiceNode> start(Vertx vertx, NodeOptions options, List<RouteGroup.Opener> openers) {
    if (vertx == null || options == null) {
      return Future.failedFuture(new InvalidArgumentException("vertx and options are required"));
    }
    NodeOptions copy = new NodeOptions(options);
    try {
      SecuritySetup.checkStartable(copy);
    } catch (InvalidArgumentException e) {
      return Future.failedFuture(e);
    }
    if (copy.isCluster()) {
      // A clustered node runs on a clustered Vert.x of its own, which its close() closes.
      ClusterOptions co;
      try {
        co = clusterOptions(copy);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      return ClusterNode.start(co).compose(cn -> launch(cn.vertx(), copy, openers, cn).started);
    }
    return launch(vertx, copy, openers).started;
  }

  /** The cluster settings of a node: Hazelcast on the cluster host and port, joining only the listed members. */
  static ClusterOptions clusterOptions(NodeOptions o) {
    String self = o.getClusterHost() + ":" + o.getClusterPort();
    List<String> join = new ArrayList<>(o.getJoin());
    if (!join.contains(self)) {
      join.add(self);
    }
    return new ClusterOptions()
        .setNodeId(o.getNodeId() != null ? o.getNodeId() : "node-" + o.getClusterPort())
        .setHost(o.getClusterHost())
        .setPort(o.getClusterPort())
        .setJoin(join)
        .setClusterName(o.getClusterName())
        .setTlsPem(o.getClusterTlsCertPath(), o.getClusterTlsKeyPath())
        .setTlsKeyStore(o.getClusterTlsKeyStorePath(), o.getClusterTlsKeyStorePassword())
        .setTlsTrust(o.getClusterTlsTrustPath(), o.getClusterTlsTrustPassword())
        .setReplicationFactor(o.getReplicationFactor())
        .setMinInSync(o.getMinInSync())
        .setAcks(o.getAcks())
        .setClusterSize(o.getClusterSize())
        .validate();
  }

  /**
   * What {@code /health} shows of the cluster: this node, the controller, the live members, and with
   * {@code log} that log's placement (leader, epoch, replicas, in-sync replicas) as this node sees it.
   */
  private Future<JsonObject> clusterHealth(String log) {
    JsonObject c = new JsonObject().put("node", cluster.nodeId()).put("controller", cluster.controller())
        .put("members", new JsonArray(cluster.liveNodes()));
    // Until the replicated store is open (early in the start) no placement is known: the answer has no "log".
    if (log == null || !(store instanceof ReplicatedLogStore replicated)) {
      return Future.succeededFuture(c);
    }
    return replicated.placement(log).map(p -> c.put("log", new JsonObject().put("name", p.log()).put("leader", p.leader())
        .put("leaderEpoch", p.leaderEpoch()).put("replicas", new JsonArray(p.replicas())).put("isr", new JsonArray(p.isr()))
        .put("minInSync", p.minInSync()).put("acks", p.acks().name().toLowerCase(Locale.ROOT))));
  }

  /** Creates a node and begins its start; {@link #started} tells how it went. */
  static SluiceNodeImpl launch(Vertx vertx, NodeOptions options, List<RouteGroup.Opener> openers) {
    return launch(vertx, options, openers, null);
  }

  private static SluiceNodeImpl launch(Vertx vertx, NodeOptions options, List<RouteGroup.Opener> openers, ClusterNode cluster) {
    SluiceNodeImpl node = new SluiceNodeImpl(vertx, options, cluster);
    node.starting = node.doStart(List.copyOf(openers));
    node.started = node.starting
        .<SluiceNode>map(v -> node)
        .recover(failure -> node.close().transform(ignored -> Future.failedFuture(failure)));
    return node;
  }

  /** Completes when the node is UP, or fails once everything it took is released. */
  Future<SluiceNode> started() {
    return started;
  }

  /** The services that come with the node, in opening order (they close in the reverse order). */
  static List<RouteGroup.Opener> builtInGroups() {
    return List.of(TopicRoutes::open, QueueRoutes::open, WebUiRoutes::open);
  }

  private Future<Void> doStart(List<RouteGroup.Opener> openers) {
    try {
      metrics = NodeMetrics.create(options.getMetricsRegistryName());
      JsonObject storeConfig = new JsonObject().put("dataDir", options.getDataDir());
      if (options.getMaxDataBytes() > 0) {
        storeConfig.put("maxDataBytes", options.getMaxDataBytes());
      }
      store = LogStore.create(vertx, options.getStore(), storeConfig);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    LogStore local = store;
    http = new HttpServerVerticle(options, state::get, metrics, cluster == null ? store.type() : "replicated " + store.type(),
        cluster == null ? null : this::clusterHealth);
    Future<Void> chain = vertx.deployVerticle(http, new DeploymentOptions())
        .map(id -> {
          httpDeployment = id;
          return null;
        })
        // Open the store now (the file store creates and locks its data dir on first use), so an unusable
        // or already-locked data dir fails the start instead of the first request.
        .compose(v -> local.list())
        // In a cluster the modes run over the local store replicated (the replicated store closes it).
        .compose(v -> cluster == null ? Future.succeededFuture() : ReplicatedLogStore.create(cluster, local).map(r -> {
          store = r;
          return null;
        }))
        .mapEmpty();
    Future<NodeResources> resources = chain.map(v -> new NodeResources(vertx, options, store, metrics.registry()));
    chain = resources.mapEmpty();
    for (RouteGroup.Opener opener : openers) {
      chain = chain.compose(v -> opener.open(resources.result())).map(group -> {
        groups.add(group);
        return null;
      });
    }
    return chain
        .map(v -> {
          TopicRoutes topicService = find(TopicRoutes.class);
          QueueRoutes queueService = find(QueueRoutes.class);
          if (topicService != null && queueService != null) {
            DomainMetrics domain = new DomainMetrics(metrics.registry(), topicService.topics(), queueService.queues());
            metrics.beforeScrape(domain::refresh);
          }
          return null;
        })
        .compose(v -> http.mount(List.copyOf(groups)))
        .compose(v -> {
          if (!state.compareAndSet(NodeState.STARTING, NodeState.UP)) {
            return Future.failedFuture(new IllegalStateException("the node was closed while starting"));
          }
          LOG.log(Level.INFO, "Sluice node up on http://" + options.getHttpHost() + ":" + http.actualPort()
              + " (store " + store.type() + ")");
          return Future.succeededFuture();
        });
  }

  @Override
  public NodeOptions options() {
    return new NodeOptions(options);
  }

  @Override
  public int httpPort() {
    return http == null ? -1 : http.actualPort();
  }

  @Override
  public LogStore store() {
    return store;
  }

  @Override
  public Topics topics() {
    return service(TopicRoutes.class).topics();
  }

  @Override
  public Queues queues() {
    return service(QueueRoutes.class).queues();
  }

  /** The running group of this type (tests reach route internals through it). */
  <G extends RouteGroup> G service(Class<G> type) {
    synchronized (groups) {
      for (RouteGroup g : groups) {
        if (type.isInstance(g)) {
          return type.cast(g);
        }
      }
    }
    throw new IllegalStateException("this node runs no " + type.getSimpleName() + " (it is not started, or was started without it)");
  }

  private <G extends RouteGroup> G find(Class<G> type) {
    synchronized (groups) {
      for (RouteGroup g : groups) {
        if (type.isInstance(g)) {
          return type.cast(g);
        }
      }
    }
    return null;
  }

  /** The HTTP routes, in order; for tests that check them against the OpenAPI document. */
  List<Route> routes() {
    return http.routes();
  }

  NodeState state() {
    return state.get();
  }

  @Override
  public Future<Void> close() {
    Future<Void> existing = closing.get();
    if (existing != null) {
      return existing;
    }
    Promise<Void> done = Promise.promise();
    if (!closing.compareAndSet(null, done.future())) {
      return closing.get();
    }
    state.set(NodeState.STOPPING);
    // A close during start waits for the start to settle, so no group opens after it was closed.
    Future<Void> started = starting == null ? Future.succeededFuture() : starting;
    started.onComplete(ignored -> closeInOrder(done));
    return done.future();
  }

  private void closeInOrder(Promise<Void> done) {
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    Future<Void> chain = step(httpDeployment == null ? null : vertx.undeploy(httpDeployment), failures);
    List<RouteGroup> newestFirst = new ArrayList<>(groups);
    Collections.reverse(newestFirst);
    for (RouteGroup group : newestFirst) {
      chain = chain.transform(v -> step(group.close(), failures));
    }
    chain
        // A clustered node hands its leaderships to in-sync followers before its copies close.
        // Best effort: with the other nodes leaving too there may be nobody to hand over to (not a failure to stop).
        .transform(v -> step(store instanceof ReplicatedLogStore r ? r.handOverLeadership().recover(e -> {
          LOG.log(Level.INFO, "leaderships not handed over before leaving: " + e.getMessage());
          return Future.succeededFuture();
        }) : null, failures))
        .transform(v -> step(store == null ? null : store.close(), failures))
        .onComplete(v -> {
          if (metrics != null) {
            metrics.close();
          }
          if (cluster == null) {
            finish(done, failures);
            return;
          }
          // Leaving closes the clustered Vert.x this chain runs on: its callbacks could never run, so the
          // leave is awaited on a thread of its own.
          Thread leave = new Thread(() -> {
            try {
              cluster.close().await(CLUSTER_LEAVE_TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
              failures.add(e);
            }
            finish(done, failures);
          }, "sluice-cluster-leave");
          leave.setDaemon(true);
          leave.start();
        });
  }

  private void finish(Promise<Void> done, List<Throwable> failures) {
    state.set(NodeState.STOPPED);
    if (failures.isEmpty()) {
      done.complete();
    } else {
      done.fail(failures.get(0));
    }
  }

  /** One close step that never breaks the chain: its failure is recorded and the next step runs. */
  private static Future<Void> step(Future<?> step, List<Throwable> failures) {
    if (step == null) {
      return Future.succeededFuture();
    }
    return step.transform(ar -> {
      if (ar.failed()) {
        LOG.log(Level.WARNING, "while stopping the node", ar.cause());
        failures.add(ar.cause());
      }
      return Future.succeededFuture();
    });
  }
}
