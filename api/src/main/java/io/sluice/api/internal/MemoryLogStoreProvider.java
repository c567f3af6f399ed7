package io.sluice.api.internal;

import io.sluice.api.store.LogStore;
import io.sluice.api.store.LogStoreProvider;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Provides the {@code memory} store. */
public final class MemoryLogStoreProvider implements LogStoreProvider {

  @Override
  public String type() {
    return "memory";
  }

  @Override
  public LogStore create(Vertx vertx, JsonObject config) {
    return new MemoryLogStore(vertx);
  }
}
