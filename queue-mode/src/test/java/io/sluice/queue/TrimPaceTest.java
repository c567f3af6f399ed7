package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.sluice.api.store.LogStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * How often a busy queue trims its message log. Each trim makes a disk store write its checkpoint durably
 * in front of the appends queued behind it, so a queue must not trim after every ack: it trims when a
 * whole segment lies below its lowest unsettled message (that frees space), and otherwise only when it
 * has drained, at most every {@code PARTIAL_TRIM_EVERY_MS}; a drained queue still ends with its log
 * trimmed to the end.
 */
class TrimPaceTest extends QueueTestBase {

  /** QueueOwner.PARTIAL_TRIM_EVERY_MS (package-private there). */
  private static final long PACE_MS = 500;

  @Override
  protected LogStore newStore(Vertx vertx, Path dir) {
    return new DeferringLogStore(vertx, LogStore.memory(vertx));
  }

  @Test
  void aBusyQueueTrimsAtSegmentEndsAndOtherwiseOnlyAtItsPace() {
    await(queues.createQueue("busy", new QueueConfig().setSegmentBytes(4096)));
    Buffer payload = Buffer.buffer(new byte[100]);
    // Small rounds of send, receive and ack, for well over one pace interval: the old owner trimmed 10 ms
    // after every ack, i.e. at nearly every round.
    int sent = rounds(payload, 3 * PACE_MS);
    eventually(5000, "the drained log trimmed to its end",
        () -> trims().stream().anyMatch(t -> t.offset() == sent));
    List<DeferringLogStore.Trim> trims = trims();
    assertTrue(trims.stream().anyMatch(DeferringLogStore.Trim::segmentEnd), "some trims freed whole segments: " + trims);
    long previousPartial = Long.MIN_VALUE;
    int partial = 0;
    for (DeferringLogStore.Trim t : trims) {
      if (t.segmentEnd()) {
        continue;
      }
      partial++;
      if (previousPartial != Long.MIN_VALUE) {
        long gapMs = TimeUnit.NANOSECONDS.toMillis(t.atNanos() - previousPartial);
        assertTrue(gapMs >= PACE_MS - 1, "trims that free nothing " + gapMs + " ms apart: " + trims);
      }
      previousPartial = t.atNanos();
    }
    assertTrue(partial <= 6, partial + " trims that freed nothing in ~1.5 s: " + trims);
    assertEquals(0, await(queues.describe("busy")).depth());
  }

  @Test
  void aQueueThatStillHoldsAMessageOnlyTrimsWholeSegments() {
    await(queues.createQueue("busy", new QueueConfig().setSegmentBytes(4096)));
    Buffer payload = Buffer.buffer(new byte[100]);
    // The 20th message stays unsettled: the lowest unsettled offset is above the log start, so the old
    // pace would have trimmed to it, inside the active segment, every interval.
    await(queues.sendBatch("busy", IntStream.range(0, 20).mapToObj(i -> Message.of(payload)).toList()));
    List<Delivery> first = new ArrayList<>();
    while (first.size() < 20) {
      first.addAll(await(queues.receive("busy", 20 - first.size(), 1000, 60_000)));
    }
    await(queues.ack(first.subList(0, 19).stream().map(Delivery::receipt).toList()));
    List<Delivery> held = first.subList(19, 20);
    // Traffic behind the held message for well over one pace interval: every trim that cannot pass it
    // would only move the start inside its segment.
    int total = 20 + rounds(payload, 2 * PACE_MS);
    assertTrue(trims().stream().allMatch(t -> t.offset() <= held.get(0).id()), "nothing past the held message: " + trims());
    assertTrue(trims().stream().allMatch(DeferringLogStore.Trim::segmentEnd), "only trims that free space: " + trims());
    await(queues.ack(List.of(held.get(0).receipt())));
    int sent = total;
    eventually(5000, "the drained log trimmed to its end", () -> trims().stream().anyMatch(t -> t.offset() == sent));
  }

  /** Rounds of 10 sent, received and acked on queue "busy" for {@code millis}; returns how many. */
  private int rounds(Buffer payload, long millis) {
    int total = 0;
    long start = System.nanoTime();
    while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(millis)) {
      await(queues.sendBatch("busy", IntStream.range(0, 10).mapToObj(i -> Message.of(payload)).toList()));
      List<Delivery> got = new ArrayList<>();
      while (got.size() < 10) {
        got.addAll(await(queues.receive("busy", 10 - got.size(), 1000)));
      }
      await(queues.ack(got.stream().map(Delivery::receipt).toList()));
      total += got.size();
    }
    return total;
  }

  private List<DeferringLogStore.Trim> trims() {
    return ((DeferringLogStore) store).trims().stream().filter(t -> t.log().equals("q.busy")).toList();
  }
}
