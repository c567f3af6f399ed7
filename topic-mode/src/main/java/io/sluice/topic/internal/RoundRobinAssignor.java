package io.sluice.topic.internal;

import io.sluice.topic.AssignmentStrategy;
import io.sluice.topic.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kafka's round-robin assignor: all partitions sorted, dealt to members sorted by id in turn, skipping a
 * member not subscribed to the partition's topic. Stateless.
 */
public final class RoundRobinAssignor implements AssignmentStrategy {

  @Override
  public String name() {
    return "roundrobin";
  }

  @Override
  public Map<String, List<TopicPartition>> assign(Map<String, Set<String>> subscriptions, Map<String, Integer> partitionsPerTopic,
      Map<String, List<TopicPartition>> previous) {
    Map<String, List<TopicPartition>> out = Assignments.emptyFor(subscriptions);
    List<String> members = new ArrayList<>(out.keySet());
    if (members.isEmpty()) {
      return out;
    }
    int next = 0;
    for (TopicPartition tp : Assignments.allPartitions(subscriptions, partitionsPerTopic)) {
      for (int tries = 0; tries < members.size(); tries++) {
        String m = members.get(next);
        next = (next + 1) % members.size();
        if (subscriptions.get(m).contains(tp.topic())) {
          out.get(m).add(tp);
          break;
        }
      }
    }
    return out;
  }
}
