package io.sluice.samples.eventbus;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * An ordinary Vert.x worker on the address {@value #ADDRESS}: it answers a job it did with {@code reply()}
 * and one it could not do with {@code fail()}. Plain event-bus code; when a Sluice queue feeds this address,
 * the reply acks the message and the failure nacks it (it comes back later).
 *
 * <p>Every tenth job fails on its first attempt, like a call to a service that is briefly unavailable.
 *
 * <p>Thread contract: the handler runs on this verticle's event loop; the {@link JobLog} is thread-safe.
 */
final class JobWorker extends VerticleBase {

  static final String ADDRESS = "jobs";
  private static final String DELIVERY_COUNT = "sluice.delivery-count";

  private final JobLog log;
  private MessageConsumer<Buffer> consumer;

  JobWorker(JobLog log) {
    this.log = log;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(ADDRESS, this::handle);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }

  private void handle(Message<Buffer> message) {
    int job = message.body().toJsonObject().getInteger("job");
    if (job % 10 == 0 && log.firstAttempt(job)) {
      log.failed(job);
      message.fail(503, "job " + job + ": inventory service unavailable, try again");
      return;
    }
    // Sluice adds the delivery count as a header; the log keeps it only to tell redeliveries apart.
    log.done(job, message.headers().get(DELIVERY_COUNT));
    message.reply("done");
  }
}
