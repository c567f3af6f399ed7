package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AssignmentStrategyTest {

  private static final List<AssignmentStrategy> ALL = List.of(AssignmentStrategy.range(), AssignmentStrategy.roundRobin(),
      AssignmentStrategy.sticky());

  @Test
  void rangeGivesConsecutiveRangesPerTopic() {
    Map<String, Set<String>> subs = Map.of("a", Set.of("t", "u"), "b", Set.of("t", "u"));
    Map<String, List<TopicPartition>> out = AssignmentStrategy.range().assign(subs, Map.of("t", 3, "u", 2), Map.of());
    assertEquals(List.of(tp("t", 0), tp("t", 1), tp("u", 0)), out.get("a"));
    assertEquals(List.of(tp("t", 2), tp("u", 1)), out.get("b"));
  }

  @Test
  void roundRobinDealsInTurn() {
    Map<String, Set<String>> subs = Map.of("a", Set.of("t", "u"), "b", Set.of("t", "u"));
    Map<String, List<TopicPartition>> out = AssignmentStrategy.roundRobin().assign(subs, Map.of("t", 3, "u", 2), Map.of());
    assertEquals(List.of(tp("t", 0), tp("t", 2), tp("u", 1)), out.get("a"));
    assertEquals(List.of(tp("t", 1), tp("u", 0)), out.get("b"));
  }

  @Test
  void stickyKeepsOwnersWhenAMemberJoins() {
    Map<String, Set<String>> two = Map.of("a", Set.of("t"), "b", Set.of("t"));
    Map<String, List<TopicPartition>> before = AssignmentStrategy.sticky().assign(two, Map.of("t", 6), Map.of());
    Map<String, Set<String>> three = Map.of("a", Set.of("t"), "b", Set.of("t"), "c", Set.of("t"));
    Map<String, List<TopicPartition>> after = AssignmentStrategy.sticky().assign(three, Map.of("t", 6), before);
    for (String m : List.of("a", "b", "c")) {
      assertEquals(2, after.get(m).size(), "balanced: " + after);
    }
    int moved = 0;
    for (String m : List.of("a", "b")) {
      for (TopicPartition p : before.get(m)) {
        if (!after.get(m).contains(p)) {
          moved++;
        }
      }
    }
    assertEquals(2, moved, "only the two partitions the new member needs move: " + before + " -> " + after);
  }

  /** Random groups: every strategy assigns each partition once, only to subscribers, all members present. */
  @Test
  void everyStrategyIsAValidAssignmentOnRandomGroups() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      Map<String, Integer> counts = new TreeMap<>();
      int topicCount = 1 + random.nextInt(4);
      for (int t = 0; t < topicCount; t++) {
        counts.put("t" + t, 1 + random.nextInt(12));
      }
      Map<String, Set<String>> subs = new TreeMap<>();
      int members = 1 + random.nextInt(6);
      boolean homogeneous = random.nextBoolean();
      for (int m = 0; m < members; m++) {
        Set<String> ts = new HashSet<>();
        for (String t : counts.keySet()) {
          if (homogeneous || random.nextBoolean()) {
            ts.add(t);
          }
        }
        if (ts.isEmpty()) {
          ts.add("t0");
        }
        subs.put("m" + m, ts);
      }
      Map<String, List<TopicPartition>> previous = new HashMap<>();
      for (AssignmentStrategy s : ALL) {
        Map<String, List<TopicPartition>> out = s.assign(subs, counts, previous);
        check(s, subs, counts, out, homogeneous);
        previous = out;
      }
    }
  }

  private static void check(AssignmentStrategy s, Map<String, Set<String>> subs, Map<String, Integer> counts,
      Map<String, List<TopicPartition>> out, boolean homogeneous) {
    assertEquals(subs.keySet(), out.keySet(), s.name());
    Set<TopicPartition> seen = new HashSet<>();
    for (Map.Entry<String, List<TopicPartition>> e : out.entrySet()) {
      for (TopicPartition p : e.getValue()) {
        assertTrue(seen.add(p), s.name() + " assigned " + p + " twice: " + out);
        assertTrue(subs.get(e.getKey()).contains(p.topic()), s.name() + " gave " + p + " to a non-subscriber");
      }
    }
    List<TopicPartition> expected = new ArrayList<>();
    Set<String> subscribed = new HashSet<>();
    subs.values().forEach(subscribed::addAll);
    counts.forEach((t, n) -> {
      if (subscribed.contains(t)) {
        for (int p = 0; p < n; p++) {
          expected.add(tp(t, p));
        }
      }
    });
    assertEquals(new HashSet<>(expected), seen, s.name() + " left partitions unassigned");
    if (homogeneous && !s.name().equals("range")) {
      int min = out.values().stream().mapToInt(List::size).min().orElse(0);
      int max = out.values().stream().mapToInt(List::size).max().orElse(0);
      assertTrue(max - min <= 1, s.name() + " unbalanced: " + out);
    }
  }

  private static TopicPartition tp(String t, int p) {
    return new TopicPartition(t, p);
  }
}
