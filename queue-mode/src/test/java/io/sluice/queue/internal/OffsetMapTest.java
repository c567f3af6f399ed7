package io.sluice.queue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class OffsetMapTest {

  @Test
  void emptyMap() {
    OffsetMap<String> m = new OffsetMap<>();
    assertTrue(m.isEmpty());
    assertNull(m.first());
    assertNull(m.pollFirst());
    assertNull(m.get(0));
    assertNull(m.remove(7));
    assertThrows(NoSuchElementException.class, m::firstKey);
    assertEquals(List.of(), list(m));
  }

  @Test
  void anOffsetReturnedBehindTheFrontKeepsItsPlace() {
    OffsetMap<String> m = new OffsetMap<>();
    for (long o = 10; o < 15; o++) {
      m.put(o, "m" + o);
    }
    assertEquals("m10", m.pollFirst());
    assertEquals("m11", m.pollFirst());
    m.put(10, "back10");
    assertEquals(10, m.firstKey());
    assertEquals(List.of("back10", "m12", "m13", "m14"), list(m));
    m.remove(12);
    m.remove(13);
    m.remove(14);
    // The ring is empty; a lower offset must still sort before the straggler it is below of, and above it after.
    m.put(5, "m5");
    m.put(11, "m11");
    assertEquals(List.of("m5", "back10", "m11"), list(m));
  }

  @Test
  void aFarJumpMovesTheOldestToTheStragglersAndMemoryFollowsTheEntries() {
    OffsetMap<String> m = new OffsetMap<>();
    m.put(0, "old");
    m.put(1, "older-but-acked");
    m.remove(1);
    long far = 10L * OffsetMap.MAX_SLOTS;
    m.put(far, "new");
    m.put(far + 1, "newer");
    assertEquals(0, m.firstKey());
    assertEquals("old", m.get(0));
    assertEquals(List.of("old", "new", "newer"), list(m));
    assertEquals("old", m.pollFirst());
    assertEquals(far, m.firstKey());
    assertEquals(2, m.size());
  }

  /** Random operations shaped like the owner's (mostly increasing puts, removals near the front), against a TreeMap. */
  @Test
  void behavesLikeASortedMap() {
    for (long seed = 1; seed <= 20; seed++) {
      Random rnd = new Random(seed);
      OffsetMap<Long> m = new OffsetMap<>();
      TreeMap<Long, Long> oracle = new TreeMap<>();
      long next = rnd.nextInt(1000);
      for (int step = 0; step < 20_000; step++) {
        int op = rnd.nextInt(100);
        if (op < 45) {
          long o = next;
          next += 1 + (rnd.nextInt(50) == 0 ? rnd.nextInt(3 * OffsetMap.MAX_SLOTS) : 0);
          check(oracle.put(o, o), m.get(o));
          m.put(o, o);
        } else if (op < 50 && !oracle.isEmpty()) {
          // Back at a lower offset (a returned message), maybe one already there.
          long o = Math.max(0, oracle.firstKey() - rnd.nextInt(100) + rnd.nextInt(200));
          oracle.put(o, -o);
          m.put(o, -o);
        } else if (op < 80) {
          assertEquals(oracle.isEmpty() ? null : oracle.pollFirstEntry().getValue(), m.pollFirst());
        } else if (!oracle.isEmpty()) {
          long o = oracle.firstKey() + rnd.nextInt(300);
          assertEquals(oracle.remove(o), m.remove(o), "remove " + o);
        }
        assertEquals(oracle.size(), m.size());
        if (!oracle.isEmpty()) {
          assertEquals(oracle.firstKey(), m.firstKey());
          assertEquals(oracle.firstEntry().getValue(), m.first());
        }
        if (step % 500 == 0) {
          assertEquals(new ArrayList<>(oracle.values()), list(m), "seed " + seed + " step " + step);
          for (Map.Entry<Long, Long> e : oracle.entrySet()) {
            assertEquals(e.getValue(), m.get(e.getKey()));
          }
        }
      }
      assertEquals(new ArrayList<>(oracle.values()), list(m));
    }
  }

  private static void check(Long expectedOld, Long actualOld) {
    assertEquals(expectedOld, actualOld);
  }

  private static <V> List<V> list(OffsetMap<V> m) {
    List<V> out = new ArrayList<>();
    m.forEach(out::add);
    return out;
  }
}
