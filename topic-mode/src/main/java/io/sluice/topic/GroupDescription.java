package io.sluice.topic;

import java.util.List;
import java.util.Map;

/**
 * A consumer group as its coordinator sees it: its state ({@code empty}, {@code preparing_rebalance},
 * {@code stable}), generation, the assignment strategy in use, each member's partitions, and the
 * committed offsets.
 */
public record GroupDescription(String group, String state, int generation, String strategy,
    Map<String, List<TopicPartition>> members, Map<TopicPartition, Long> committed) {

  public GroupDescription {
    members = Map.copyOf(members);
    committed = Map.copyOf(committed);
  }
}
