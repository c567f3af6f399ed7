package io.sluice.topic.internal;

import io.sluice.topic.AssignmentStrategy;
import io.sluice.topic.TopicPartition;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Balanced and sticky: every partition still valid stays with its previous owner, new or orphaned
 * partitions go to the least-loaded eligible member, then partitions move one at a time from the most
 * loaded member to an eligible member with at least two fewer, until no such move exists. Each move
 * lowers the sum of squared loads, so the loop ends; with equal subscriptions the result is balanced to
 * within one partition, moving only what balance requires. Stateless.
 */
public final class StickyAssignor implements AssignmentStrategy {

  @Override
  public String name() {
    return "sticky";
  }

  @Override
  public Map<String, List<TopicPartition>> assign(Map<String, Set<String>> subscriptions, Map<String, Integer> partitionsPerTopic,
      Map<String, List<TopicPartition>> previous) {
    Map<String, List<TopicPartition>> out = Assignments.emptyFor(subscriptions);
    List<TopicPartition> all = Assignments.allPartitions(subscriptions, partitionsPerTopic);
    Set<TopicPartition> valid = new HashSet<>(all);
    Set<TopicPartition> taken = new HashSet<>();
    for (Map.Entry<String, List<TopicPartition>> e : out.entrySet()) {
      Set<String> topics = subscriptions.get(e.getKey());
      for (TopicPartition tp : previous.getOrDefault(e.getKey(), List.of())) {
        if (valid.contains(tp) && topics.contains(tp.topic()) && taken.add(tp)) {
          e.getValue().add(tp);
        }
      }
    }
    for (TopicPartition tp : all) {
      if (!taken.contains(tp)) {
        String best = null;
        for (Map.Entry<String, List<TopicPartition>> e : out.entrySet()) {
          if (subscriptions.get(e.getKey()).contains(tp.topic())
              && (best == null || e.getValue().size() < out.get(best).size())) {
            best = e.getKey();
          }
        }
        if (best != null) {
          out.get(best).add(tp);
        }
      }
    }
    boolean moved = true;
    while (moved) {
      moved = false;
      for (Map.Entry<String, List<TopicPartition>> from : out.entrySet()) {
        for (int i = from.getValue().size() - 1; i >= 0 && !moved; i--) {
          TopicPartition tp = from.getValue().get(i);
          for (Map.Entry<String, List<TopicPartition>> to : out.entrySet()) {
            if (to.getValue().size() + 1 < from.getValue().size() && subscriptions.get(to.getKey()).contains(tp.topic())) {
              from.getValue().remove(i);
              to.getValue().add(tp);
              moved = true;
              break;
            }
          }
        }
        if (moved) {
          break;
        }
      }
    }
    out.values().forEach(l -> l.sort(null));
    return out;
  }
}
