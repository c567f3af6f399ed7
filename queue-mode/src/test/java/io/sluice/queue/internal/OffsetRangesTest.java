package io.sluice.queue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** OffsetRanges against a TreeSet oracle, on random adds, trims and queries. */
class OffsetRangesTest {

  @Test
  void behavesLikeASetOfOffsets() {
    for (long seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      OffsetRanges ranges = new OffsetRanges();
      TreeSet<Long> oracle = new TreeSet<>();
      for (int step = 0; step < 300; step++) {
        int op = random.nextInt(10);
        if (op < 6) {
          long from = random.nextInt(500);
          long to = from + random.nextInt(op == 0 ? 60 : 4);
          ranges.add(from, to);
          for (long o = from; o < to; o++) {
            oracle.add(o);
          }
        } else if (op < 7) {
          long below = random.nextInt(200);
          ranges.removeBelow(below);
          oracle.headSet(below, false).clear();
        } else {
          long from = random.nextInt(520);
          long to = from + random.nextInt(80);
          String where = "seed " + seed + " step " + step;
          assertEquals(oracle.subSet(from, true, to, false).size(), ranges.countIn(from, to), where);
          assertEquals(oracle.contains(from), ranges.contains(from), where);
        }
      }
      long previousEnd = Long.MIN_VALUE;
      long count = 0;
      for (long[] r : ranges) {
        assertEquals(true, r[0] > previousEnd, "disjoint and not adjacent (seed " + seed + ")");
        previousEnd = r[1];
        count += r[1] - r[0];
      }
      assertEquals(oracle.size(), count, "seed " + seed);
    }
  }
}
