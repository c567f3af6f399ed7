package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.SluiceException;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An idempotent producer keeps several batches of a partition in flight; the owner appends them one producer
 * append at a time, joining what queued behind a slow append, and refuses everything behind a failed append so
 * the producer sends it again in order. Checked through a store whose appends the test holds and refuses.
 */
class PipelinedProducerTest extends TopicsTestBase {

  private static final int SENDS = 200;
  private GatedLogStore gated;

  @Override
  protected LogStore newStore(Vertx vertx, Path dir) {
    gated = new GatedLogStore(LogStore.memory(vertx), "t-0");
    return gated;
  }

  /** A test that failed while appends were held must not leave the owner waiting for them at close. */
  @AfterEach
  void releaseHeldAppends() {
    gated.release();
  }

  /** Small batches (about 5 records each), sent at once: many batches for the window. */
  private static ProducerOptions smallBatches(int inFlight) {
    return new ProducerOptions().setLingerMs(0).setBatchBytes(150).setMaxInFlightPerPartition(inFlight).setRetryBackoffMs(10);
  }

  /** A producer's {@value #SENDS} sends while the log holds appends, and how many batches went to the owner. */
  private record Held(Producer producer, List<Future<RecordMetadata>> sends, AtomicInteger produces) {
  }

  private Held sendWhileHeld(int inFlight) {
    createTopic("t", 1);
    AtomicInteger produces = countProduces();
    gated.hold();
    Producer p = topics.createProducer(smallBatches(inFlight));
    return new Held(p, sendAll(p), produces);
  }

  /** Five batches in flight, the first held at the log; then its append fails with {@code error}. */
  private Held refuseTheFirstOfFive(SluiceException error) {
    Held h = sendWhileHeld(5);
    eventually("five batches in flight", () -> h.produces().get() == 5);
    gated.refuseNext(1, error);
    gated.release();
    return h;
  }

  @Test
  void batchesBehindASlowAppendAreSentAtOnceAndStoredAsOneAppendInOrder() {
    Held h = sendWhileHeld(5);
    AtomicInteger produces = h.produces();
    List<Future<RecordMetadata>> sends = h.sends();
    Producer p = h.producer();
    eventually("five batches in flight while the first append is held", () -> produces.get() == 5 && gated.heldCount() == 1);
    awaitTimer(100);
    assertEquals(1, gated.heldCount(), "one append at a time per producer: the other four wait at the owner");
    assertEquals(5, produces.get(), "no sixth batch before an answer");
    gated.release();
    assertStoredOnceInOrder(sends);
    assertTrue(gated.appendSizes().size() < produces.get(), "batches that waited were joined into one append: "
        + gated.appendSizes().size() + " appends for " + produces.get() + " batches");
    await(p.close());
  }

  @Test
  void withOneInFlightTheProducerWaitsForEachAnswer() {
    Held h = sendWhileHeld(1);
    AtomicInteger produces = h.produces();
    List<Future<RecordMetadata>> sends = h.sends();
    Producer p = h.producer();
    eventually("the first batch reached the log", () -> gated.heldCount() == 1);
    awaitTimer(100);
    assertEquals(1, produces.get(), "nothing else is sent before the first answer");
    gated.release();
    assertStoredOnceInOrder(sends);
    assertEquals(produces.get(), gated.appendSizes().size(), "one append per batch, none joined");
    await(p.close());
  }

  @Test
  void aRefusedAppendIsSentAgainWithEveryBatchBehindItInTheirOrder() {
    Held h = refuseTheFirstOfFive(new SluiceException(ErrorCode.NOT_LEADER, "test: the owner lost its leadership"));
    assertStoredOnceInOrder(h.sends());
    assertTrue(h.produces().get() >= 10, "the refused batch and the four behind it were sent again: " + h.produces().get());
    await(h.producer().close());
  }

  @Test
  void aBatchRefusedForGoodFailsAloneAndTheOnesBehindItAreStoredAfterTheEarlierOnes() {
    Held h = refuseTheFirstOfFive(new InvalidArgumentException("test: refused for good"));
    List<Future<RecordMetadata>> sends = h.sends();
    int failed = 0;
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < SENDS; i++) {
      try {
        await(sends.get(i));
        expected.add("v" + i);
      } catch (SluiceException e) {
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), () -> "wrong error: " + e);
        assertEquals(i, failed, "only the first batch fails");
        failed++;
      }
    }
    assertTrue(failed > 0 && failed < 10, "the first batch's sends failed, only they: " + failed);
    assertEquals(expected, storedValues(), "everything else stored once, in send order");
    await(h.producer().close());
  }

  private AtomicInteger countProduces() {
    AtomicInteger produces = new AtomicInteger();
    Handler<DeliveryContext<Object>> counter = dc -> {
      if ("produce".equals(dc.message().headers().get("op")) && "sluice.topic.t.0".equals(dc.message().address())) {
        produces.incrementAndGet();
      }
      dc.next();
    };
    vertx.eventBus().addOutboundInterceptor(counter);
    return produces;
  }

  private static List<Future<RecordMetadata>> sendAll(Producer p) {
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int i = 0; i < SENDS; i++) {
      sends.add(p.send("t", 0, Message.of("v" + i)));
    }
    return sends;
  }

  /** Every send acknowledged at the offset of its place in send order, and the log holds exactly them. */
  private void assertStoredOnceInOrder(List<Future<RecordMetadata>> sends) {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < sends.size(); i++) {
      assertEquals(i, await(sends.get(i)).offset(), "offsets follow send order");
      expected.add("v" + i);
    }
    assertEquals(expected, storedValues());
  }

  private List<String> storedValues() {
    PartitionLog log = await(store.open("t-0"));
    List<String> values = new ArrayList<>();
    for (Record r : await(log.read(0, 1_000_000, 64 * 1024 * 1024))) {
      values.add(r.valueAsString());
    }
    return values;
  }
}
