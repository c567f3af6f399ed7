package io.sluice.samples;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The verticles a sample deployed, so it can undeploy them all at the end (and release their consumers)
 * before it closes the queues or topics they use.
 *
 * <p>Thread contract: thread-safe.
 */
public final class Deployments {

  private final Vertx vertx;
  private final List<String> ids = new CopyOnWriteArrayList<>();

  public Deployments(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Deploys the verticle; completes once its {@code start()} has. */
  public Future<Void> deploy(Deployable verticle) {
    return vertx.deployVerticle(verticle).onSuccess(ids::add).mapEmpty();
  }

  /** Undeploys every verticle deployed here, in parallel; completes when all are done (failed or not). */
  public Future<Void> undeployAll() {
    return Future.join(ids.stream().map(vertx::undeploy).toList()).mapEmpty();
  }
}
