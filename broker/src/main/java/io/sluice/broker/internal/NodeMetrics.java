package io.sluice.broker.internal;

import io.vertx.core.Future;
import java.util.function.Supplier;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The node's Prometheus registry and its request-latency timer.
 *
 * <p>When the node's {@code Vertx} runs vertx-micrometer-metrics with a Prometheus registry under the
 * configured name, the node publishes into that one, so {@code /metrics} also shows Vert.x's own meters
 * (event loops, pools, HTTP server); otherwise it keeps a registry of its own, which it closes. Sluice
 * meters are named {@code sluice.*}; on close they are removed from a borrowed registry.
 *
 * <p>Thread-safe (Micrometer registries are).
 */
final class NodeMetrics {

  static final String PREFIX = "sluice.";
  static final String HTTP_REQUESTS = "sluice.http.server.requests";
  private static final String ROUTE_KEY = "sluice.metrics.route";

  private final PrometheusMeterRegistry registry;
  private final boolean owned;
  private volatile Supplier<Future<Void>> beforeScrape = Future::succeededFuture;

  private NodeMetrics(PrometheusMeterRegistry registry, boolean owned) {
    this.registry = registry;
    this.owned = owned;
  }

  static NodeMetrics create(String vertxRegistryName) {
    MeterRegistry shared = BackendRegistries.getNow(vertxRegistryName);
    if (shared instanceof PrometheusMeterRegistry prometheus) {
      return new NodeMetrics(prometheus, false);
    }
    return new NodeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
  }

  MeterRegistry registry() {
    return registry;
  }

  /** Whether {@code /metrics} includes Vert.x's own meters (the registry is borrowed from Vert.x). */
  boolean sharedWithVertx() {
    return !owned;
  }

  /**
   * Renders the registry, after {@link #beforeScrape}'s refresh of the gauges that are read from the
   * services (topics, groups, queues) once they are open.
   */
  Handler<RoutingContext> scrapeHandler() {
    Handler<RoutingContext> render = PrometheusScrapingHandler.create(registry);
    return ctx -> beforeScrape.get().onComplete(ar -> render.handle(ctx));
  }

  /** What a scrape waits for first (the domain gauges' refresh); nothing until the services are open. */
  void beforeScrape(Supplier<Future<Void>> refresh) {
    this.beforeScrape = refresh;
  }

  /**
   * Times every request from routing to the last byte, tagged by method, status and the matched route's
   * template ({@code /v1/topics/:topic}, never the raw path, so the series stay few).
   */
  Handler<RoutingContext> requestTimer() {
    return ctx -> {
      long start = System.nanoTime();
      // Without a failure, the headers go out inside the endpoint that answers: read its template then.
      ctx.addHeadersEndHandler(v -> {
        Route route = ctx.currentRoute();
        if (ctx.get(ROUTE_KEY) == null) {
          ctx.put(ROUTE_KEY, route != null && HttpServerVerticle.isEndpoint(route) ? route.getPath() : "unmatched");
        }
      });
      ctx.addEndHandler(ar -> Timer.builder(HTTP_REQUESTS)
          .description("HTTP requests, from routing to the last byte of the response")
          .tag("method", ctx.request().method().name())
          .tag("route", String.valueOf(ctx.<String>get(ROUTE_KEY)))
          .tag("status", String.valueOf(ctx.response().getStatusCode()))
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(60))
          .register(registry)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
      ctx.next();
    };
  }

  /**
   * Records a route's template for the request metrics, then passes on: an endpoint's failure handler (so
   * the error handler's answer keeps the template), or middleware in front of a sub-router.
   */
  static Handler<RoutingContext> routeLabel(String template) {
    return ctx -> {
      ctx.put(ROUTE_KEY, template);
      ctx.next();
    };
  }

  void close() {
    if (owned) {
      registry.close();
    } else {
      List<Meter> ours = registry.getMeters().stream().filter(m -> m.getId().getName().startsWith(PREFIX)).toList();
      ours.forEach(registry::remove);
    }
  }
}
