package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.Message;
import io.sluice.api.RecordBatch;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node restart: records, topic settings, committed offsets and producer deduplication survive closing
 * {@link Topics} and opening it again over the same data. On the memory store "restart" keeps the store
 * instance; a durable variant overrides {@link #newStore} and {@link #reopenStoreOnRestart()} to reopen
 * the store from disk.
 */
public class RestartTest extends TopicsTestBase {

  @Test
  void recordsAndCommittedOffsetsSurvive() {
    createTopic("orders", 3);
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(1));
    for (int i = 0; i < 300; i++) {
      p.send("orders", Message.of("key-" + (i % 17), "value-" + i));
    }
    await(p.flush());
    Consumer c = topics.createConsumer(new ConsumerOptions().setGroupId("billing").setAutoCommit(false)
        .setAutoOffsetReset(OffsetReset.EARLIEST).setHeartbeatIntervalMs(50).setSessionTimeoutMs(2000));
    await(c.subscribe(List.of("orders")));
    pollUntil(c, 120);
    await(c.commit());
    Map<TopicPartition, Long> committed = await(c.committed(await(c.assignment())));
    TopicDescription before = await(topics.describe("orders"));

    restart();

    assertEquals(before, await(topics.describe("orders")));
    Consumer again = topics.createConsumer(new ConsumerOptions().setGroupId("billing").setAutoOffsetReset(OffsetReset.LATEST)
        .setHeartbeatIntervalMs(50).setSessionTimeoutMs(2000));
    await(again.subscribe(List.of("orders")));
    assertEquals(committed, await(again.committed(committed.keySet())));
    long remaining = 300 - committed.values().stream().mapToLong(Long::longValue).sum();
    List<ConsumerRecord> rest = pollUntil(again, (int) remaining);
    assertEquals(remaining, rest.size(), "exactly the uncommitted records are read after the restart");
    for (ConsumerRecord r : rest) {
      assertEquals(true, r.offset() >= committed.get(r.topicPartition()));
    }
    Consumer reader = topics.createConsumer(new ConsumerOptions().setAutoOffsetReset(OffsetReset.EARLIEST));
    await(reader.assign(List.of(new TopicPartition("orders", 0), new TopicPartition("orders", 1), new TopicPartition("orders", 2))));
    assertEquals(300, pollUntil(reader, 300).stream().map(ConsumerRecord::valueAsString).distinct().count());
  }

  @Test
  void producerDeduplicationSurvives() {
    createTopic("t", 1);
    RecordBatch batch = RecordBatch.builder().producer(1234, (short) 0, 0).add(Message.of("once")).build();
    Buffer copy = batch.buffer().copy();
    long first = await(vertx.eventBus().<Buffer>request("sluice.topic.t.0", batch, new DeliveryOptions().addHeader("op", "produce")))
        .body().getLong(0);
    restart();
    long retried = await(vertx.eventBus().<Buffer>request("sluice.topic.t.0", RecordBatch.wrap(copy),
        new DeliveryOptions().addHeader("op", "produce"))).body().getLong(0);
    assertEquals(first, retried);
    assertEquals(1, await(topics.describe("t")).partitions().get(0).endOffset());
  }
}
