package io.sluice.topic.internal;

import io.sluice.topic.AssignmentStrategy;
import io.sluice.topic.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Kafka's range assignor: per topic, members sorted by id get consecutive ranges, the first ones one extra. Stateless. */
public final class RangeAssignor implements AssignmentStrategy {

  @Override
  public String name() {
    return "range";
  }

  @Override
  public Map<String, List<TopicPartition>> assign(Map<String, Set<String>> subscriptions, Map<String, Integer> partitionsPerTopic,
      Map<String, List<TopicPartition>> previous) {
    Map<String, List<TopicPartition>> out = Assignments.emptyFor(subscriptions);
    Map<String, List<String>> membersPerTopic = new TreeMap<>();
    for (Map.Entry<String, Set<String>> e : new TreeMap<>(subscriptions).entrySet()) {
      for (String topic : new TreeSet<>(e.getValue())) {
        membersPerTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(e.getKey());
      }
    }
    membersPerTopic.forEach((topic, members) -> {
      Integer n = partitionsPerTopic.get(topic);
      if (n == null) {
        return;
      }
      int per = n / members.size();
      int extra = n % members.size();
      for (int i = 0; i < members.size(); i++) {
        int start = i * per + Math.min(i, extra);
        int len = per + (i < extra ? 1 : 0);
        for (int p = start; p < start + len; p++) {
          out.get(members.get(i)).add(new TopicPartition(topic, p));
        }
      }
    });
    return out;
  }
}
