package io.sluice.topic.internal;

import io.sluice.api.internal.Promises;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.function.Supplier;

/**
 * Confines a client (producer, consumer) to one event-loop context, so its state needs no locks: calls
 * made on that event loop run at once, calls from elsewhere are carried over in order. Futures given to
 * callers complete on the caller's context.
 */
final class ContextBound {

  private final ContextInternal context;

  ContextBound(Vertx vertx) {
    ContextInternal current = (ContextInternal) vertx.getOrCreateContext();
    this.context = current.threadingModel() == ThreadingModel.EVENT_LOOP ? current : current.owner().createEventLoopContext();
  }

  ContextInternal context() {
    return context;
  }

  boolean onContext() {
    return context.inThread();
  }

  /** Runs {@code body} on the context (now, if already there). */
  void run(Runnable body) {
    // emit/runOnContext make this context the current one while body runs, so the timers and
    // event-bus replies body starts come back to this context, whoever called.
    if (context.inThread()) {
      context.emit(v -> body.run());
    } else {
      context.runOnContext(v -> body.run());
    }
  }

  /** Runs {@code body} on the context; its result (or the exception it throws) completes the returned future. */
  <T> Future<T> call(Supplier<Future<T>> body) {
    Promise<T> promise = Promises.onCallerContext();
    run(() -> {
      Future<T> f;
      try {
        f = body.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(promise);
    });
    return promise.future();
  }
}
