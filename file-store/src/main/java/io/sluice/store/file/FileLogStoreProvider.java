package io.sluice.store.file;

import io.sluice.api.store.LogStore;
import io.sluice.api.store.LogStoreProvider;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Provides the {@code file} store to {@link LogStore#create(Vertx, String, JsonObject)}; the config is
 * {@link FileStoreOptions} as JSON, e.g. {@code {"dataDir": "./data"}}. Stateless and thread-safe.
 */
public final class FileLogStoreProvider implements LogStoreProvider {

  @Override
  public String type() {
    return FileLogStore.TYPE;
  }

  @Override
  public LogStore create(Vertx vertx, JsonObject config) {
    return FileLogStore.create(vertx, new FileStoreOptions(config == null ? new JsonObject() : config));
  }
}
