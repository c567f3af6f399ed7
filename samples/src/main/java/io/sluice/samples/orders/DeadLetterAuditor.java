package io.sluice.samples.orders;

import io.sluice.api.Header;
import io.sluice.queue.Delivery;
import io.sluice.queue.QueueConsumer;
import io.sluice.queue.QueueHeaders;
import io.sluice.queue.Queues;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the dead-letter queue the way an operator's tool would: each dead letter keeps the order as it was
 * sent plus the headers the queue added ({@code sluice.dlq.reason}, {@code sluice.dlq.deliveries}, ...).
 * It records them and acks them, so the report can show why each order ended there.
 *
 * <p>Thread contract: the handler runs on this verticle's event loop; {@link #deadLetters()} is a
 * thread-safe view.
 */
final class DeadLetterAuditor extends VerticleBase {

  /** One dead letter: the order, why the queue gave up on it, and after how many deliveries. */
  record DeadLetter(String orderId, String reason, int deliveries) {
  }

  private final Queues queues;
  private final Map<String, DeadLetter> deadLetters = new ConcurrentHashMap<>();
  private QueueConsumer consumer;

  DeadLetterAuditor(Queues queues) {
    this.queues = queues;
  }

  @Override
  public Future<?> start() {
    return queues.consumer(OrderProcessingSample.ORDERS_DLQ).onSuccess(c -> {
      consumer = c;
      c.handler(this::audit);
    });
  }

  @Override
  public Future<?> stop() {
    return consumer.close();
  }

  /** Dead letters seen so far, by order id. */
  Map<String, DeadLetter> deadLetters() {
    return deadLetters;
  }

  private void audit(Delivery delivery) {
    Order order = Order.fromBuffer(delivery.value());
    deadLetters.put(order.id(), new DeadLetter(order.id(),
        header(delivery, QueueHeaders.DEAD_LETTER_REASON, "none"),
        Integer.parseInt(header(delivery, QueueHeaders.DEAD_LETTER_DELIVERIES, "0"))));
    delivery.ack();
  }

  private static String header(Delivery delivery, String name, String absent) {
    return delivery.headers().stream().filter(h -> h.name().equals(name)).findFirst()
        .map(Header::valueAsString).orElse(absent);
  }
}
