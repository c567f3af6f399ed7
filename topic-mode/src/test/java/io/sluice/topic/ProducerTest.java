package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Durability;
import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProducerTest extends TopicsTestBase {

  private List<RecordBatch> batchesOf(String log) {
    PartitionLog l = await(store.open(log));
    Records r = await(l.read(0, 1_000_000, 64 * 1024 * 1024));
    return r.batches();
  }

  @Test
  void sendReturnsWhereTheMessageWasStored() {
    createTopic("t", 3);
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(0));
    long before = System.currentTimeMillis();
    RecordMetadata m = await(p.send("t", 2, Message.of("k", "v")));
    assertEquals(new TopicPartition("t", 2), m.topicPartition());
    assertEquals(0, m.offset());
    assertTrue(m.timestamp() >= before && m.timestamp() <= System.currentTimeMillis());
    // The level the store reached: MEMORY on the memory store, a disk level on a durable one.
    assertEquals(store.type().equals("memory"), m.durability() == Durability.MEMORY, "durability " + m.durability());
    RecordMetadata stamped = await(p.send("t", 2, Message.of("v").withTimestamp(12345)));
    assertEquals(1, stamped.offset());
    assertEquals(12345, stamped.timestamp());
    await(p.close());
    awaitFailure(p.send("t", Message.of("late")), ErrorCode.STORE_CLOSED);
  }

  @Test
  void keyedMessagesGoWhereKafkaWouldPutThem() {
    createTopic("t", 10);
    Producer p = topics.createProducer(new ProducerOptions());
    assertEquals(6, await(p.send("t", Message.of("foobar", "1"))).partition());
    assertEquals(7, await(p.send("t", Message.of("abc", "2"))).partition());
    for (int i = 0; i < 50; i++) {
      String key = "key-" + i;
      assertEquals(Partitioner.partitionForKey(Buffer.buffer(key), 10), await(p.send("t", Message.of(key, "x"))).partition());
    }
  }

  @Test
  void customPartitionerIsUsedAndCheckedAgainstTheTopic() {
    createTopic("t", 4);
    Producer p = topics.createProducer(new ProducerOptions().setPartitioner((topic, m, n) -> n - 1));
    assertEquals(3, await(p.send("t", Message.of("x"))).partition());
    Producer bad = topics.createProducer(new ProducerOptions().setPartitioner((topic, m, n) -> n));
    awaitFailure(bad.send("t", Message.of("x")), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void lingerAndBatchSizeMakeFewBatchesInSendOrder() {
    createTopic("t", 1);
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(50).setBatchBytes(4096));
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      sends.add(p.send("t", 0, Message.of("value-" + i)));
    }
    for (int i = 0; i < sends.size(); i++) {
      assertEquals(i, await(sends.get(i)).offset(), "stored in send order");
    }
    List<RecordBatch> batches = batchesOf("t-0");
    assertTrue(batches.size() < 50, "500 small messages should travel in few batches, got " + batches.size());
    for (RecordBatch b : batches) {
      assertTrue(b.sizeInBytes() <= 4096 + 64, "batch of " + b.sizeInBytes() + " bytes exceeds batchBytes");
    }
    int i = 0;
    for (RecordBatch b : batches) {
      for (var r : b) {
        assertEquals("value-" + i++, r.valueAsString());
      }
    }
  }

  @Test
  void stickyPartitionerFillsABatchBeforeMoving() {
    createTopic("t", 4);
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(100).setBatchBytes(2048));
    Map<Integer, Integer> perPartition = new HashMap<>();
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sends.add(p.send("t", Message.of("keyless-" + i)));
    }
    sends.forEach(f -> perPartition.merge(await(f).partition(), 1, Integer::sum));
    int batches = 0;
    for (int part = 0; part < 4; part++) {
      batches += batchesOf("t-" + part).size();
    }
    // Sticky batches are full: 200 messages of ~40 bytes make about 4 batches of 2 KiB, not 200.
    assertTrue(batches <= 10, "expected few full batches, got " + batches + " " + perPartition);
  }

  @Test
  void fullBufferWaitsThenFailsWithQueueFull() {
    createTopic("t", 1);
    Producer failFast = topics.createProducer(new ProducerOptions().setBufferMemory(1024).setMaxBlockMs(0).setLingerMs(300));
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sends.add(failFast.send("t", 0, Message.of("x".repeat(80))));
    }
    int ok = 0;
    int full = 0;
    for (Future<RecordMetadata> f : sends) {
      try {
        await(f);
        ok++;
      } catch (SluiceException e) {
        assertEquals(ErrorCode.QUEUE_FULL, e.code());
        full++;
      }
    }
    assertTrue(ok >= 5 && ok <= 10, "about 1024/102 messages fit in the buffer, " + ok + " did");
    assertEquals(40, ok + full);
    assertEquals(ok, await(topics.describe("t")).partitions().get(0).endOffset(), "refused messages were not stored");

    Producer patient = topics.createProducer(new ProducerOptions().setBufferMemory(1024).setMaxBlockMs(10_000).setLingerMs(20));
    List<Future<RecordMetadata>> waited = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      waited.add(patient.send("t", 0, Message.of("y".repeat(80))));
    }
    long previous = -1;
    for (Future<RecordMetadata> f : waited) {
      long offset = await(f).offset();
      assertTrue(offset > previous, "waiting sends keep their order");
      previous = offset;
    }
  }

  @Test
  void badSendsFailWithTypedErrorsAndStoreNothing() {
    await(topics.createTopic("t", new TopicConfig().setPartitions(2).setMaxMessageBytes(1024)));
    Producer p = topics.createProducer(new ProducerOptions());
    awaitFailure(p.send("missing", Message.of("x")), ErrorCode.UNKNOWN_TOPIC);
    awaitFailure(p.send("bad name", Message.of("x")), ErrorCode.INVALID_NAME);
    awaitFailure(p.send("t", 2, Message.of("x")), ErrorCode.UNKNOWN_PARTITION);
    awaitFailure(p.send("t", -1, Message.of("x")), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(p.send("t", 0, null), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(p.send("t", 0, Message.of("x".repeat(1100))), ErrorCode.RECORD_TOO_LARGE);
    Producer small = topics.createProducer(new ProducerOptions().setBufferMemory(1024));
    await(topics.createTopic("big", new TopicConfig().setMaxMessageBytes(4096)));
    awaitFailure(small.send("big", 0, Message.of("x".repeat(2000))), ErrorCode.RECORD_TOO_LARGE);
    // The largest message that fits is accepted.
    await(p.send("t", 0, Message.of("x".repeat(1024 - 22))));
    TopicDescription d = await(topics.describe("t"));
    assertEquals(1, d.partitions().get(0).endOffset());
    assertEquals(0, d.partitions().get(1).endOffset());
  }

  @Test
  void flushSendsEverythingNow() {
    createTopic("t", 2);
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(60_000));
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sends.add(p.send("t", i % 2, Message.of("m" + i)));
    }
    await(p.flush());
    sends.forEach(f -> assertTrue(f.succeeded(), "flush completed after every send before it"));
  }

  /**
   * A flush waits for the sends started before it (also one still waiting for metadata and one that
   * fails), and not for a send started after it: here one whose metadata request is held back.
   */
  @Test
  void flushWaitsForEarlierSendsOnly() {
    createTopic("t", 2);
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(60_000).setRequestTimeoutMs(3_000));
    Future<RecordMetadata> unknown = p.send("nope", Message.of("x"));
    List<Future<RecordMetadata>> before = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      before.add(p.send("t", i % 2, Message.of("m" + i)));
    }
    io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> holdSlow = dc -> {
      if (dc.body() instanceof io.vertx.core.json.JsonObject j && j.getValue("topics") instanceof io.vertx.core.json.JsonArray a
          && a.contains("slow")) {
        return;
      }
      dc.next();
    };
    vertx.eventBus().addOutboundInterceptor(holdSlow);
    try {
      Future<Void> first = p.flush();
      Future<RecordMetadata> later = p.send("slow", Message.of("after"));
      Future<Void> second = p.flush();
      await(first);
      before.forEach(f -> assertTrue(f.succeeded(), "the first flush completed after every send before it"));
      awaitFailure(unknown, ErrorCode.UNKNOWN_TOPIC);
      assertTrue(!later.isComplete() && !second.isComplete(), "the first flush does not wait for a later send");
      awaitFailure(later, ErrorCode.TIMEOUT);
      await(second);
    } finally {
      vertx.eventBus().removeOutboundInterceptor(holdSlow);
    }
    await(p.close());
  }

  /** Sends made on the producer's own context complete there, in order. */
  @Test
  void sendsOnTheProducersContextCompleteOnIt() {
    createTopic("t", 1);
    io.vertx.core.Context context = vertx.getOrCreateContext();
    io.vertx.core.Promise<List<Long>> offsets = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      Producer p = topics.createProducer(new ProducerOptions().setLingerMs(1));
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      List<Boolean> onContext = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        sends.add(p.send("t", Message.of("m" + i)).onComplete(ar -> onContext.add(io.vertx.core.Vertx.currentContext() == context)));
      }
      Future.all(sends).compose(all -> p.close()).onComplete(ar -> {
        if (ar.failed()) {
          offsets.fail(ar.cause());
        } else if (onContext.contains(false) || onContext.size() != 100) {
          offsets.fail(new AssertionError("a send completed off the producer's context: " + onContext));
        } else {
          offsets.complete(sends.stream().map(f -> f.result().offset()).toList());
        }
      });
    });
    List<Long> got = await(offsets.future());
    for (int i = 0; i < got.size(); i++) {
      assertEquals(i, got.get(i), "offsets follow send order");
    }
  }

  /** A retried batch (same producer id, epoch and sequence) is appended once: here sent twice by hand. */
  @Test
  void retriedBatchIsAppendedOnce() {
    createTopic("t", 1);
    produce("t", 0, 2);
    RecordBatch first = RecordBatch.builder().producer(77, (short) 0, 0).add(Message.of("a")).add(Message.of("b")).build();
    RecordBatch retry = RecordBatch.wrap(first.buffer().copy());
    long base1 = sendRaw(first).getLong(0);
    long base2 = sendRaw(retry).getLong(0);
    assertEquals(2, base1);
    assertEquals(base1, base2, "the retry is answered with the original offsets");
    assertEquals(4, await(topics.describe("t")).partitions().get(0).endOffset(), "appended once");
    RecordBatch gap = RecordBatch.builder().producer(77, (short) 0, 5).add(Message.of("c")).build();
    thrown(() -> sendRaw(gap), ErrorCode.OUT_OF_ORDER_SEQUENCE);
    // ... also after the partition owner restarts: the state is rebuilt from the batch headers.
    restart();
    assertEquals(base1, sendRaw(RecordBatch.wrap(first.buffer().copy())).getLong(0));
    assertEquals(4, await(topics.describe("t")).partitions().get(0).endOffset());
  }

  /**
   * The producer's own retry: the first acknowledgement of a produce is lost on the bus, so the batch
   * times out and is sent again. With idempotence the owner recognizes it and it is stored once; without,
   * it is stored twice (which is why idempotence is the default).
   */
  @Test
  void lostAcknowledgementIsRetriedAndStoredOnce() {
    createTopic("t", 1);
    assertEquals(1, sendWithLostAck(true));
    assertEquals(2, sendWithLostAck(false), "without idempotence the retry is a duplicate");
  }

  /** Returns how many records one send with a lost first acknowledgement added to partition t-0. */
  private long sendWithLostAck(boolean idempotence) {
    long before = await(topics.describe("t")).partitions().get(0).endOffset();
    java.util.concurrent.atomic.AtomicBoolean dropped = new java.util.concurrent.atomic.AtomicBoolean();
    io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> dropFirstAck = dc -> {
      boolean produceAck = dc.message().address().startsWith("__vertx.reply") && dc.body() instanceof Buffer b && b.length() == 17;
      if (produceAck && dropped.compareAndSet(false, true)) {
        return;
      }
      dc.next();
    };
    vertx.eventBus().addOutboundInterceptor(dropFirstAck);
    try {
      Producer p = topics.createProducer(new ProducerOptions().setIdempotence(idempotence).setLingerMs(0).setRequestTimeoutMs(300)
          .setRetryBackoffMs(10));
      RecordMetadata md = await(p.send("t", 0, Message.of("retried")));
      assertTrue(dropped.get(), "the first acknowledgement was dropped");
      if (idempotence) {
        assertEquals(before, md.offset(), "the answer carries the offset of the first append");
      }
      await(p.close());
    } finally {
      vertx.eventBus().removeOutboundInterceptor(dropFirstAck);
    }
    return await(topics.describe("t")).partitions().get(0).endOffset() - before;
  }

  private Buffer sendRaw(RecordBatch batch) {
    Future<io.vertx.core.eventbus.Message<Buffer>> reply = vertx.eventBus()
        .request("sluice.topic.t.0", batch, new DeliveryOptions().addHeader("op", "produce"));
    return await(reply.recover(e -> Future.failedFuture(io.sluice.topic.internal.BusErrors.fromBus(e)))).body();
  }

  @Test
  void producersFromManyThreadsKeepPerProducerOrder() throws Exception {
    createTopic("t", 1);
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(2));
    int threads = 4;
    int each = 250;
    List<Thread> ts = new ArrayList<>();
    List<List<Future<RecordMetadata>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Future<RecordMetadata>> mine = new ArrayList<>();
      results.add(mine);
      int id = t;
      ts.add(new Thread(() -> {
        for (int i = 0; i < each; i++) {
          mine.add(p.send("t", 0, Message.of("t" + id + "-" + i)));
        }
      }));
    }
    ts.forEach(Thread::start);
    for (Thread t : ts) {
      t.join();
    }
    for (List<Future<RecordMetadata>> mine : results) {
      long prev = -1;
      for (Future<RecordMetadata> f : mine) {
        long o = await(f).offset();
        assertTrue(o > prev, "one thread's sends stay in order");
        prev = o;
      }
    }
    assertEquals(threads * each, await(topics.describe("t")).partitions().get(0).endOffset());
    Consumer c = topics.createConsumer(new ConsumerOptions().setAutoOffsetReset(OffsetReset.EARLIEST));
    await(c.assign(List.of(new TopicPartition("t", 0))));
    assertEquals(threads * each, pollUntil(c, threads * each).size());
    assertTrue(await(c.poll(Duration.ofMillis(50))).isEmpty());
  }
}
