package io.sluice.api.internal;

import io.sluice.api.store.LogStore;
import io.sluice.api.store.StateStoreContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** The state-store contract on the memory store (not durable: the store-reopen cases do not apply). */
class MemoryStateStoreContractTest extends StateStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path dataDir) {
    return LogStore.memory(vertx);
  }
}
