package io.sluice.topic;

import io.sluice.api.Durability;

/**
 * Where a sent message was stored: its topic, partition and offset, its timestamp (the message's own,
 * or the time the producer stamped it with), and the durability level the append reached.
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp, Durability durability) {

  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }
}
