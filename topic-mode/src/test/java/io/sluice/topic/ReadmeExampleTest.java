package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.Message;
import io.sluice.api.store.FsyncPolicy;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example of topic-mode/README.md, kept compiling and passing (the README shows the body of {@link #example}). */
class ReadmeExampleTest extends TopicsTestBase {

  @Test
  void readmeExampleRuns() {
    assertEquals(List.of(0L, 1L, 2L), await(example(topics)));
  }

  static Future<List<Long>> example(Topics topics) {
    // --- README begin
    Producer producer = topics.createProducer(new ProducerOptions().setLingerMs(5));
    Consumer consumer = topics.createConsumer(new ConsumerOptions()
        .setGroupId("billing")
        .setAutoOffsetReset(OffsetReset.EARLIEST)
        .setAutoCommit(false));
    TopicPartition p0 = new TopicPartition("orders", 0);

    return topics.createTopic("orders", new TopicConfig()
            .setPartitions(3)
            .setRetentionMs(7L * 24 * 3600 * 1000)
            .setFsync(FsyncPolicy.always()))
        // Keyed messages land on the partition Kafka would choose for the key.
        .compose(t -> Future.all(
            producer.send("orders", 0, Message.of("order-1", "{\"total\": 12}")),
            producer.send("orders", 0, Message.of("order-2", "{\"total\": 30}")),
            producer.send("orders", 0, Message.of("order-3", "{\"total\": 7}"))))
        .compose(sent -> consumer.subscribe(List.of("orders")))
        .compose(v -> consumer.poll(Duration.ofSeconds(1)))
        .compose(records -> {
          records.forEach(r -> System.out.println(r.topicPartition() + "@" + r.offset() + " " + r.valueAsString()));
          return consumer.commit();                          // durable once this completes
        })
        .compose(v -> consumer.seek(p0, 0))                  // rewind partition 0
        .compose(v -> consumer.poll(Duration.ofSeconds(1)))
        .map(again -> again.stream().filter(r -> r.partition() == 0).map(ConsumerRecord::offset).toList())
        .eventually(() -> Future.all(consumer.close(), producer.close()));
    // --- README end
  }
}
