package io.sluice.samples;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition the samples cannot be told about directly (e.g. "every valid order is in the
 * ledger"), by checking it on a timer, never longer than a deadline. The future completes with whether the
 * condition held, so a sample reports a failed claim instead of hanging.
 *
 * <p>Thread contract: the checks run on the Vert.x context of the caller (an event loop): they must not block.
 */
public final class Waits {

  private static final long CHECK_EVERY_MS = 50;

  private Waits() {
  }

  /** Completes with {@code true} once {@code condition} holds, or {@code false} after {@code timeoutMs}. */
  public static Future<Boolean> until(Vertx vertx, BooleanSupplier condition, long timeoutMs) {
    return untilAsync(vertx, () -> Future.succeededFuture(condition.getAsBoolean()), timeoutMs);
  }

  /** As {@link #until}, for a check that needs a call (e.g. describing a queue). */
  public static Future<Boolean> untilAsync(Vertx vertx, Supplier<Future<Boolean>> condition, long timeoutMs) {
    Promise<Boolean> result = Promise.promise();
    check(vertx, condition, System.currentTimeMillis() + timeoutMs, result);
    return result.future();
  }

  private static void check(Vertx vertx, Supplier<Future<Boolean>> condition, long deadline, Promise<Boolean> result) {
    condition.get().onComplete(ar -> {
      if (ar.failed()) {
        result.fail(ar.cause());
      } else if (ar.result()) {
        result.complete(true);
      } else if (System.currentTimeMillis() >= deadline) {
        result.complete(false);
      } else {
        vertx.setTimer(CHECK_EVERY_MS, id -> check(vertx, condition, deadline, result));
      }
    });
  }
}
