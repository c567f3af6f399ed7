package io.sluice.topic;

import io.vertx.core.Future;

/**
 * A running event-bus bridge (a topic forwarded to an address, or an address forwarded into a topic).
 * Thread-safe.
 */
public interface Bridge {

  /** Stops forwarding and releases the consumer or producer the bridge uses. Idempotent. */
  Future<Void> close();
}
