package io.sluice.topic;

import io.sluice.topic.internal.RangeAssignor;
import io.sluice.topic.internal.RoundRobinAssignor;
import io.sluice.topic.internal.StickyAssignor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Divides the partitions of the subscribed topics among the members of a consumer group.
 *
 * <p>Where it runs: the group's coordinator computes the assignment when a rebalance completes (so a
 * rebalance is one round trip per member instead of Kafka's two). A consumer names the strategies it
 * accepts ({@link ConsumerOptions#setAssignmentStrategies}); the coordinator knows the built-ins and
 * those registered in {@link TopicsOptions#addAssignmentStrategy}, and uses the first strategy in the
 * oldest member's list that every member accepts.
 *
 * <p>Contract: deterministic for the same inputs; every partition of a topic is given to at most one
 * member, and only to a member subscribed to that topic; called on the coordinator's context, must not block.
 */
public interface AssignmentStrategy {

  /** The name consumers ask for, e.g. {@code range}. */
  String name();

  /**
   * @param subscriptions      member id to the topics it subscribes to
   * @param partitionsPerTopic partition count of every subscribed topic that exists
   * @param previous           member id to the partitions it owned in the last generation (empty at first)
   * @return member id to its partitions (every member present, possibly with an empty list)
   */
  Map<String, List<TopicPartition>> assign(Map<String, Set<String>> subscriptions, Map<String, Integer> partitionsPerTopic,
      Map<String, List<TopicPartition>> previous);

  /** Kafka's range: per topic, consecutive ranges of partitions to members sorted by id. */
  static AssignmentStrategy range() {
    return new RangeAssignor();
  }

  /** Kafka's round-robin: all partitions, sorted, dealt to members in turn. */
  static AssignmentStrategy roundRobin() {
    return new RoundRobinAssignor();
  }

  /** Balanced like round-robin, but keeps each partition with its previous owner where balance allows. */
  static AssignmentStrategy sticky() {
    return new StickyAssignor();
  }
}
