package io.sluice.topic.internal;

import io.sluice.api.SluiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

/** Request/reply on the event bus with an operation header and typed errors. Stateless apart from the Vert.x reference. */
public final class Bus {

  private static final long RETRY_BACKOFF_MS = 100;

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

  /**
   * {@link #call}, tried again after a retriable failure (nobody serves the address while its owner moves
   * to a new leader, {@code not_leader}, a timeout to a node that died) until {@code totalMs} passed; each
   * attempt resolves the address anew. For calls that are safe to repeat.
   */
  public <T> Future<T> callRetrying(String address, String op, Object body, long attemptTimeoutMs, long totalMs) {
    return callUntil(address, op, body, attemptTimeoutMs, System.currentTimeMillis() + totalMs);
  }

  /**
   * Retriable for the caller, but not within one call: a full table, disk or queue, or a rate limit, does not
   * clear in a backoff, while an owner that is moving or briefly unreachable does.
   */
  private static boolean capacity(SluiceException s) {
    return switch (s.code()) {
      case LIMIT_EXCEEDED, DISK_FULL, QUEUE_FULL, RATE_LIMITED -> true;
      default -> false;
    };
  }

  private <T> Future<T> callUntil(String address, String op, Object body, long attemptTimeoutMs, long deadline) {
    long left = deadline - System.currentTimeMillis();
    return this.<T>call(address, op, body, Math.max(1, Math.min(attemptTimeoutMs, left))).recover(e -> {
      SluiceException s = BusErrors.toSluice(e);
      if (!s.retriable() || capacity(s) || System.currentTimeMillis() + RETRY_BACKOFF_MS >= deadline) {
        return Future.failedFuture(s);
      }
      return vertx.timer(RETRY_BACKOFF_MS).compose(x -> callUntil(address, op, body, attemptTimeoutMs, deadline));
    });
  }
}
