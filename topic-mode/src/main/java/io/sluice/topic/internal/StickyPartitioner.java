package io.sluice.topic.internal;

import io.sluice.api.Message;
import io.sluice.topic.Partitioner;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Kafka's default: keyed messages by murmur2, keyless ones stick to one partition until the producer
 * closes a batch for it, then move to another at random (so batches fill up instead of being spread
 * thin). Thread-safe.
 */
public final class StickyPartitioner implements Partitioner {

  private final Map<String, Integer> current = new ConcurrentHashMap<>();

  @Override
  public int partition(String topic, Message message, int partitions) {
    if (message.key() != null) {
      return Murmur2.partition(message.key().getBytes(), partitions);
    }
    Integer p = current.get(topic);
    if (p == null || p >= partitions) {
      p = ThreadLocalRandom.current().nextInt(partitions);
      current.put(topic, p);
    }
    return p;
  }

  @Override
  public void onNewBatch(String topic, int partitions, int previousPartition) {
    current.compute(topic, (t, p) -> {
      if (p != null && p != previousPartition) {
        return p;
      }
      if (partitions <= 1) {
        return 0;
      }
      int next = ThreadLocalRandom.current().nextInt(partitions - 1);
      return next >= previousPartition ? next + 1 : next;
    });
  }
}
