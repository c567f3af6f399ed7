package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Restarts: a new {@code Queues} over the same store must see every queue, message and settlement again. */
class RestartTest extends QueueTestBase {

  @Test
  void messagesInEveryStateSurviveARestart() {
    QueueConfig config = new QueueConfig().setVisibilityTimeoutMs(60_000).setMaxDeliveries(10);
    await(queues.createQueue("q", config));
    // acked: a0..a4; in flight: f0..f2; ready: r0..r3; delayed at send; nacked with a delay.
    await(queues.sendBatch("q", IntStream.range(0, 5).mapToObj(i -> Message.of("a" + i)).toList()));
    await(queues.ack(await(queues.receive("q", 5, 1000)).stream().map(Delivery::receipt).toList()));
    await(queues.sendBatch("q", IntStream.range(0, 3).mapToObj(i -> Message.of("f" + i)).toList()));
    List<Delivery> inFlight = await(queues.receive("q", 3, 1000));
    assertEquals(3, inFlight.size());
    await(queues.send("q", Message.of("n0")));
    Delivery toNack = await(queues.receive("q", 1, 1000)).get(0);
    long restartAt = System.currentTimeMillis();
    await(toNack.nack(1500));
    await(queues.send("q", Message.of("d0"), new SendOptions().setDelayMs(1500)));
    await(queues.sendBatch("q", IntStream.range(0, 4).mapToObj(i -> Message.of("r" + i)).toList()));

    restart();
    assertEquals(List.of("q"), await(queues.list()));
    assertEquals(config, await(queues.describe("q")).config());
    QueueStats s = await(queues.describe("q"));
    assertEquals(9, s.depth(), "3 formerly in flight + 4 ready + 2 delayed");
    assertEquals(0, s.inFlight(), "leases do not survive a restart");
    assertEquals(2, s.delayed());
    for (Delivery d : inFlight) {
      awaitFailure(queues.ack(d.receipt()), ErrorCode.UNKNOWN_RECEIPT);
    }
    List<Delivery> now = await(queues.receive("q", 20, 200));
    Map<String, Integer> counts = new HashMap<>();
    now.forEach(d -> counts.put(d.valueAsString(), d.deliveryCount()));
    assertEquals(Map.of("f0", 2, "f1", 2, "f2", 2, "r0", 1, "r1", 1, "r2", 1, "r3", 1), counts,
        "FIFO, acked ones never again, delivery counts kept");
    assertEquals(List.of("f0", "f1", "f2", "r0", "r1", "r2", "r3"), now.stream().map(Delivery::valueAsString).toList());
    await(queues.ack(now.stream().map(Delivery::receipt).toList()));
    List<Delivery> later = new ArrayList<>();
    while (later.size() < 2) {
      later.addAll(await(queues.receive("q", 10, 5000)));
    }
    assertTrue(System.currentTimeMillis() - restartAt >= 1450, "delays still count after the restart");
    Set<String> laterValues = new HashSet<>();
    later.forEach(d -> laterValues.add(d.valueAsString()));
    assertEquals(Set.of("n0", "d0"), laterValues);
    for (Delivery d : later) {
      assertEquals(d.valueAsString().equals("n0") ? 2 : 1, d.deliveryCount());
    }
    await(queues.ack(later.stream().map(Delivery::receipt).toList()));
    restart();
    assertEquals(0, await(queues.describe("q")).depth());
    assertTrue(await(queues.receive("q", 10, 0)).isEmpty(), "nothing acked comes back");
  }

  @Test
  void deliveryCountsSurviveRestartsSoAPoisonThatKillsTheProcessIsDeadLettered() {
    await(queues.createQueue("dlq"));
    await(queues.createQueue("q", new QueueConfig().setMaxDeliveries(2).setDeadLetterQueue("dlq")));
    await(queues.send("q", Message.of("kills the process")));
    assertEquals(1, await(queues.receive("q", 1, 1000)).get(0).deliveryCount());
    restart();
    assertEquals(2, await(queues.receive("q", 1, 1000)).get(0).deliveryCount());
    restart();
    assertTrue(await(queues.receive("q", 1, 300)).isEmpty());
    eventually(5000, "dead-lettered", () -> await(queues.describe("dlq")).depth() == 1);
    assertEquals(0, await(queues.describe("q")).depth());
  }

