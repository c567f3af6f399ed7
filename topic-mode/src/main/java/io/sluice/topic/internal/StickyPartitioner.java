package io.sluice.topic.internal;

import io.sluice.api.Message;
import io.sluice.topic.Partitioner;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;

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
    onNewBatch(topic, partitions, previousPartition, partition -> false);
  }

  /**
   * As {@link #onNewBatch(String, int, int)}, but the next partition is drawn from those that are not
   * {@code busy} (the producer has a batch of theirs in flight or waiting) when there are any. The
   * producer sends one batch per partition at a time, so a batch filled for a busy partition waits a
   * whole round trip before it leaves: under fsync=always that wait was most of a record's tail latency.
   * This is what Kafka's built-in partitioner does with its per-partition queue sizes (KIP-794).
   */
  void onNewBatch(String topic, int partitions, int previousPartition, IntPredicate busy) {
    current.compute(topic, (t, p) -> {
      if (p != null && p != previousPartition) {
        return p;
      }
      if (partitions <= 1) {
        return 0;
      }
      int idle = 0;
      for (int i = 0; i < partitions; i++) {
        if (i != previousPartition && !busy.test(i)) {
          idle++;
        }
      }
      if (idle == 0) {
        int next = ThreadLocalRandom.current().nextInt(partitions - 1);
        return next >= previousPartition ? next + 1 : next;
      }
      int pick = ThreadLocalRandom.current().nextInt(idle);
      for (int i = 0; i < partitions; i++) {
        if (i != previousPartition && !busy.test(i) && pick-- == 0) {
          return i;
        }
      }
      throw new IllegalStateException("busy changed while choosing a partition");
    });
  }
}
