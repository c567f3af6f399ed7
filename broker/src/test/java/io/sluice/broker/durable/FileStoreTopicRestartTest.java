package io.sluice.broker.durable;

import io.sluice.api.store.LogStore;
import io.sluice.topic.RestartTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * Topic-mode's restart suite over the file store: records, topics and committed offsets survive closing
 * the store and opening a new one over the same directory (a node restart).
 */
class FileStoreTopicRestartTest extends RestartTest {

  @Override
  protected LogStore newStore(Vertx vertx, Path dir) {
    return LogStore.create(vertx, "file", new JsonObject().put("dataDir", dir.toString()));
  }

  @Override
  protected boolean reopenStoreOnRestart() {
    return true;
  }
}
