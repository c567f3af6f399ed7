package io.sluice.topic.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

/** Request/reply on the event bus with an operation header and typed errors. Stateless apart from the Vert.x reference. */
public final class Bus {

  private final Vertx vertx;

  public Bus(Vertx vertx) {
    this.vertx = vertx;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Sends {@code body} to {@code address} with operation {@code op}; failures arrive as typed SluiceExceptions. */
  public <T> Future<Message<T>> request(String address, String op, Object body, long timeoutMs) {
    DeliveryOptions options = new DeliveryOptions().addHeader(Addresses.OP, op).setSendTimeout(timeoutMs);
    Future<Message<T>> f = vertx.eventBus().request(address, body, options);
    return f.recover(e -> Future.failedFuture(BusErrors.fromBus(e)));
  }

  public <T> Future<T> call(String address, String op, Object body, long timeoutMs) {
    return this.<T>request(address, op, body, timeoutMs).map(Message::body);
  }
}
