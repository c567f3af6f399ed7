package io.sluice.broker.internal;

/** Where a node is in its life; {@code /health} reports it and only {@link #UP} serves the API. */
public enum NodeState {
  /** The HTTP server listens; the store and services are opening. */
  STARTING,
  /** Serving. */
  UP,
  /** Refusing new requests, letting in-flight ones finish, then closing services and the store. */
  STOPPING,
  /** Everything released. */
  STOPPED
}
