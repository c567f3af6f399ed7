package io.sluice.samples.channels;

import io.sluice.topic.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records of some channels, per partition, in the order they were logged: what the publisher had
 * acknowledged, or what one subscriber received. Comparing the two per partition is the sample's proof.
 *
 * <p>Thread contract: thread-safe (one writer, readers on other event loops).
 */
final class ChannelLog {

  /** One record: where it is stored and what it says. */
  record Entry(long offset, String headline) {
  }

  private static final Comparator<TopicPartition> BY_NAME =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private final Map<TopicPartition, List<Entry>> entries = new TreeMap<>(BY_NAME);

  synchronized void add(TopicPartition partition, long offset, String headline) {
    entries.computeIfAbsent(partition, p -> new ArrayList<>()).add(new Entry(offset, headline));
  }

  synchronized int size() {
    return entries.values().stream().mapToInt(List::size).sum();
  }

  /** Records of these channels only. */
  synchronized int size(List<String> channels) {
    return entries.entrySet().stream().filter(e -> channels.contains(e.getKey().topic()))
        .mapToInt(e -> e.getValue().size()).sum();
  }

  /** The offset after the last record logged, per partition. */
  synchronized Map<TopicPartition, Long> nextOffsets() {
    Map<TopicPartition, Long> next = new TreeMap<>(BY_NAME);
    entries.forEach((p, list) -> next.put(p, list.get(list.size() - 1).offset() + 1));
    return next;
  }

  /** A copy per partition of the channels given, in logged order. */
  synchronized Map<TopicPartition, List<Entry>> snapshot(List<String> channels) {
    Map<TopicPartition, List<Entry>> copy = new TreeMap<>(BY_NAME);
    entries.forEach((p, list) -> {
      if (channels.contains(p.topic())) {
        copy.put(p, new ArrayList<>(list));
      }
    });
    return copy;
  }

  /** As {@link #snapshot}, each partition sorted by offset: what a reader in order must have seen. */
  Map<TopicPartition, List<Entry>> inOffsetOrder(List<String> channels) {
    Map<TopicPartition, List<Entry>> copy = snapshot(channels);
    copy.values().forEach(list -> list.sort(Comparator.comparingLong(Entry::offset)));
    return copy;
  }
}
