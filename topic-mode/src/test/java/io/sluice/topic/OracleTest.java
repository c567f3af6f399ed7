package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many producers and a consumer group on many partitions, checked against an oracle built from what the
 * producers were told ({@link RecordMetadata}): every acknowledged record is delivered exactly once
 * (the group is stable while producing), with the value that was sent, in offset order per partition,
 * and in send order per key.
 */
class OracleTest extends TopicsTestBase {

  private static final int PARTITIONS = 8;
  private static final int PRODUCERS = 4;
  private static final int PER_PRODUCER = 2500;
  private static final int CONSUMERS = 3;

  private record Delivery(String consumer, TopicPartition tp, long offset, String key, String value) {
  }

  @Test
  void everyRecordDeliveredOnceInOrder() {
    createTopic("oracle", PARTITIONS);
    ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    List<Consumer> consumers = new ArrayList<>();
    for (int i = 0; i < CONSUMERS; i++) {
      String name = "c" + i;
      Consumer c = topics.createConsumer(new ConsumerOptions().setGroupId("oracle").setClientId(name)
          .setAutoOffsetReset(OffsetReset.EARLIEST).setHeartbeatIntervalMs(50).setSessionTimeoutMs(10_000)
          .setFetchMaxWaitMs(100).setMaxPollRecords(200));
      c.handler(r -> deliveries.add(new Delivery(name, r.topicPartition(), r.offset(), r.keyAsString(), r.valueAsString())));
      consumers.add(c);
      await(c.subscribe(List.of("oracle")));
    }
    eventually("stable group owning every partition once", () -> {
      Set<TopicPartition> all = new HashSet<>();
      int owned = 0;
      for (Consumer c : consumers) {
        Set<TopicPartition> mine = await(c.assignment());
        if (mine.isEmpty()) {
          return false;
        }
        all.addAll(mine);
        owned += mine.size();
      }
      return all.size() == PARTITIONS && owned == PARTITIONS;
    });

    Map<TopicPartition, Map<Long, String>> oracle = new ConcurrentHashMap<>();
    Map<String, List<Long>> offsetsPerKeyInSendOrder = new ConcurrentHashMap<>();
    List<List<Future<RecordMetadata>>> sent = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      Producer producer = topics.createProducer(new ProducerOptions().setClientId("p" + p).setLingerMs(2));
      List<Future<RecordMetadata>> mine = new ArrayList<>();
      for (int i = 0; i < PER_PRODUCER; i++) {
        mine.add(producer.send("oracle", Message.of("p" + p + "-k" + (i % 40), "p" + p + "-" + i)));
      }
      sent.add(mine);
    }
    for (int p = 0; p < PRODUCERS; p++) {
      for (int i = 0; i < PER_PRODUCER; i++) {
        RecordMetadata md = await(sent.get(p).get(i));
        assertEquals(md.partition(), Partitioner.partitionForKey(io.vertx.core.buffer.Buffer.buffer("p" + p + "-k" + (i % 40)), PARTITIONS));
        assertTrue(oracle.computeIfAbsent(md.topicPartition(), k -> new ConcurrentHashMap<>()).put(md.offset(), "p" + p + "-" + i) == null,
            "two sends got the same offset");
        offsetsPerKeyInSendOrder.computeIfAbsent("p" + p + "-k" + (i % 40), k -> new ArrayList<>()).add(md.offset());
      }
    }
    int total = PRODUCERS * PER_PRODUCER;
    eventually("all " + total + " delivered", () -> deliveries.size() >= total);

    Map<TopicPartition, Long> lastOffset = new ConcurrentHashMap<>();
    Map<TopicPartition, String> ownerSeen = new ConcurrentHashMap<>();
    Map<String, Long> lastOffsetPerKey = new ConcurrentHashMap<>();
    Set<String> seen = new HashSet<>();
    AtomicInteger duplicates = new AtomicInteger();
    for (Delivery d : deliveries) {
      if (!seen.add(d.tp + "@" + d.offset)) {
        duplicates.incrementAndGet();
      }
      assertEquals(oracle.get(d.tp).get(d.offset), d.value, "value at " + d.tp + "@" + d.offset);
      Long prev = lastOffset.put(d.tp, d.offset);
      assertTrue(prev == null || d.offset == prev + 1, "partition " + d.tp + " out of order: " + prev + " then " + d.offset);
      assertEquals(ownerSeen.computeIfAbsent(d.tp, k -> d.consumer), d.consumer, "one owner per partition while stable");
      Long prevKey = lastOffsetPerKey.put(d.key, d.offset);
      assertTrue(prevKey == null || prevKey < d.offset, "key " + d.key + " out of send order");
    }
    assertEquals(0, duplicates.get(), "no duplicates without rebalances");
    assertEquals(total, seen.size());
    offsetsPerKeyInSendOrder.values().forEach(offsets -> {
      for (int i = 1; i < offsets.size(); i++) {
        assertTrue(offsets.get(i - 1) < offsets.get(i), "a key's sends are stored in send order");
      }
    });
  }
}
