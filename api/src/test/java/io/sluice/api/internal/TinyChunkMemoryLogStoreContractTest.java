package io.sluice.api.internal;

import io.sluice.api.store.LogStore;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/**
 * The whole contract suite again on memory logs whose chunks are 16 to 64 bytes, so nearly every batch spans
 * chunk ends and every trim and truncation crosses them: the chunked layout must not change any behaviour.
 */
class TinyChunkMemoryLogStoreContractTest extends MemoryLogStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path dataDir) {
    return new MemoryLogStore(vertx, () -> new ChunkedBytes(16, 64));
  }
}
