package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.OffsetOutOfRangeException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConsumerTest extends TopicsTestBase {

  private static final TopicPartition T0 = new TopicPartition("t", 0);
  private static final TopicPartition T1 = new TopicPartition("t", 1);

  private Consumer consumer(OffsetReset reset) {
    return topics.createConsumer(new ConsumerOptions().setAutoOffsetReset(reset).setFetchMaxWaitMs(100).setMaxPollRecords(50));
  }

  @Test
  void pollReadsAssignedPartitionsInOrder() {
    createTopic("t", 2);
    produce("t", 0, 120);
    produce("t", 1, 80);
    Consumer c = consumer(OffsetReset.EARLIEST);
    await(c.assign(List.of(T0, T1)));
    assertEquals(Set.of(T0, T1), await(c.assignment()));
    List<ConsumerRecord> got = pollUntil(c, 200);
    assertEquals(200, got.size());
    long[] next = new long[2];
    for (ConsumerRecord r : got) {
      assertEquals("t", r.topic());
      assertEquals(next[r.partition()]++, r.offset(), "per-partition order");
      assertEquals("v" + r.offset(), r.valueAsString());
    }
    assertTrue(await(c.poll(Duration.ofMillis(10))).isEmpty());
    assertEquals(120L, await(c.position(T0)));
    assertEquals(Map.of(T0, 0L, T1, 0L), await(c.lag()));
    produce("t", 1, 5);
    assertEquals(5L, await(c.lag()).get(T1));
  }

  @Test
  void pollWaitsForNewRecordsByLongPoll() {
    createTopic("t", 1);
    Consumer c = consumer(OffsetReset.LATEST);
    await(c.assign(List.of(T0)));
    var pending = c.poll(Duration.ofSeconds(20));
    produce("t", 0, 3);
    List<ConsumerRecord> got = await(pending);
    assertTrue(!got.isEmpty() && got.get(0).offset() == 0, "woken by the append: " + got);
  }

  @Test
  void latestSkipsWhatIsThereEarliestReadsIt() {
    createTopic("t", 1);
    produce("t", 0, 10);
    Consumer latest = consumer(OffsetReset.LATEST);
    await(latest.assign(List.of(T0)));
    assertEquals(10L, await(latest.position(T0)));
    Consumer earliest = consumer(OffsetReset.EARLIEST);
    await(earliest.assign(List.of(T0)));
    assertEquals(0L, await(earliest.position(T0)));
  }

  @Test
  void resetNoneWithoutCommittedOffsetIsATypedError() {
    createTopic("t", 1);
    produce("t", 0, 3);
    Consumer c = topics.createConsumer(new ConsumerOptions().setGroupId("g").setAutoOffsetReset(OffsetReset.NONE));
    await(c.assign(List.of(T0)));
    awaitFailure(c.poll(Duration.ofSeconds(5)), ErrorCode.OFFSET_OUT_OF_RANGE);
    await(c.seek(T0, 1));
    assertEquals("v1", pollUntil(c, 1).get(0).valueAsString());
  }

  @Test
  void streamWithBackPressureDeliversExactlyWhatWasAskedFor() {
    createTopic("t", 2);
    produce("t", 0, 30);
    produce("t", 1, 30);
    Consumer c = consumer(OffsetReset.EARLIEST);
    List<ConsumerRecord> got = new CopyOnWriteArrayList<>();
    c.pause();
    c.handler(got::add);
    await(c.assign(List.of(T0, T1)));
    eventually("prefetch", () -> await(c.lag()).values().stream().mapToLong(Long::longValue).sum() == 60);
    c.fetch(7);
    eventually("7 records", () -> got.size() == 7);
    // Nothing more arrives until more is asked for (a bounded wait: proving an absence needs one).
    awaitTimer(200);
    assertEquals(7, got.size());
    c.fetch(13);
    eventually("20 records", () -> got.size() == 20);
    c.resume();
    eventually("all", () -> got.size() == 60);
    long[] next = new long[2];
    for (ConsumerRecord r : got) {
      assertEquals(next[r.partition()]++, r.offset());
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    c.exceptionHandler(failure::set);
    awaitFailure(c.poll(Duration.ZERO), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void pausedPartitionsStopWhileOthersContinue() {
    createTopic("t", 2);
    Consumer c = consumer(OffsetReset.EARLIEST);
    await(c.assign(List.of(T0, T1)));
    c.pause(List.of(T0));
    assertEquals(Set.of(T0), await(c.paused()));
    produce("t", 0, 5);
    produce("t", 1, 5);
    List<ConsumerRecord> got = pollUntil(c, 5);
    assertTrue(got.stream().allMatch(r -> r.partition() == 1), "only the running partition: " + got);
    assertTrue(await(c.poll(Duration.ofMillis(200))).isEmpty());
    c.resume(List.of(T0));
    assertTrue(pollUntil(c, 5).stream().allMatch(r -> r.partition() == 0));
  }

  @Test
  void seekByOffsetBeginningEndAndTimestamp() {
    createTopic("t", 1);
    var producer = topics.createProducer(new ProducerOptions().setLingerMs(0));
    for (int i = 0; i < 10; i++) {
      await(producer.send("t", 0, Message.of("v" + i).withTimestamp(1000L * i)));
    }
    Consumer c = consumer(OffsetReset.LATEST);
    await(c.assign(List.of(T0)));
    await(c.seek(T0, 4));
    assertEquals(List.of(4L, 5L), pollUntil(c, 10 - 4).subList(0, 2).stream().map(ConsumerRecord::offset).toList());
    await(c.seekToBeginning(List.of(T0)));
    assertEquals(0L, pollUntil(c, 1).get(0).offset());
    await(c.seekToEnd(List.of(T0)));
    assertEquals(10L, await(c.position(T0)));
    assertEquals(Map.of(T0, 3L), await(c.offsetsForTimes(Map.of(T0, 2500L))));
    assertEquals(Map.of(T0, 0L), await(c.offsetsForTimes(Map.of(T0, 0L))));
    assertEquals(Map.of(), await(c.offsetsForTimes(Map.of(T0, 99_999L))), "no record that late");
    await(c.seekToTimestamp(List.of(T0), 7000));
    assertEquals("v7", pollUntil(c, 1).get(0).valueAsString());
    await(c.seekToTimestamp(List.of(T0), 99_999));
    assertEquals(10L, await(c.position(T0)));
    assertEquals(Map.of(T0, 0L), await(c.beginningOffsets(List.of(T0))));
    assertEquals(Map.of(T0, 10L), await(c.endOffsets(List.of(T0))));
  }

  @Test
  void badConsumerCallsFailWithTypedErrorsAndChangeNothing() {
    createTopic("t", 2);
    produce("t", 0, 5);
    Consumer c = consumer(OffsetReset.EARLIEST);
    awaitFailure(c.assign(List.of(new TopicPartition("missing", 0))), ErrorCode.UNKNOWN_TOPIC);
    awaitFailure(c.assign(List.of(T0, new TopicPartition("t", 2))), ErrorCode.UNKNOWN_PARTITION);
    awaitFailure(c.assign(List.of(new TopicPartition("bad name", 0))), ErrorCode.INVALID_NAME);
    assertEquals(Set.of(), await(c.assignment()), "a refused assign changes nothing");
    awaitFailure(c.subscribe(List.of("t")), ErrorCode.INVALID_ARGUMENT);
    await(c.assign(List.of(T0)));
    awaitFailure(c.seek(T0, -1), ErrorCode.INVALID_ARGUMENT);
    OffsetOutOfRangeException tooFar = (OffsetOutOfRangeException) awaitFailure(c.seek(T0, 6), ErrorCode.OFFSET_OUT_OF_RANGE);
    assertEquals(5, tooFar.endOffset());
    awaitFailure(c.seek(T1, 0), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(c.position(T1), ErrorCode.INVALID_ARGUMENT);
    assertEquals(0L, await(c.position(T0)), "refused seeks did not move the position");
    awaitFailure(c.commit(), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(c.poll(Duration.ofMillis(-1)), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(c.offsetsForTimes(Map.of(new TopicPartition("missing", 0), 0L)), ErrorCode.UNKNOWN_TOPIC);
    await(c.close());
    awaitFailure(c.poll(Duration.ZERO), ErrorCode.STORE_CLOSED);
  }

  @Test
  void manualAssignmentCommitsToItsGroup() {
    createTopic("t", 2);
    produce("t", 0, 10);
    Consumer c = topics.createConsumer(new ConsumerOptions().setGroupId("manual").setAutoCommit(false)
        .setAutoOffsetReset(OffsetReset.EARLIEST));
    await(c.assign(List.of(T0)));
    pollUntil(c, 4);
    assertNull(await(c.committed(T0)));
    await(c.commit(Map.of(T0, 4L)));
    assertEquals(4L, await(c.committed(T0)));
    awaitFailure(c.commit(Map.of(T0, 11L)), ErrorCode.OFFSET_OUT_OF_RANGE);
    awaitFailure(c.commit(Map.of(T0, -1L)), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(c.commit(Map.of(new TopicPartition("t", 9), 0L)), ErrorCode.UNKNOWN_PARTITION);
    assertEquals(4L, await(c.committed(T0)), "refused commits changed nothing");
    await(c.close());
    Consumer again = topics.createConsumer(new ConsumerOptions().setGroupId("manual").setAutoOffsetReset(OffsetReset.LATEST));
    await(again.assign(List.of(T0)));
    assertEquals(4L, await(again.position(T0)), "a new consumer resumes at the committed offset");
    assertEquals("v4", pollUntil(again, 1).get(0).valueAsString());
  }

  @Test
  void autoCommitCommitsOnlyHandledRecords() {
    createTopic("t", 1);
    produce("t", 0, 10);
    Consumer c = topics.createConsumer(new ConsumerOptions().setGroupId("auto").setAutoCommitIntervalMs(50)
        .setAutoOffsetReset(OffsetReset.EARLIEST).setMaxPollRecords(4));
    await(c.assign(List.of(T0)));
    List<ConsumerRecord> first = pollUntil(c, 1);
    long handedOut = first.get(first.size() - 1).offset() + 1;
    // The records of this poll are not handled until the next poll: nothing may be committed yet.
    await(c.poll(Duration.ZERO).recover(e -> io.vertx.core.Future.succeededFuture(Collections.emptyList())));
    eventually("auto-commit of the first poll", () -> Long.valueOf(handedOut).equals(await(c.committed(T0))));
    await(c.close());
  }

  @Test
  void atMostOnceCommitsBeforeHandingOver() {
    createTopic("t", 1);
    produce("t", 0, 10);
    Consumer c = topics.createConsumer(new ConsumerOptions().setGroupId("amo").setDeliverySemantics(DeliverySemantics.AT_MOST_ONCE)
        .setAutoOffsetReset(OffsetReset.EARLIEST).setMaxPollRecords(3));
    await(c.assign(List.of(T0)));
    List<ConsumerRecord> got = await(c.poll(Duration.ofSeconds(5)));
    assertTrue(!got.isEmpty());
    long next = got.get(got.size() - 1).offset() + 1;
    assertEquals(next, await(c.committed(T0)), "committed before the records were handed over");
    Consumer s = topics.createConsumer(new ConsumerOptions().setGroupId("amo2").setDeliverySemantics(DeliverySemantics.AT_MOST_ONCE)
        .setAutoOffsetReset(OffsetReset.EARLIEST).setMaxPollRecords(3));
    List<ConsumerRecord> streamed = new CopyOnWriteArrayList<>();
    s.pause();
    s.handler(streamed::add);
    await(s.assign(List.of(T0)));
    s.fetch(1);
    eventually("first record", () -> streamed.size() == 1);
    assertTrue(await(s.committed(T0)) > streamed.get(0).offset(), "the first record was committed before its handler ran");
    s.resume();
    eventually("all streamed", () -> streamed.size() == 10);
    assertEquals(10L, await(s.committed(T0)));
  }
}
