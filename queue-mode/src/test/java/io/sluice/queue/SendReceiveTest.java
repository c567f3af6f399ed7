package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.testing.BusBlackHole;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SendReceiveTest extends QueueTestBase {

  private static List<Message> messages(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> Message.of(prefix + i)).toList();
  }

  @Test
  void batchIsFifoWithDenseIds() {
    await(queues.createQueue("q"));
    List<Long> ids = await(queues.sendBatch("q", messages("m", 5)));
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), ids);
    List<Delivery> got = await(queues.receive("q", 10, 1000));
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), got.stream().map(Delivery::valueAsString).toList());
    for (Delivery d : got) {
      assertEquals(1, d.deliveryCount());
      assertTrue(d.firstDeliveryTime() > 0);
      assertTrue(d.leaseExpiresAt() > System.currentTimeMillis());
      assertTrue(d.timestamp() > 0);
    }
    await(queues.ack(got.stream().map(Delivery::receipt).toList()));
    assertEquals(0, await(queues.describe("q")).depth());
  }

  @Test
  void closeIsBoundedWhenTheOwnerNeverAnswers() {
    await(queues.createQueue("q"));
    QueueConsumer consumer = await(queues.consumer("q", new ConsumerOptions().setCloseTimeoutMs(500)));
    // What a close racing the node's own shutdown meets: the owner's consumer is gone mid-request and the
    // message is discarded without an answer; the sender would wait the 30 s request timeout.
    try (BusBlackHole owner = BusBlackHole.open(vertx, address -> address.equals(QueuesOptions.DEFAULT_ADDRESS + ".q"))) {
      await(consumer.close().timeout(10, TimeUnit.SECONDS));
      assertTrue(owner.dropped() >= 1, "the close did ask the owner to take back what it held");
    }
  }

  @Test
  void autoModeDeletesOnRead() {
    await(queues.createQueue("q"));
    await(queues.sendBatch("q", messages("a", 50)));
    ConcurrentLinkedQueue<Delivery> got = new ConcurrentLinkedQueue<>();
    QueueConsumer c = await(queues.consumer("q", new ConsumerOptions().setAckMode(AckMode.AUTO).setPrefetch(8)));
    c.handler(got::add);
    eventually(5000, "50 deliveries", () -> got.size() == 50);
    Delivery d = got.peek();
    assertNull(d.receipt());
    awaitFailure(d.ack(), ErrorCode.INVALID_ARGUMENT);
    QueueStats s = await(queues.describe("q"));
    assertEquals(0, s.depth());
    assertEquals(0, s.inFlight());
    await(c.close());
    assertEquals(List.of(), await(queues.receive("q", 10, 0)));
  }

  @Test
  void ackErrorsAreTypedAndChangeNothing() {
    await(queues.createQueue("q"));
    await(queues.sendBatch("q", messages("m", 2)));
    List<Delivery> got = await(queues.receive("q", 2, 1000));
    Delivery a = got.get(0);
    Delivery b = got.get(1);
    awaitFailure(queues.ack("garbage"), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.ack("q:x:1"), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.ack("q:999:1f"), ErrorCode.UNKNOWN_RECEIPT);
    // Right message, wrong lease token.
    awaitFailure(queues.ack("q:" + a.id() + ":12345"), ErrorCode.UNKNOWN_RECEIPT);
    // A batch with one unknown receipt settles nothing.
    awaitFailure(queues.ack(List.of(a.receipt(), "q:999:1f")), ErrorCode.UNKNOWN_RECEIPT);
    awaitFailure(queues.ack(List.of(a.receipt(), a.receipt())), ErrorCode.INVALID_ARGUMENT);
    assertEquals(2, await(queues.describe("q")).inFlight());
    await(a.ack());
    awaitFailure(a.ack(), ErrorCode.UNKNOWN_RECEIPT);
    awaitFailure(a.nack(), ErrorCode.UNKNOWN_RECEIPT);
    awaitFailure(a.extend(1000), ErrorCode.UNKNOWN_RECEIPT);
    // Bad delays and extensions: rejected, and b's lease is untouched.
    awaitFailure(b.nack(-1), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(b.extend(0), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(b.extend(-5), ErrorCode.INVALID_ARGUMENT);
    assertEquals(1, await(queues.describe("q")).inFlight());
    await(b.ack());
    QueueStats s = await(queues.describe("q"));
    assertEquals(0, s.depth());
    await(queues.ack(List.of()));
  }

  @Test
  void oneAckSettlesReceiptsOfSeveralQueuesInAnyOrder() {
    await(queues.createQueue("a"));
    await(queues.createQueue("ab"));
    await(queues.sendBatch("a", messages("a", 3)));
    await(queues.sendBatch("ab", messages("ab", 3)));
    List<Delivery> fromA = await(queues.receive("a", 3, 1000));
    List<Delivery> fromAb = await(queues.receive("ab", 3, 1000));
    assertEquals(3, fromA.size());
    assertEquals(3, fromAb.size());
    // Interleaved, and "a" is a prefix of "ab": each receipt must still reach its own queue.
    List<String> mixed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      mixed.add(fromA.get(i).receipt());
      mixed.add(fromAb.get(i).receipt());
    }
    // A bad queue name late in the batch: refused with its code, and nothing is settled.
    List<String> withBadName = new ArrayList<>(mixed);
    withBadName.add("no/such:1:1f");
    awaitFailure(queues.ack(withBadName), ErrorCode.INVALID_NAME);
    assertEquals(3, await(queues.describe("a")).inFlight());
    assertEquals(3, await(queues.describe("ab")).inFlight());
    // A receipt given twice, apart from its twin: all or nothing per queue, so "a" settles none of its
    // receipts and "ab" settles all of its own.
    List<String> withTwin = new ArrayList<>(mixed);
    withTwin.add(fromA.get(0).receipt());
    awaitFailure(queues.ack(withTwin), ErrorCode.INVALID_ARGUMENT);
    assertEquals(3, await(queues.describe("a")).inFlight());
    assertEquals(0, await(queues.describe("ab")).depth());
    await(queues.ack(fromA.stream().map(Delivery::receipt).toList()));
    assertEquals(0, await(queues.describe("a")).depth());
  }

  @Test
  void expiredLeaseRedeliversAndItsReceiptIsDead() {
    await(queues.createQueue("q", new QueueConfig().setVisibilityTimeoutMs(200)));
    await(queues.send("q", Message.of("m")));
    Delivery first = await(queues.receive("q", 1, 1000)).get(0);
    List<Delivery> again = await(queues.receive("q", 1, 3000));
    assertEquals(1, again.size(), "redelivered after the lease expired");
    Delivery second = again.get(0);
    assertEquals(first.id(), second.id());
    assertEquals(2, second.deliveryCount());
    assertEquals(first.firstDeliveryTime(), second.firstDeliveryTime());
    assertNotEquals(first.receipt(), second.receipt());
    awaitFailure(first.ack(), ErrorCode.UNKNOWN_RECEIPT);
    await(second.ack());
    assertEquals(0, await(queues.describe("q")).depth());
  }

  @Test
  void receiveWithItsOwnVisibilityTimeoutRedeliversAfterThatTimeout() {
    await(queues.createQueue("q", new QueueConfig().setVisibilityTimeoutMs(60_000)));
    await(queues.send("q", Message.of("short")));
    await(queues.send("q", Message.of("default")));
    long receivedAt = System.nanoTime();
    Delivery shortLease = await(queues.receive("q", 1, 1000, 200)).get(0);
    Delivery defaultLease = await(queues.receive("q", 1, 1000)).get(0);
    List<Delivery> again = await(queues.receive("q", 10, 5000));
    long waitedMs = (System.nanoTime() - receivedAt) / 1_000_000;
    assertEquals(1, again.size(), "only the 200 ms lease expired; the other keeps the queue's 60 s");
    assertEquals(shortLease.id(), again.get(0).id());
    assertEquals(2, again.get(0).deliveryCount());
    assertTrue(waitedMs >= 200 && waitedMs < 5000, "redelivered after about 200 ms, took " + waitedMs);
    awaitFailure(shortLease.ack(), ErrorCode.UNKNOWN_RECEIPT);
    await(defaultLease.ack());
    await(again.get(0).ack());
    assertEquals(0, await(queues.describe("q")).depth());
  }

  @Test
  void receiveRejectsAVisibilityTimeoutOutOfRange() {
    await(queues.createQueue("q"));
    await(queues.send("q", Message.of("m")));
    awaitFailure(queues.receive("q", 1, 0, 0), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.receive("q", 1, 0, -5), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.receive("q", 1, 0, QueueConfig.MAX_VISIBILITY_TIMEOUT_MS + 1), ErrorCode.INVALID_ARGUMENT);
    QueueStats stats = await(queues.describe("q"));
    assertEquals(1, stats.depth());
    assertEquals(0, stats.inFlight(), "a rejected receive leased nothing");
  }

  @Test
  void extendKeepsALeaseAlive() throws Exception {
    await(queues.createQueue("q", new QueueConfig().setVisibilityTimeoutMs(300)));
    await(queues.send("q", Message.of("m")));
    Delivery d = await(queues.receive("q", 1, 1000)).get(0);
    await(d.extend(5000));
    assertEquals(List.of(), await(queues.receive("q", 1, 800)), "not redelivered while extended");
    await(d.ack());
  }

  @Test
  void nackRedeliversAtOnceOrAfterItsDelay() {
    await(queues.createQueue("q"));
    await(queues.send("q", Message.of("m")));
    Delivery d = await(queues.receive("q", 1, 1000)).get(0);
    await(d.nack());
    Delivery d2 = await(queues.receive("q", 1, 1000)).get(0);
    assertEquals(2, d2.deliveryCount());
    long nackedAt = System.currentTimeMillis();
    await(d2.nack(400));
    assertEquals(1, await(queues.describe("q")).delayed());
    assertEquals(List.of(), await(queues.receive("q", 1, 0)));
    Delivery d3 = await(queues.receive("q", 1, 3000)).get(0);
    assertTrue(System.currentTimeMillis() - nackedAt >= 390, "waited its nack delay");
    assertEquals(3, d3.deliveryCount());
    await(d3.ack());
  }

  @Test
  void delayedSendIsNotDeliveredEarly() {
    await(queues.createQueue("q"));
    long sent = System.currentTimeMillis();
    await(queues.send("q", Message.of("later"), new SendOptions().setDelayMs(500)));
    await(queues.send("q", Message.of("now")));
    List<Delivery> first = await(queues.receive("q", 10, 0));
    assertEquals(List.of("now"), first.stream().map(Delivery::valueAsString).toList());
    Delivery later = await(queues.receive("q", 10, 5000)).get(0);
    assertEquals("later", later.valueAsString());
    assertTrue(System.currentTimeMillis() - sent >= 490);
  }

  @Test
  void badSendsAreRejectedAndStoreNothing() {
    await(queues.createQueue("q", new QueueConfig().setMaxMessageBytes(1024)));
    Message negativeDelay = Message.of("x").withHeader(QueueHeaders.DELAY_MS, "-5");
    awaitFailure(queues.send("q", negativeDelay), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.send("q", Message.of("x").withHeader(QueueHeaders.TTL_MS, "soon")), ErrorCode.INVALID_ARGUMENT);
    Message big = Message.of(Buffer.buffer(new byte[2000]));
    awaitFailure(queues.send("q", big), ErrorCode.RECORD_TOO_LARGE);
    awaitFailure(queues.sendBatch("q", List.of(Message.of("fine"), big)), ErrorCode.RECORD_TOO_LARGE);
    awaitFailure(queues.sendBatch("q", List.of(Message.of("fine"), negativeDelay)), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.sendBatch("q", List.of()), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.send("q", null), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.sendBatch("q", messages("m", 2), new SendOptions().setDedupId("one")), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.receive("q", 0, 0), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.receive("q", 1, -1), ErrorCode.INVALID_ARGUMENT);
    assertEquals(0, await(queues.describe("q")).depth());
    assertEquals(List.of(), await(queues.receive("q", 10, 0)));
    // The queue still works, and ids were not used up by the rejected sends.
    assertEquals(0L, await(queues.send("q", Message.of("ok"))));
  }

  @Test
  void rejectNewOverflowFailsWithQueueFull() {
    await(queues.createQueue("q", new QueueConfig().setMaxLength(3)));
    await(queues.sendBatch("q", messages("m", 2)));
    awaitFailure(queues.sendBatch("q", messages("x", 2)), ErrorCode.QUEUE_FULL);
    await(queues.send("q", Message.of("m2")));
    awaitFailure(queues.send("q", Message.of("m3")), ErrorCode.QUEUE_FULL);
    assertEquals(3, await(queues.describe("q")).depth());
    Delivery d = await(queues.receive("q", 1, 1000)).get(0);
    awaitFailure(queues.send("q", Message.of("m3")), ErrorCode.QUEUE_FULL);
    await(d.ack());
    await(queues.send("q", Message.of("m3")));
    List<String> left = await(queues.receive("q", 10, 1000)).stream().map(Delivery::valueAsString).toList();
    assertEquals(List.of("m1", "m2", "m3"), left);
  }

  @Test
  void maxBytesCountsMessageBytes() {
    await(queues.createQueue("q", new QueueConfig().setMaxBytes(1000)));
    await(queues.send("q", Message.of(Buffer.buffer(new byte[600]))));
    awaitFailure(queues.send("q", Message.of(Buffer.buffer(new byte[600]))), ErrorCode.QUEUE_FULL);
    assertEquals(1, await(queues.describe("q")).depth());
  }

  @Test
  void dropOldestKeepsTheNewestAndDeadLettersTheDropped() {
    await(queues.createQueue("dlq"));
    await(queues.createQueue("q", new QueueConfig().setMaxLength(3).setOverflow(OverflowPolicy.DROP_OLDEST)
        .setDeadLetterQueue("dlq")));
    await(queues.sendBatch("q", messages("m", 5)));
    eventually(5000, "two dead letters", () -> await(queues.describe("dlq")).depth() == 2);
    assertEquals(3, await(queues.describe("q")).depth());
    List<String> left = await(queues.receive("q", 10, 1000)).stream().map(Delivery::valueAsString).toList();
    assertEquals(List.of("m2", "m3", "m4"), left);
    List<Delivery> dead = await(queues.receive("dlq", 10, 1000));
    assertEquals(List.of("m0", "m1"), dead.stream().map(Delivery::valueAsString).toList());
    assertEquals(QueueHeaders.REASON_OVERFLOW, dead.get(0).record().header(QueueHeaders.DEAD_LETTER_REASON).valueAsString());
    // Two more: the two oldest go again.
    await(queues.sendBatch("q", messages("n", 2)));
    eventually(5000, "depth back to 3", () -> await(queues.describe("q")).depth() == 3);
  }

  @Test
  void dedupIdIsAcceptedOnceWithinTheWindow() {
    await(queues.createQueue("q", new QueueConfig().setDedupWindowMs(60_000)));
    long a = await(queues.send("q", Message.of("a"), new SendOptions().setDedupId("order-1")));
    long again = await(queues.send("q", Message.of("a, again"), new SendOptions().setDedupId("order-1")));
    assertEquals(a, again);
    long b = await(queues.send("q", Message.of("b"), new SendOptions().setDedupId("order-2")));
    assertNotEquals(a, b);
    List<Message> batch = new ArrayList<>();
    batch.add(Message.of("c").withHeader(QueueHeaders.DEDUP_ID, "order-3"));
    batch.add(Message.of("c dup").withHeader(QueueHeaders.DEDUP_ID, "order-3"));
    batch.add(Message.of("b dup").withHeader(QueueHeaders.DEDUP_ID, "order-2"));
    batch.add(Message.of("plain"));
    List<Long> ids = await(queues.sendBatch("q", batch));
    assertEquals(ids.get(0), ids.get(1));
    assertEquals(b, ids.get(2));
    assertEquals(4, await(queues.describe("q")).depth());
    List<String> values = await(queues.receive("q", 10, 1000)).stream().map(Delivery::valueAsString).toList();
    assertEquals(List.of("a", "b", "c", "plain"), values);
  }

  @Test
  void ttlExpiresUndeliveredMessages() {
    await(queues.createQueue("dlq"));
    await(queues.createQueue("q", new QueueConfig().setDeadLetterQueue("dlq")));
    await(queues.send("q", Message.of("short"), new SendOptions().setTtlMs(100)));
    await(queues.send("q", Message.of("long")));
    eventually(5000, "the short-lived one expired", () -> await(queues.describe("q")).depth() == 1);
    Delivery dead = await(queues.receive("dlq", 1, 1000)).get(0);
    assertEquals("short", dead.valueAsString());
    assertEquals(QueueHeaders.REASON_EXPIRED, dead.record().header(QueueHeaders.DEAD_LETTER_REASON).valueAsString());
    assertEquals("q", dead.record().header(QueueHeaders.DEAD_LETTER_QUEUE).valueAsString());
    assertEquals("long", await(queues.receive("q", 1, 1000)).get(0).valueAsString());
  }

  @Test
  void queueDefaultTtlAppliesWithoutDeadLetterQueue() {
    await(queues.createQueue("q", new QueueConfig().setMessageTtlMs(150)));
    await(queues.sendBatch("q", messages("m", 3)));
    eventually(5000, "all expired", () -> await(queues.describe("q")).depth() == 0);
    assertEquals(List.of(), await(queues.receive("q", 10, 0)));
  }

  @Test
  void anyVerticleCanSendWithOnePlainEventBusCall() {
    await(queues.createQueue("q"));
    Object id = await(vertx.eventBus().request(queues.address("q"), "from the bus",
        new DeliveryOptions().addHeader("trace", "t-1"))).body();
    assertEquals(0L, id);
    Delivery d = await(queues.receive("q", 1, 1000)).get(0);
    assertEquals("from the bus", d.valueAsString());
    assertEquals("t-1", d.record().header("trace").valueAsString());
    await(d.ack());
    // Reserved headers work from the bus too; a plain caller sees the error code in the failure.
    Throwable failure = await(vertx.eventBus().request(queues.address("q"), "x",
        new DeliveryOptions().addHeader(QueueHeaders.DELAY_MS, "-1")).transform(ar -> Future.succeededFuture(ar.cause())));
    ReplyException re = (ReplyException) failure;
    assertEquals(400, re.failureCode());
    assertTrue(re.getMessage().startsWith("invalid_argument|"), re.getMessage());
    assertEquals(0, await(queues.describe("q")).depth());
  }
}
