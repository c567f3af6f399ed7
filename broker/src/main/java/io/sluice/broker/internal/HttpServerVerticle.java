package io.sluice.broker.internal;

import io.sluice.broker.NodeOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's HTTP server: the operational routes ({@code /health}, {@code /metrics},
 * {@code /v1/openapi.yaml}), a readiness gate, JSON errors for everything, and the route groups the node
 * {@linkplain #mount mounts} once its services are open.
 *
 * <p>Route order matters and is fixed here: request timing, the readiness gate (503 unless UP, except for
 * the operational routes), the body reader for {@code /v1/*}, the operational routes, the groups' routes,
 * and last the failure handler.
 *
 * <p>Confined to its own event-loop context; {@link #mount} hops onto it.
 */
final class HttpServerVerticle extends VerticleBase {

  static final String OPENAPI_RESOURCE = "/io/sluice/broker/openapi.yaml";

  private final NodeOptions options;
  private final Supplier<NodeState> state;
  private final NodeMetrics metrics;
  private final String storeType;
  private final Function<String, Future<JsonObject>> cluster;
  /** Answered in every state, so operators can watch a node start and stop. */
  private static final Set<String> OPERATIONAL_PATHS = Set.of("/health", "/metrics", "/v1/openapi.yaml");

  private final Set<Route> labelled = Collections.newSetFromMap(new IdentityHashMap<>());
  private Router router;
  private HttpServer server;
  private AuditLog audit;
  private SecurityHandler security;
  private volatile int actualPort = -1;

  /**
   * @param cluster what {@code /health} shows of the cluster (node, controller, members, and the placement of
   *     the log named by {@code ?log=} when given), or null for a single node
   */
  HttpServerVerticle(NodeOptions options, Supplier<NodeState> state, NodeMetrics metrics, String storeType,
      Function<String, Future<JsonObject>> cluster) {
    this.options = options;
    this.state = state;
    this.metrics = metrics;
    this.storeType = storeType;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> {
      audit = AuditLog.open(options.getAuditLog());
      return readOpenApi();
    }).compose(openApi -> {
      security = new SecurityHandler(new AccessControl(options.getSecurity()), audit);
      router = Router.router(vertx);
      // Middleware first, so that no catch-all route follows an endpoint: one would mask 405 as 404.
      router.route().handler(metrics.requestTimer());
      router.route().handler(this::readinessGate);
      // Before the body is read: an unauthenticated client cannot make the node buffer a body.
      router.route().handler(security::authorize);
      router.route("/v1/*").handler(BodyHandler.create(false)
          .setBodyLimit(options.getHttpMaxBodyBytes())
          .setHandleFileUploads(false));
      router.route("/v1/groups/:group/members").handler(security::checkSubscription);
      router.get("/health").handler(this::health);
      router.get("/metrics").handler(metrics.scrapeHandler());
      router.get("/v1/openapi.yaml").handler(ctx -> ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8")
          .end(openApi));
      router.route().order(Integer.MAX_VALUE).failureHandler(HttpErrors::handleFailure);
      // Failures the router meets before any failure handler can run (an undecodable path, say).
      router.errorHandler(400, ctx -> HttpErrors.sendStatus(ctx, 400, "malformed request: " + ctx.request().uri()));
      router.errorHandler(404, ctx -> HttpErrors.sendStatus(ctx, 404, null));
      router.errorHandler(405, ctx -> HttpErrors.sendStatus(ctx, 405, null));
      router.errorHandler(500, ctx -> HttpErrors.respond(ctx, ctx.failure()));
      labelEndpoints();

      server = vertx.createHttpServer(SecuritySetup.withTls(new HttpServerOptions()
          .setHost(options.getHttpHost())
          .setPort(options.getHttpPort()), options));
      return server.requestHandler(router).listen()
          .recover(e -> Future.failedFuture(listenFailure(e)))
          .onSuccess(s -> actualPort = s.actualPort());
    });
  }

  /**
   * Stops accepting, lets in-flight requests finish within the shutdown timeout, then closes the
   * remaining connections.
   */
  @Override
  public Future<?> stop() {
    Future<Void> stopped = server == null ? Future.succeededFuture() : server.shutdown(Duration.ofMillis(options.getShutdownTimeoutMs()));
    return stopped.eventually(() -> audit == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      audit.close();
      return null;
    }));
  }

  /** The node's security decisions, for routes that check more than the path (streams, the bridge). */
  AccessControl accessControl() {
    return security.access();
  }

  int actualPort() {
    return actualPort;
  }

  /** Mounts the groups' routes on this verticle's context, behind the gate and the body reader. */
  Future<Void> mount(List<RouteGroup> groups) {
    Context ctx = context;
    Promise<Void> done = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        groups.forEach(g -> g.mount(router));
        labelEndpoints();
        done.complete();
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }

  /** The router's routes, in order: for the OpenAPI check. */
  List<Route> routes() {
    return router.getRoutes();
  }

  /**
   * Gives every endpoint a failure handler that records its template for the request metrics: a failure
   * restarts routing for failure handlers, and the template of the route that failed would be lost.
   */
  private void labelEndpoints() {
    for (Route route : router.getRoutes()) {
      if (isEndpoint(route) && labelled.add(route)) {
        route.failureHandler(NodeMetrics.routeLabel(route.getPath()));
      }
    }
  }

  /** A route with a path and methods answers requests; one without methods is middleware. */
  static boolean isEndpoint(Route route) {
    return route.getPath() != null && route.methods() != null && !route.methods().isEmpty();
  }

  private void health(RoutingContext ctx) {
    NodeState s = state.get();
    JsonObject body = new JsonObject().put("status", s.name()).put("store", storeType);
    int status = s == NodeState.UP ? 200 : 503;
    if (cluster == null) {
      HttpJson.respond(ctx, status, body);
      return;
    }
    cluster.apply(ctx.request().getParam("log")).onComplete(c -> {
      if (c.succeeded()) {
        HttpJson.respond(ctx, status, body.put("cluster", c.result()));
      } else {
        HttpErrors.respond(ctx, c.cause());
      }
    });
  }

  private void readinessGate(RoutingContext ctx) {
    NodeState s = state.get();
    if (s == NodeState.UP || OPERATIONAL_PATHS.contains(ctx.request().path())) {
      ctx.next();
    } else {
      HttpErrors.sendStatus(ctx, 503, s == NodeState.STARTING ? "the node is starting" : "the node is stopping");
    }
  }

  private Throwable listenFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (t instanceof BindException && m.contains("in use") || m.contains("Address already in use")) {
        return new IllegalStateException("port " + options.getHttpPort() + " on " + options.getHttpHost() + " is in use", e);
      }
    }
    return new IllegalStateException("cannot listen on " + options.getHttpHost() + ":" + options.getHttpPort() + ": " + e.getMessage(), e);
  }

  private static Buffer readOpenApi() throws IOException {
    try (InputStream in = HttpServerVerticle.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IOException("missing resource " + OPENAPI_RESOURCE);
      }
      return Buffer.buffer(in.readAllBytes());
    }
  }
}
