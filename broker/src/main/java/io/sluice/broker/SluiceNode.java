package io.sluice.broker;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.store.LogStore;
import io.sluice.broker.internal.SluiceNodeImpl;
import io.sluice.queue.Queues;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A running Sluice node: a log store, the services on it, and the HTTP API in front of them, inside a
 * {@link Vertx} the caller owns. The same node runs embedded in an application (one call to
 * {@link #start(Vertx, NodeOptions)}) and standalone ({@link Main}, which only adds settings parsing and
 * signal handling).
 *
 * <p>Thread-safe: every method may be called from any thread; none blocks.
 */
public interface SluiceNode {

  /**
   * Starts a node inside an existing {@code Vertx}. The HTTP server listens first ({@code /health} answers
   * 503 while the store and services start), then the node is ready and the returned future completes.
   * The caller keeps ownership of {@code vertx}: {@link #close()} leaves it running. A clustered node
   * ({@link NodeOptions#isCluster()}) runs on a clustered Vert.x of its own instead, which it closes.
   *
   * <p>Fails, having released whatever it took, with {@link InvalidArgumentException} for settings the
   * node cannot run with, with an
   * {@link IllegalStateException} saying so when the HTTP port is in use, or with the store's error.
   */
  static Future<SluiceNode> start(Vertx vertx, NodeOptions options) {
    return SluiceNodeImpl.start(vertx, options);
  }

  /** Starts a node with the default settings (file store in {@code ./data}, HTTP on 127.0.0.1:8080). */
  static Future<SluiceNode> start(Vertx vertx) {
    return start(vertx, new NodeOptions());
  }

  /** A copy of the settings the node runs with. */
  NodeOptions options();

  /** The port the HTTP API listens on (the chosen one when {@link NodeOptions#getHttpPort()} was 0). */
  int httpPort();

  /** The log store beneath the node's services. Closed by {@link #close()}. */
  LogStore store();

  /**
   * The node's topics, the same ones its HTTP API serves: Java code in the node's JVM produces and consumes
   * here without HTTP. Owned by the node: {@link #close()} closes it (callers must not).
   */
  Topics topics();

  /** The node's queues, the same ones its HTTP API serves. Owned by the node, like {@link #topics()}. */
  Queues queues();

  /**
   * Stops the node gracefully: new requests are refused, in-flight ones get up to
   * {@link NodeOptions#getShutdownTimeoutMs()} to finish, then the services close and the store flushes
   * and closes every log (with its clean-shutdown marker). Idempotent: every call returns the same future.
   */
  Future<Void> close();
}
