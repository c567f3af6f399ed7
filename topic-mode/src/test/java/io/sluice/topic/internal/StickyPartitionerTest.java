package io.sluice.topic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

class StickyPartitionerTest {

  @Test
  void aNewBatchGoesToAPartitionWithNothingInFlight() {
    // Busy: the previous partition's two successors; idle: the other three.
    Set<Integer> steps = moves(6, (previous, partition) -> partition == (previous + 1) % 6 || partition == (previous + 2) % 6);
    assertEquals(Set.of(3, 4, 5), steps, "every idle partition is drawn, no busy one");
  }

  @Test
  void whenEveryOtherPartitionIsBusyItStillMovesOn() {
    assertEquals(Set.of(1, 2, 3), moves(4, (previous, partition) -> true));
  }

  /** The distances (modulo {@code partitions}) the sticky partition moved by over 200 new batches. */
  private static Set<Integer> moves(int partitions, BiPredicate<Integer, Integer> busy) {
    StickyPartitioner p = new StickyPartitioner();
    Set<Integer> steps = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int previous = p.partition("t", Message.of("x"), partitions);
      p.onNewBatch("t", partitions, previous, partition -> busy.test(previous, partition));
      int next = p.partition("t", Message.of("x"), partitions);
      assertNotEquals(previous, next);
      assertTrue(!busy.test(previous, next) || allBusy(partitions, previous, busy),
          "moved to busy partition " + next + " while others were idle");
      steps.add((next - previous + partitions) % partitions);
    }
    return steps;
  }

  private static boolean allBusy(int partitions, int previous, BiPredicate<Integer, Integer> busy) {
    for (int i = 0; i < partitions; i++) {
      if (i != previous && !busy.test(previous, i)) {
        return false;
      }
    }
    return true;
  }
}
