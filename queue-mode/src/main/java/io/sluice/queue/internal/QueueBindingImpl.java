package io.sluice.queue.internal;

import io.sluice.api.Header;
import io.sluice.queue.BindOptions;
import io.sluice.queue.Delivery;
import io.sluice.queue.QueueBinding;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * A queue feeding a plain event-bus address: every delivery is sent with {@code request}; a reply acks
 * it, a failure (the handler's {@code fail}, no handler, a timeout) nacks it.
 *
 * <p>Thread contract: runs on the context of its consumer.
 */
final class QueueBindingImpl implements QueueBinding {

  private final QueuesImpl queues;
  private final QueueConsumerImpl consumer;
  private final String address;
  private final BindOptions options;

  QueueBindingImpl(QueuesImpl queues, QueueConsumerImpl consumer, String address, BindOptions options) {
    this.queues = queues;
    this.consumer = consumer;
    this.address = address;
    this.options = options;
    consumer.handler(this::forward);
  }

  private void forward(Delivery d) {
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(options.getReplyTimeoutMs());
    for (Header h : d.headers()) {
      delivery.addHeader(h.name(), h.valueAsString());
    }
    delivery.addHeader("sluice.queue", d.queue()).addHeader("sluice.id", Long.toString(d.id()))
        .addHeader("sluice.receipt", d.receipt()).addHeader("sluice.delivery-count", Integer.toString(d.deliveryCount()));
    Buffer body = d.value() == null ? Buffer.buffer() : d.value();
    queues.vertx().eventBus().request(address, body, delivery).onComplete(ar -> {
      Future<Void> settled = ar.succeeded() ? d.ack() : d.nack(options.getNackDelayMs());
      // A lease that lapsed while the handler worked was already returned: nothing more to do.
      settled.onFailure(e -> { });
    });
  }

  @Override
  public String queue() {
    return consumer.queue();
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public Future<Void> close() {
    queues.forget(this);
    return consumer.close();
  }
}
