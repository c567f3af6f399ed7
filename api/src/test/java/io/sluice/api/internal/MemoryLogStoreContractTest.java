package io.sluice.api.internal;

import io.sluice.api.Durability;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.LogStoreContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** The contract suite on the memory store: not durable, and every append completes at {@code MEMORY}. */
class MemoryLogStoreContractTest extends LogStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path dataDir) {
    return LogStore.memory(vertx);
  }

  @Override
  protected Durability expectedDurability(FsyncPolicy policy) {
    return Durability.MEMORY;
  }
}
