package io.sluice.samples.eventbus;

import io.sluice.samples.Milestones;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * An ordinary Vert.x producer: one job every few milliseconds, fire-and-forget with
 * {@code eventBus().send(address, body)}. It knows nothing about Sluice; only the address it is given
 * decides whether its jobs go straight to the worker or into a durable queue.
 *
 * <p>Thread contract: sends from its own event loop; {@link #sent(int)} may be called from any thread.
 */
final class JobProducer extends VerticleBase {

  private final String address;
  private final int jobs;
  private final long intervalMs;
  private final Milestones sent = new Milestones();

  JobProducer(String address, int jobs, long intervalMs) {
    this.address = address;
    this.jobs = jobs;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<?> start() {
    // A periodic timer set in a verticle is cancelled when the verticle is undeployed.
    vertx.setPeriodic(intervalMs, timer -> {
      int job = sent.count() + 1;
      if (job > jobs) {
        vertx.cancelTimer(timer);
        return;
      }
      // Buffer bodies: what the worker gets is the same whether a queue is in between or not.
      vertx.eventBus().send(address, new JsonObject().put("job", job).toBuffer());
      sent.increment();
    });
    return Future.succeededFuture();
  }

  /** Jobs sent so far. */
  int sentSoFar() {
    return sent.count();
  }

  /** Completes once {@code n} jobs have been sent. */
  Future<Void> sent(int n) {
    return sent.reached(n);
  }
}
