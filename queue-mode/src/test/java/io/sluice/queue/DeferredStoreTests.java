package io.sluice.queue;

import io.sluice.api.store.LogStore;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;

/**
 * The main suites again over a store whose futures complete on a later turn of the event loop, as a
 * disk store's do, so every asynchronous path of the queue owner runs (the memory store completes
 * everything inside the call).
 */
class DeferredStoreTests {

  static LogStore deferred(Vertx vertx) {
    return new DeferringLogStore(vertx, LogStore.memory(vertx));
  }

  @Nested
  class Admin extends QueueAdminTest {
    @Override
    protected LogStore newStore(Vertx vertx, Path dir) {
      return deferred(vertx);
    }
  }

  @Nested
  class SendReceive extends SendReceiveTest {
    @Override
    protected LogStore newStore(Vertx vertx, Path dir) {
      return deferred(vertx);
    }
  }

  @Nested
  class CompetingConsumers extends CompetingConsumersTest {
    @Override
    protected LogStore newStore(Vertx vertx, Path dir) {
      return deferred(vertx);
    }
  }

  @Nested
  class DeadLetters extends DeadLetterTest {
    @Override
    protected LogStore newStore(Vertx vertx, Path dir) {
      return deferred(vertx);
    }
  }

  @Nested
  class Restarts extends RestartTest {
    @Override
    protected LogStore newStore(Vertx vertx, Path dir) {
      return deferred(vertx);
    }
  }

  @Nested
  class Groups extends MessageGroupTest {
    @Override
    protected LogStore newStore(Vertx vertx, Path dir) {
      return deferred(vertx);
    }
  }
}
