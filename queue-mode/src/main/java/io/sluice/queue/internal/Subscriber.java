package io.sluice.queue.internal;

import io.sluice.queue.AckMode;
import io.vertx.core.eventbus.Message;

/**
 * A receiver of deliveries as a queue owner sees it: a push consumer (deliveries go to its address while
 * it has credit) or one pull request (served once, then answered). Owned by the owner's context.
 */
final class Subscriber {

  final String id;
  final String address;
  final AckMode mode;
  final int prefetch;
  final long visibilityMs;
  /** The pull request to answer, or null for a push consumer. */
  final Message<Object> pull;
  /** Deliveries the consumer has room for (granted as its handler takes them). */
  int credit;
  /** CLIENT deliveries it holds unsettled. */
  int inFlight;
  long waitTimer = -1;
  /** When a push consumer last renewed its subscription (0: it never does; a consumer outside a cluster). */
  long renewedAt;
  boolean done;

  Subscriber(String id, String address, AckMode mode, int prefetch, long visibilityMs, Message<Object> pull) {
    this.id = id;
    this.address = address;
    this.mode = mode;
    this.prefetch = prefetch;
    this.visibilityMs = visibilityMs;
    this.pull = pull;
    this.credit = prefetch;
  }

  /** How many deliveries may go to it now: its credit, and in CLIENT mode its room under the prefetch. */
  int capacity() {
    if (done) {
      return 0;
    }
    int c = credit;
    if (mode == AckMode.CLIENT) {
      c = Math.min(c, prefetch - inFlight);
    }
    return Math.max(0, c);
  }
}
