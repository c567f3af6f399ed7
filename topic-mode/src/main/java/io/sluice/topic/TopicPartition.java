package io.sluice.topic;

import io.sluice.api.Names;
import java.util.Objects;

/** One partition of a topic: the unit of order, of assignment to a consumer, and of committed offsets. */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {

  public TopicPartition {
    Objects.requireNonNull(topic, "topic");
  }

  /** Checks the topic name and that the partition is not negative (whether it exists is checked by the call using it). */
  public TopicPartition validate() {
    Names.validate("topic", topic);
    if (partition < 0) {
      throw new io.sluice.api.InvalidArgumentException("partition must be >= 0, got " + partition + " for topic '" + topic + "'");
    }
    return this;
  }

  @Override
  public int compareTo(TopicPartition o) {
    int c = topic.compareTo(o.topic);
    return c != 0 ? c : Integer.compare(partition, o.partition);
  }

  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
