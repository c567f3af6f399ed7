package io.sluice.topic.internal;

import io.sluice.api.Message;
import io.sluice.topic.Partitioner;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Keyed messages by murmur2; keyless ones to partitions 0, 1, 2, ... in turn, per topic. Thread-safe. */
public final class RoundRobinPartitioner implements Partitioner {

  private final Map<String, AtomicInteger> next = new ConcurrentHashMap<>();

  @Override
  public int partition(String topic, Message message, int partitions) {
    if (message.key() != null) {
      return Murmur2.partition(message.key().getBytes(), partitions);
    }
    int n = next.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement();
    return (n & 0x7fffffff) % partitions;
  }
}
