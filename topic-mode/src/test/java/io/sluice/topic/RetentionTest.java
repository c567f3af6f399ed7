package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.PartitionLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionTest extends TopicsTestBase {

  private static final TopicPartition P0 = new TopicPartition("r", 0);

  @Override
  protected TopicsOptions topicsOptions() {
    return super.topicsOptions().setRetentionCheckIntervalMs(50);
  }

  private void createSmallSegments(long retentionMs, long retentionBytes) {
    await(topics.createTopic("r", new TopicConfig().setSegmentBytes(1024).setRetentionMs(retentionMs).setRetentionBytes(retentionBytes)
        .setFsync(FsyncPolicy.never())));
  }

  /** One message per batch (each send awaited), about 140 bytes each: a 1 KiB segment holds about 7. */
  private void produceOneByOne(int count, long timestamp) {
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(0));
    for (int i = 0; i < count; i++) {
      Message m = Message.of("x".repeat(60));
      await(p.send("r", 0, timestamp >= 0 ? m.withTimestamp(timestamp) : m));
    }
    await(p.close());
  }

  private long start() {
    return await(topics.describe("r")).partitions().get(0).startOffset();
  }

  @Test
  void sizeRetentionDropsWholeOldSegments() {
    createSmallSegments(TopicConfig.UNLIMITED, 2048);
    produceOneByOne(100, -1);
    eventually("trimmed by size", () -> start() > 0);
    PartitionLog log = await(store.open("r-0"));
    eventually("down to about the limit", () -> await(log.sizeInBytes()) < 2048 + 1024);
    long size = await(log.sizeInBytes());
    assertTrue(size >= 2048, "never below the limit: " + size);
    long start = start();
    assertEquals(start, await(log.segments()).get(0).baseOffset(), "trimmed at a segment boundary");
    assertEquals(100, await(topics.describe("r")).partitions().get(0).endOffset());
  }

  @Test
  void timeRetentionDropsSegmentsWhoseRecordsAreAllOld() {
    createSmallSegments(60_000, TopicConfig.UNLIMITED);
    produceOneByOne(40, System.currentTimeMillis() - 3_600_000);
    produceOneByOne(20, -1);
    eventually("old segments dropped", () -> start() > 0);
    long start = start();
    assertTrue(start <= 40, "no fresh record dropped: start " + start);
    Consumer c = topics.createConsumer(new ConsumerOptions().setAutoOffsetReset(OffsetReset.EARLIEST));
    await(c.assign(List.of(P0)));
    List<ConsumerRecord> rest = pollUntil(c, (int) (60 - start));
    assertEquals(start, rest.get(0).offset());
    assertEquals(59, rest.get(rest.size() - 1).offset());
  }

  @Test
  void consumerBelowTheStartIsResetByItsPolicy() {
    createSmallSegments(TopicConfig.UNLIMITED, 2048);
    Consumer committer = topics.createConsumer(new ConsumerOptions().setGroupId("slow").setAutoCommit(false));
    produceOneByOne(1, -1);
    await(committer.assign(List.of(P0)));
    await(committer.commit(Map.of(P0, 0L)));
    await(committer.close());
    produceOneByOne(60, -1);
    eventually("trimmed", () -> start() > 0);
    long start = start();

    Consumer earliest = topics.createConsumer(new ConsumerOptions().setGroupId("slow").setAutoOffsetReset(OffsetReset.EARLIEST)
        .setAutoCommit(false));
    await(earliest.assign(List.of(P0)));
    ConsumerRecord first = pollUntil(earliest, 1).get(0);
    assertTrue(first.offset() >= start, "reset to the start: got " + first.offset() + ", start " + start);

    Consumer latest = topics.createConsumer(new ConsumerOptions().setGroupId("slow").setAutoOffsetReset(OffsetReset.LATEST)
        .setAutoCommit(false));
    await(latest.assign(List.of(P0)));
    eventually("reset to the end", () -> Long.valueOf(61).equals(await(latest.position(P0))));

    Consumer none = topics.createConsumer(new ConsumerOptions().setGroupId("slow").setAutoOffsetReset(OffsetReset.NONE)
        .setAutoCommit(false));
    await(none.assign(List.of(P0)));
    awaitFailure(none.poll(Duration.ofSeconds(5)), ErrorCode.OFFSET_OUT_OF_RANGE);
    // An explicit seek below the start is accepted and handled the same way.
    Consumer seeker = topics.createConsumer(new ConsumerOptions().setAutoOffsetReset(OffsetReset.EARLIEST));
    await(seeker.assign(List.of(P0)));
    await(seeker.seek(P0, 0));
    assertTrue(pollUntil(seeker, 1).get(0).offset() >= start);
    await(none.seekToBeginning(List.of(P0)));
    assertTrue(pollUntil(none, 1).get(0).offset() >= start);
  }
}
