package io.sluice.api.store;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Service-provider interface for {@link LogStore}s: register an implementation in
 * {@code META-INF/services/io.sluice.api.store.LogStoreProvider}.
 */
public interface LogStoreProvider {

  /** The name users pick the store by, e.g. {@code file}. */
  String type();

  /** Creates a store. MUST NOT block; the store does its opening I/O lazily, off the event loop. */
  LogStore create(Vertx vertx, JsonObject config);
}
