package io.sluice.store.file;

import io.sluice.api.store.LogStore;
import io.sluice.api.store.StateStoreContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** The state-store contract over file logs: state survives closing the store and opening a new one. */
class FileStateStoreContractTest extends StateStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path dataDir) {
    return FileLogStore.create(vertx, new FileStoreOptions().setDataDir(dataDir.toString()));
  }

  @Override
  protected boolean durable() {
    return true;
  }
}
