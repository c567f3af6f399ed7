package io.sluice.samples.orders;

import io.sluice.api.Message;
import io.sluice.queue.Queues;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Places orders on the {@code orders} queue, a batch at a time. Each {@code sendBatch} is one append (and
 * one fsync), and completes only once the batch is durable, so waiting for it before the next batch is
 * the back-pressure: the generator never runs ahead of the disk.
 *
 * <p>Thread contract: runs on its own event loop; {@link #allSent()} may be read from any thread.
 */
final class OrderGenerator extends VerticleBase {

  private static final int BATCH = 50;

  private final Queues queues;
  private final List<Order> orders;
  private final Promise<Void> allSent = Promise.promise();

  OrderGenerator(Queues queues, List<Order> orders) {
    this.queues = queues;
    this.orders = orders;
  }

  @Override
  public Future<?> start() {
    sendFrom(0);
    return Future.succeededFuture();
  }

  /** Completes once every order is stored in the queue. */
  Future<Void> allSent() {
    return allSent.future();
  }

  private void sendFrom(int from) {
    if (from >= orders.size()) {
      allSent.tryComplete();
      return;
    }
    List<Message> batch = orders.subList(from, Math.min(from + BATCH, orders.size())).stream()
        .map(order -> Message.of(Buffer.buffer(order.id()), order.toBuffer()))
        .toList();
    queues.sendBatch(OrderProcessingSample.ORDERS, batch)
        .onSuccess(ids -> sendFrom(from + BATCH))
        .onFailure(allSent::tryFail);
  }
}
