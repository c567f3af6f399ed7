package io.sluice.broker.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.api.store.LogStore;
import io.sluice.broker.NodeOptions;
import io.vertx.core.Vertx;

/**
 * What a node gives the services it hosts: its {@code Vertx}, settings, log store and meter registry.
 * The node owns all four; a service must not close them.
 */
public record NodeResources(Vertx vertx, NodeOptions options, LogStore store, MeterRegistry meters) {
}
