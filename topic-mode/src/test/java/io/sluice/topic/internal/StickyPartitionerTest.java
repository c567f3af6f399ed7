package io.sluice.topic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StickyPartitionerTest {

  @Test
  void aNewBatchGoesToAPartitionWithNothingInFlight() {
    StickyPartitioner p = new StickyPartitioner();
    Set<Integer> chosen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int previous = p.partition("t", Message.of("x"), 6);
      // Busy: the previous partition's neighbours; idle: the other three.
      Set<Integer> busy = Set.of((previous + 1) % 6, (previous + 2) % 6);
      p.onNewBatch("t", 6, previous, busy::contains);
      int next = p.partition("t", Message.of("x"), 6);
      assertNotEquals(previous, next);
      assertTrue(!busy.contains(next), "moved to busy partition " + next + " while others were idle");
      chosen.add((next - previous + 6) % 6);
    }
    assertEquals(Set.of(3, 4, 5), chosen, "every idle partition is drawn");
  }

  @Test
  void whenEveryOtherPartitionIsBusyItStillMovesOn() {
    StickyPartitioner p = new StickyPartitioner();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int previous = p.partition("t", Message.of("x"), 4);
      p.onNewBatch("t", 4, previous, partition -> true);
      int next = p.partition("t", Message.of("x"), 4);
      assertNotEquals(previous, next);
      seen.add(next);
    }
    assertEquals(4, seen.size());
  }
}
