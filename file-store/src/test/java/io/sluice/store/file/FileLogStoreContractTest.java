package io.sluice.store.file;

import io.sluice.api.store.LogStore;
import io.sluice.api.store.LogStoreContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** The storage contract suite on the file store, with its default (fsync=always) options, durable across stores. */
class FileLogStoreContractTest extends LogStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path dataDir) {
    return FileLogStore.create(vertx, new FileStoreOptions().setDataDir(dataDir.toString()));
  }

  @Override
  protected boolean durable() {
    return true;
  }
}
