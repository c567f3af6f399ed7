package io.sluice.broker.internal;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;

/**
 * A service's slice of the HTTP API (topics, queues, groups, ...), plugged into a node. The node opens
 * every group through its {@link Opener} once the store is ready, mounts it, and closes it after the
 * HTTP server has drained.
 *
 * <p>Rules for {@link #mount}: every endpoint is a route with a path and at least one method
 * ({@code router.get("/v1/topics/:topic")}), and appears in {@code openapi.yaml} (a test checks both
 * directions); a route without a method is middleware and is not checked. Request bodies are already
 * read (bounded by {@code httpMaxBodyBytes}) for paths under {@code /v1/}. Handlers never block; they
 * report failures with {@link HttpErrors#respond} (or {@code ctx.fail(e)}), and bad input with a
 * {@code SluiceException} whose code gives the HTTP status.
 */
public interface RouteGroup {

  /** Adds this group's routes. Called once, on the HTTP server's context, before the node is UP. */
  void mount(Router router);

  /** Releases the group's service. Called once, after the HTTP server stopped and drained. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Starts a group's service on the node's resources; the node is not UP until it completes. */
  @FunctionalInterface
  interface Opener {
    Future<RouteGroup> open(NodeResources node);
  }
}
