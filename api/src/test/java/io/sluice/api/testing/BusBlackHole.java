package io.sluice.api.testing;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Swallows event-bus messages sent to matching addresses, without an answer: what a sender meets when the
 * consumer it reached unregisters mid-request (Vert.x discards the message; the sender can only time out).
 * Closing it lets messages through again. Thread-safe.
 */
public final class BusBlackHole implements AutoCloseable {

  private final Vertx vertx;
  private final AtomicInteger dropped = new AtomicInteger();
  private final Handler<DeliveryContext<Object>> interceptor;

  private BusBlackHole(Vertx vertx, Predicate<String> address) {
    this.vertx = vertx;
    this.interceptor = delivery -> {
      if (address.test(delivery.message().address())) {
        dropped.incrementAndGet();
      } else {
        delivery.next();
      }
    };
  }

  /** Starts dropping what this Vert.x sends to addresses the predicate accepts. */
  public static BusBlackHole open(Vertx vertx, Predicate<String> address) {
    BusBlackHole hole = new BusBlackHole(vertx, address);
    vertx.eventBus().addOutboundInterceptor(hole.interceptor);
    return hole;
  }

  /** How many messages were swallowed so far. */
  public int dropped() {
    return dropped.get();
  }

  @Override
  public void close() {
    vertx.eventBus().removeOutboundInterceptor(interceptor);
  }
}
