package io.sluice.topic;

import io.sluice.api.Header;
import io.sluice.api.Record;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Objects;

/**
 * A record as a consumer receives it: the stored {@link Record} plus the topic it came from (a consumer
 * may read several topics, and {@code Record} only knows its partition).
 */
public final class ConsumerRecord {

  private final String topic;
  private final Record record;

  public ConsumerRecord(String topic, Record record) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.record = Objects.requireNonNull(record, "record");
  }

  public String topic() {
    return topic;
  }

  public int partition() {
    return record.partition();
  }

  public long offset() {
    return record.offset();
  }

  public long timestamp() {
    return record.timestamp();
  }

  /** The key, or null. */
  public Buffer key() {
    return record.key();
  }

  /** The value, or null for a tombstone. */
  public Buffer value() {
    return record.value();
  }

  public List<Header> headers() {
    return record.headers();
  }

  /** The first header with this name, or null. */
  public Header header(String name) {
    return record.header(name);
  }

  public String keyAsString() {
    return record.keyAsString();
  }

  public String valueAsString() {
    return record.valueAsString();
  }

  public TopicPartition topicPartition() {
    return new TopicPartition(topic, record.partition());
  }

  /** The stored record (its partition is set, it has no topic). */
  public Record record() {
    return record;
  }

  @Override
  public String toString() {
    return "ConsumerRecord{topic=" + topic + ", partition=" + partition() + ", offset=" + offset() + ", key="
        + keyAsString() + "}";
  }
}
