package io.sluice.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.store.Leadership;
import io.sluice.api.store.LogStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store-neutral leadership hook: a local store leads everything; the tracker a replicated store feeds. */
@ExtendWith(VertxExtension.class)
class LeadershipTest {

  @Test
  void aLocalStoreLeadsEveryLogAndNeverMoves(Vertx vertx, VertxTestContext test) {
    LogStore store = LogStore.memory(vertx);
    Leadership leadership = store.leadership();
    assertTrue(leadership.leads("orders-0"));
    assertTrue(leadership.leads("never-opened"));
    assertFalse(leadership.distributed());
    leadership.addListener((log, leader) -> test.failNow("a local store's leadership changed: " + log));
    store.close().onComplete(test.succeedingThenComplete());
  }

  @Test
  void changesReachListenersOnTheirOwnContextInOrder(Vertx vertx, VertxTestContext test) {
    LeadershipTracker tracker = new LeadershipTracker();
    assertTrue(tracker.distributed());
    assertFalse(tracker.leads("a"));
    Context listening = vertx.getOrCreateContext();
    List<String> seen = new CopyOnWriteArrayList<>();
    Leadership.Listener removed = (log, leader) -> test.failNow("a removed listener was told about " + log);
    listening.runOnContext(v -> {
      tracker.addListener((log, leader) -> test.verify(() -> {
        assertSame(listening, Vertx.currentContext(), "told on the context that added the listener");
        seen.add(log + "=" + leader);
        if (seen.size() == 3) {
          assertEquals(List.of("a=true", "b=true", "a=false"), seen);
          assertFalse(tracker.leads("a"));
          assertTrue(tracker.leads("b"));
          test.completeNow();
        }
      }));
      tracker.addListener(removed);
      tracker.removeListener(removed);
      // Fed from another thread, as a store's context would: order and context are still kept.
      new Thread(() -> {
        tracker.changed("a", true);
        tracker.changed("b", true);
        tracker.changed("a", false);
      }).start();
    });
  }
}
