package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest extends TopicsTestBase {

  @Test
  void produceAndConsume() {
    createTopic("orders", 2);
    List<RecordMetadata> sent = produce("orders", 1, 10);
    assertEquals(9, sent.get(9).offset());
    Consumer c = topics.createConsumer(new ConsumerOptions().setAutoOffsetReset(OffsetReset.EARLIEST));
    await(c.assign(List.of(new TopicPartition("orders", 1))));
    List<ConsumerRecord> got = pollUntil(c, 10);
    assertEquals("v0", got.get(0).valueAsString());
    assertEquals("v9", got.get(9).valueAsString());
    await(c.close());
  }
}
