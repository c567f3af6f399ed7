package io.sluice.api.internal;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/** Promises whose futures complete on the caller's context, whichever thread completes them. */
public final class Promises {

  private Promises() {
  }

  /**
   * A promise bound to the current Vert.x context: its listeners run on that context even when a store's
   * I/O thread completes it. Off any context, a plain promise (listeners run on the completing thread).
   */
  public static <T> Promise<T> onCallerContext() {
    ContextInternal ctx = (ContextInternal) Vertx.currentContext();
    return ctx != null ? ctx.promise() : Promise.promise();
  }
}
