package io.sluice.queue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.sluice.api.RecordBatch;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.queue.internal.SettlementJournal.DedupId;
import io.sluice.queue.internal.SettlementJournal.Recovered;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Replay of settlement journals, including ones a crash left without a final checkpoint. */
@ExtendWith(VertxExtension.class)
class SettlementJournalTest {

  private LogStore store;
  private PartitionLog log;

  @BeforeEach
  void setUp(Vertx vertx) {
    store = LogStore.memory(vertx);
    log = await(store.open("qc.test"));
  }

  @AfterEach
  void tearDown() {
    await(store.close());
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void append(Buffer... events) {
    RecordBatch.Builder b = RecordBatch.builder().now(1234);
    for (Buffer e : events) {
      b.add(Message.of((Buffer) null, e));
    }
    await(log.append(b.build()));
  }

  private static Buffer settled(long... offsets) {
    return SettlementJournal.settled(SettlementJournal.REASON_ACKED, offsets, offsets.length);
  }

  private static Buffer byte1(byte type) {
    return Buffer.buffer().appendByte(type);
  }

  @Test
  void replaysEventsWithoutACheckpoint() {
    append(SettlementJournal.delivered(new long[] {0, 1, 2, 5}, 4));
    append(settled(0, 1, 2), SettlementJournal.delivered(new long[] {5}, 1));
    List<long[]> due = new ArrayList<>();
    due.add(new long[] {5, 99_000});
    append(SettlementJournal.due(due), SettlementJournal.dedup(SettlementJournal.DEDUP, List.of(new DedupId("d-1", 1, 500))));
    Recovered r = await(SettlementJournal.replay(log));
    assertTrue(r.settled.contains(0) && r.settled.contains(2));
    assertFalse(r.settled.contains(3) || r.settled.contains(5));
    assertEquals(1, r.settled.rangeCount(), "0..2 is one range");
    assertFalse(r.meta.containsKey(1L), "settled messages forget their counts");
    assertEquals(2, r.meta.get(5L).deliveryCount);
    assertEquals(1234, r.meta.get(5L).firstDeliveredAt);
    assertEquals(99_000, r.meta.get(5L).dueAt);
    assertEquals(new DedupId("d-1", 1, 500), r.dedup.get("d-1"));
  }

  @Test
  void aCheckpointReplacesEverythingBeforeIt() {
    append(SettlementJournal.delivered(new long[] {7}, 1), settled(3));
    List<long[]> ranges = new ArrayList<>();
    ranges.add(new long[] {0, 7});
    ranges.add(new long[] {8, 10});
    List<long[]> meta = new ArrayList<>();
    meta.add(new long[] {7, 4, 100, 0});
    append(byte1(SettlementJournal.CK_BEGIN),
        SettlementJournal.settledRanges(SettlementJournal.CK_SETTLED, (byte) 0, ranges),
        SettlementJournal.meta(meta),
        SettlementJournal.dedup(SettlementJournal.CK_DEDUP, List.of(new DedupId("x", 2, 9))),
        byte1(SettlementJournal.CK_END));
    append(settled(10));
    Recovered r = await(SettlementJournal.replay(log));
    assertEquals(4, r.meta.get(7L).deliveryCount, "from the checkpoint, not 1 + 4");
    assertFalse(r.settled.contains(7));
    assertTrue(r.settled.contains(0) && r.settled.contains(9) && r.settled.contains(10));
    assertEquals(2, r.settled.rangeCount());
    assertEquals(List.of("x"), List.copyOf(r.dedup.keySet()));
  }

  @Test
  void anUnfinishedCheckpointIsIgnored() {
    append(settled(0), SettlementJournal.delivered(new long[] {1}, 1));
    List<long[]> bogus = new ArrayList<>();
    bogus.add(new long[] {0, 100});
    // A crash while writing a checkpoint: begin and a part, no end; later records still count.
    append(byte1(SettlementJournal.CK_BEGIN), SettlementJournal.settledRanges(SettlementJournal.CK_SETTLED, (byte) 0, bogus));
    append(settled(2));
    Recovered r = await(SettlementJournal.replay(log));
    assertTrue(r.settled.contains(0) && r.settled.contains(2));
    assertFalse(r.settled.contains(1), "the abandoned checkpoint's ranges were not applied");
    assertFalse(r.settled.contains(50));
    assertEquals(1, r.meta.get(1L).deliveryCount);
  }

  @Test
  void theWriterBatchesAndCheckpointsAndTrims(Vertx vertx) {
    List<Buffer> snapshot = List.of(SettlementJournal.settledRanges(SettlementJournal.CK_SETTLED, (byte) 0,
        List.<long[]>of(new long[] {0, 1000})));
    SettlementJournal journal = new SettlementJournal(log, () -> snapshot);
    // The journal is confined to one context: write from it.
    Promise<List<Future<Void>>> issued = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        writes.add(journal.write(settled(i)));
      }
      journal.requestCheckpoint();
      issued.complete(writes);
    });
    await(issued.future().compose(Future::all));
    Promise<Void> drained = Promise.promise();
    vertx.runOnContext(v -> journal.drained().onComplete(drained));
    await(drained.future());
    Recovered r = await(SettlementJournal.replay(log));
    assertTrue(r.settled.contains(999));
    assertEquals(1, r.settled.rangeCount());
    long start = await(log.startOffset());
    assertTrue(start >= 1000, "records before the checkpoint were trimmed, start " + start);
  }
}
