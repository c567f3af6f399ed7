package io.sluice.queue;

import io.vertx.core.Future;

/** A queue feeding a plain event-bus address; see {@link Queues#bindToAddress}. */
public interface QueueBinding {

  String queue();

  String address();

  /** Stops feeding the address; messages waiting for a reply go back to the queue. */
  Future<Void> close();
}
