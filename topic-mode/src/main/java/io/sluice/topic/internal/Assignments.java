package io.sluice.topic.internal;

import io.sluice.topic.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Helpers shared by the built-in assignment strategies. Stateless. */
final class Assignments {

  private Assignments() {
  }

  /** An empty list for every member, in member-id order. */
  static Map<String, List<TopicPartition>> emptyFor(Map<String, Set<String>> subscriptions) {
    Map<String, List<TopicPartition>> out = new TreeMap<>();
    subscriptions.keySet().forEach(m -> out.put(m, new ArrayList<>()));
    return out;
  }

  /** Every partition of every topic someone subscribes to, sorted by topic then partition. */
  static List<TopicPartition> allPartitions(Map<String, Set<String>> subscriptions, Map<String, Integer> partitionsPerTopic) {
    TreeMap<String, Integer> topics = new TreeMap<>();
    for (Set<String> ts : subscriptions.values()) {
      for (String t : ts) {
        Integer n = partitionsPerTopic.get(t);
        if (n != null) {
          topics.put(t, n);
        }
      }
    }
    List<TopicPartition> out = new ArrayList<>();
    topics.forEach((t, n) -> {
      for (int p = 0; p < n; p++) {
        out.add(new TopicPartition(t, p));
      }
    });
    return out;
  }
}
