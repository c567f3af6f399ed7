/**
 * The runnable Sluice node: {@link io.sluice.broker.SluiceNode} (embedded in an application's
 * {@code Vertx} or standalone through {@link io.sluice.broker.Main}), its settings
 * {@link io.sluice.broker.NodeOptions}, and the HTTP API with health and Prometheus metrics.
 */
package io.sluice.broker;
