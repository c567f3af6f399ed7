package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.sluice.api.store.LogStore;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A crash instead of a clean close: no final checkpoint is written, acks may be in flight. After the
 * restart, replaying the journal (a checkpoint from the middle of the run plus the records after it)
 * must redeliver no message whose ack had completed and lose none that was not acked.
 */
class CrashRestartTest extends QueueTestBase {

  @Override
  protected LogStore newStore(Vertx vertx, Path dir) {
    return new DeferringLogStore(vertx, LogStore.memory(vertx));
  }

  @Test
  void nothingAckedComesBackAndNothingUnackedIsLost() {
    await(queues.createQueue("q", new QueueConfig().setSegmentBytes(32 * 1024)));
    Set<String> sent = new HashSet<>();
    Set<String> ackedForSure = ConcurrentHashMap.newKeySet();
    int n = 0;
    int held = 0;
    // One ack request per message: well over a checkpoint's worth (20,000) of journal records.
    for (int round = 0; round < 70; round++) {
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < 500; i++, n++) {
        batch.add(Message.of("m" + n));
        sent.add("m" + n);
      }
      await(queues.sendBatch("q", batch));
      List<Delivery> got = new ArrayList<>();
      while (got.size() < 400) {
        got.addAll(await(queues.receive("q", 400 - got.size(), 1000)));
      }
      for (Delivery d : got) {
        if (d.id() % 13 != 0) {
          queues.ack(d.receipt()).onSuccess(v -> ackedForSure.add(d.valueAsString()));
        } else {
          held++;
        }
      }
      int stillHeld = held;
      if (round < 69) {
        eventually(10_000, "round " + round + " acked", () -> await(queues.describe("q")).inFlight() == stillHeld);
      }
    }
    // A checkpoint was written mid-run: the journal no longer starts at 0.
    assertTrue(await(await(store.open("qc.q")).startOffset()) > 0, "a checkpoint trimmed the journal");
    // Crash with the last round's acks in flight, then start over the data as the crash left it.
    DeferringLogStore crashed = (DeferringLogStore) store;
    crashed.crash();
    Set<String> acked = Set.copyOf(ackedForSure);
    await(queues.close());
    store = new DeferringLogStore(vertx, crashed.delegate());
    queues = await(Queues.create(vertx, store, options()));

    Set<String> back = new HashSet<>();
    eventually(20_000, "the queue drained", () -> {
      List<Delivery> got = await(queues.receive("q", 5000, 200));
      for (Delivery d : got) {
        assertTrue(back.add(d.valueAsString()), "delivered twice after the restart: " + d.valueAsString());
      }
      if (!got.isEmpty()) {
        await(queues.ack(got.stream().map(Delivery::receipt).toList()));
      }
      return got.isEmpty() && await(queues.describe("q")).depth() == 0;
    });
    for (String v : back) {
      assertTrue(!acked.contains(v), "acked before the crash, delivered after it: " + v);
    }
    Set<String> lost = new HashSet<>(sent);
    lost.removeAll(back);
    lost.removeAll(ackedForSure);
    assertTrue(lost.isEmpty(), "lost " + lost.size() + " unacked messages, e.g. " + lost.stream().limit(5).toList());
  }
}