  @Test
  void dedupIdsAreRememberedAcrossARestartEvenAfterTheirMessagesAreGone() {
    await(queues.createQueue("q", new QueueConfig().setDedupWindowMs(60_000).setSegmentBytes(1024)));
    long first = await(queues.send("q", Message.of("pay 10"), new SendOptions().setDedupId("payment-7")));
    // Fill a few segments and ack everything, so the log is trimmed past the first message.
    await(queues.sendBatch("q", IntStream.range(0, 200).mapToObj(i -> Message.of("filler " + i)).toList()));
    List<Delivery> all = await(queues.receive("q", 1000, 1000));
    assertEquals(201, all.size());
    await(queues.ack(all.stream().map(Delivery::receipt).toList()));
    eventually(5000, "log trimmed", () -> await(queues.describe("q")).storedBytes() < 2048);
    restart();
    assertEquals(first, await(queues.send("q", Message.of("pay 10, retried"), new SendOptions().setDedupId("payment-7"))));
    assertEquals(0, await(queues.describe("q")).depth());
    // And once more without a clean checkpoint in between being needed: the id is in the new checkpoint.
    restart();
    assertEquals(first, await(queues.send("q", Message.of("pay 10, again"), new SendOptions().setDedupId("payment-7"))));
    assertEquals(0, await(queues.describe("q")).depth());
  }

  @Test
  void ackedMessagesFreeTheirSpace() {
    int segment = 16 * 1024;
    await(queues.createQueue("big", new QueueConfig().setSegmentBytes(segment)));
    Buffer payload = Buffer.buffer(new byte[200]);
    for (int b = 0; b < 200; b++) {
      await(queues.sendBatch("big", IntStream.range(0, 50).mapToObj(i -> Message.of(payload)).toList()));
    }
    PartitionLog log = await(store.open("q.big"));
    long full = await(log.sizeInBytes());
    int fullSegments = await(log.segments()).size();
    assertTrue(full > 100 * segment, "about 2 MB stored, got " + full);
    assertTrue(fullSegments > 100, "segments " + fullSegments);
    int acked = 0;
    while (acked < 10_000) {
      List<Delivery> got = await(queues.receive("big", 1000, 1000));
      await(queues.ack(got.stream().map(Delivery::receipt).toList()));
      acked += got.size();
    }
    eventually(5000, "space freed", () -> await(log.sizeInBytes()) <= segment);
    assertTrue(await(log.segments()).size() <= 2, "segments left " + await(log.segments()).size());
    QueueStats s = await(queues.describe("big"));
    assertEquals(0, s.depth());
    assertEquals(0, s.bytes());
    assertTrue(s.storedBytes() <= segment);
    // The settlement journal is trimmed too, at checkpoints: after a restart it holds a checkpoint only.
    restart();
    PartitionLog journal = await(store.open("qc.big"));
    assertTrue(await(journal.sizeInBytes()) < 64 * 1024, "journal " + await(journal.sizeInBytes()));
    assertEquals(0, await(queues.describe("big")).depth());
  }

  @Test
  void aLongHistoryWithCheckpointsReplaysToTheSameState() {
    await(queues.createQueue("q", new QueueConfig().setSegmentBytes(64 * 1024)));
    Set<String> unacked = new HashSet<>();
    int n = 0;
    // Many small acks: more than one checkpoint's worth of journal records.
    for (int round = 0; round < 60; round++) {
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < 500; i++, n++) {
        batch.add(Message.of("m" + n));
      }
      await(queues.sendBatch("q", batch));
      List<Delivery> got = new ArrayList<>();
      while (got.size() < 500) {
        got.addAll(await(queues.receive("q", 500 - got.size(), 1000)));
      }
      for (Delivery d : got) {
        if (d.id() % 97 == 0) {
          unacked.add(d.valueAsString());
        } else {
          queues.ack(d.receipt());
        }
      }
    }
    eventually(10_000, "acks applied", () -> await(queues.describe("q")).depth() == unacked.size());
    restart();
    // A pull answers with what is ready when it is served; collect until everything came back.
    List<Delivery> back = new ArrayList<>();
    Set<String> values = new HashSet<>();
    eventually(10_000, "all unacked messages back", () -> {
      for (Delivery d : await(queues.receive("q", 1000, 200))) {
        back.add(d);
        values.add(d.valueAsString());
      }
      return values.size() >= unacked.size();
    });
    assertEquals(unacked.size(), back.size(), "each once");
    assertEquals(unacked, values);
    back.forEach(d -> assertEquals(2, d.deliveryCount()));
  }

  @Test
  void purgeFreesSpace() {
    await(queues.createQueue("q", new QueueConfig().setSegmentBytes(4096)));
    for (int b = 0; b < 100; b++) {
      await(queues.sendBatch("q", IntStream.range(0, 20).mapToObj(i -> Message.of(Buffer.buffer(new byte[100]))).toList()));
    }
    assertTrue(await(queues.describe("q")).storedBytes() > 50 * 4096);
    assertEquals(2000, await(queues.purge("q")));
    eventually(5000, "space freed", () -> await(queues.describe("q")).storedBytes() <= 4096);
    restart();
    assertEquals(0, await(queues.describe("q")).depth());
  }
}
