package io.sluice.samples.orders;

import io.sluice.queue.ConsumerOptions;
import io.sluice.queue.Delivery;
import io.sluice.queue.QueueConsumer;
import io.sluice.queue.Queues;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One of the competing processors: it takes deliveries from the {@code orders} queue in CLIENT ack mode,
 * books each valid order in the {@link OrderLedger} and then acks it. An invalid order fails processing and
 * is nacked, so the queue redelivers it (to any processor) until its {@code maxDeliveries} are used up and
 * it moves to the dead-letter queue.
 *
 * <p>Thread contract: the handler runs on this verticle's event loop; the ledger is shared and thread-safe.
 */
final class OrderProcessor extends VerticleBase {

  /** Deliveries held at once: small, so the three processors share the work instead of one taking it all. */
  private static final int PREFETCH = 8;
  /** A failed order comes back after this pause, as a real retry policy would wait for a broken dependency. */
  private static final long RETRY_DELAY_MS = 20;

  private final String name;
  private final Queues queues;
  private final OrderLedger ledger;
  private QueueConsumer consumer;

  OrderProcessor(String name, Queues queues, OrderLedger ledger) {
    this.name = name;
    this.queues = queues;
    this.ledger = ledger;
  }

  @Override
  public Future<?> start() {
    return queues.consumer(OrderProcessingSample.ORDERS, new ConsumerOptions().setPrefetch(PREFETCH))
        .onSuccess(c -> {
          consumer = c;
          c.handler(this::handle);
        });
  }

  @Override
  public Future<?> stop() {
    // Deliveries not yet acked go back to the queue at once for the other processors.
    return consumer.close();
  }

  private void handle(Delivery delivery) {
    Order order = Order.fromBuffer(delivery.value());
    process(order)
        .onSuccess(v -> {
          // Book first, then ack: if the process died in between, the order would come back and be booked
          // twice. That is at-least-once; the ledger's proof would show such a duplicate.
          ledger.processed(order.id(), name);
          delivery.ack().onFailure(e -> System.err.println(name + ": ack of " + order.id() + " failed: " + e));
        })
        .onFailure(e -> {
          ledger.rejected(name);
          delivery.nack(RETRY_DELAY_MS);
        });
  }

  /** The work: checks the order, then "packs" it for a millisecond or two (a timer, never a sleep). */
  private Future<Void> process(Order order) {
    if (!order.valid()) {
      return Future.failedFuture(new IllegalArgumentException(order.id() + ": quantity must be positive"));
    }
    Promise<Void> packed = Promise.promise();
    vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(2), id -> packed.complete());
    return packed.future();
  }
}
