package io.sluice.topic;

import io.sluice.api.Message;
import io.sluice.topic.internal.Murmur2;
import io.sluice.topic.internal.StickyPartitioner;
import io.sluice.topic.internal.RoundRobinPartitioner;
import io.vertx.core.buffer.Buffer;

/**
 * Chooses the partition of a message sent without an explicit partition.
 *
 * <p>The built-ins hash a message's key exactly as Kafka's producer does
 * ({@code toPositive(murmur2(keyBytes)) % partitions}), so a key lands on the partition number Kafka
 * would choose for the same partition count; they differ for keyless messages: {@link #sticky()} (the
 * default, Kafka's uniform sticky partitioner) fills one batch per partition before moving on,
 * {@link #roundRobin()} spreads message by message.
 *
 * <p>Thread contract: a producer calls its partitioner on its own context only; a partitioner shared by
 * several producers must be thread-safe (the built-ins are).
 */
public interface Partitioner {

  /**
   * @param partitions the topic's current partition count (at least 1)
   * @return a partition in {@code [0, partitions)}
   */
  int partition(String topic, Message message, int partitions);

  /**
   * The producer closed a batch for {@code previousPartition} of {@code topic}: a sticky partitioner
   * moves keyless messages to another partition now.
   */
  default void onNewBatch(String topic, int partitions, int previousPartition) {
  }

  /** Keyed messages by key hash; keyless ones stick to one partition per batch. The default. */
  static Partitioner sticky() {
    return new StickyPartitioner();
  }

  /** Keyed messages by key hash; keyless ones round-robin over the partitions, one message at a time. */
  static Partitioner roundRobin() {
    return new RoundRobinPartitioner();
  }

  /** Kafka's murmur2 hash ({@code org.apache.kafka.common.utils.Utils.murmur2}). */
  static int murmur2(byte[] data) {
    return Murmur2.hash(data);
  }

  /** The partition Kafka's default partitioner gives a key: {@code (murmur2(key) & 0x7fffffff) % partitions}. */
  static int partitionForKey(Buffer key, int partitions) {
    return Murmur2.partition(key.getBytes(), partitions);
  }
}
