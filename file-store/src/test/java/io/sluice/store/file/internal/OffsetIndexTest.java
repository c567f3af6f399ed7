package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offset index against a TreeMap oracle, in memory and after a round trip through its file. */
class OffsetIndexTest {

  @TempDir
  Path dir;

  @Test
  void floorAgreesWithATreeMap() throws IOException {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    OffsetIndex index = new OffsetIndex();
    TreeMap<Integer, Integer> oracle = new TreeMap<>();
    int rel = 0;
    int pos = 0;
    for (int i = 0; i < 5000; i++) {
      rel += 1 + random.nextInt(50);
      pos += 1 + random.nextInt(9000);
      index.append(rel, pos);
      oracle.put(rel, pos);
    }
    check(index, oracle, rel, random, "heap, seed " + seed);

    Path file = dir.resolve("x.index");
    index.writeTo(file);
    assertEquals(5000L * OffsetIndex.ENTRY_SIZE, Files.size(file));
    OffsetIndex mapped = OffsetIndex.load(file, false, rel, pos + 1L);
    assertNotNull(mapped, "a written index loads");
    check(mapped, oracle, rel, random, "mapped, seed " + seed);
    OffsetIndex writable = OffsetIndex.load(file, true, rel, pos + 1L);
    assertNotNull(writable);
    writable.append(rel + 1, pos + 1);
    oracle.put(rel + 1, pos + 1);
    check(writable, oracle, rel + 1, random, "reloaded writable, seed " + seed);
    assertThrows(IllegalStateException.class, () -> mapped.append(Integer.MAX_VALUE, Integer.MAX_VALUE),
        "a sealed segment's index is read-only");
  }

  private static void check(OffsetIndex index, TreeMap<Integer, Integer> oracle, int maxRel, Random random, String where) {
    assertEquals(oracle.size(), index.entryCount(), where);
    for (int i = 0; i < 3000; i++) {
      long target = random.nextInt(maxRel + 100) - 5;
      Map.Entry<Integer, Integer> e = oracle.floorEntry((int) Math.max(Integer.MIN_VALUE, target));
      long packed = index.floor(target);
      int expectedRel = e == null ? 0 : e.getKey();
      int expectedPos = e == null ? 0 : e.getValue();
      assertEquals(expectedRel, OffsetIndex.relativeOffsetOf(packed), where + ": floor(" + target + ") offset");
      assertEquals(expectedPos, OffsetIndex.positionOf(packed), where + ": floor(" + target + ") position");
    }
    for (Map.Entry<Integer, Integer> e : oracle.entrySet()) {
      assertEquals(e.getValue(), OffsetIndex.positionOf(index.floor(e.getKey())), where + ": exact entry " + e);
    }
  }

  @Test
  void appendsMustAscendInBothFields() {
    OffsetIndex index = new OffsetIndex();
    index.append(10, 100);
    assertThrows(IllegalStateException.class, () -> index.append(10, 200));
    assertThrows(IllegalStateException.class, () -> index.append(11, 100));
    assertThrows(IllegalStateException.class, () -> index.append(5, 300));
    assertEquals(1, index.entryCount());
  }

  @Test
  void anIndexThatDoesNotFitItsSegmentIsRejected() throws IOException {
    Path file = dir.resolve("bad.index");
    write(file, 1, 100, 2, 200, 3, 300);
    assertNotNull(OffsetIndex.load(file, false, 3, 301));
    assertNull(OffsetIndex.load(file, false, 2, 301), "an entry past the segment's last offset");
    assertNull(OffsetIndex.load(file, false, 3, 300), "an entry at or past the segment's size");
    write(file, 1, 100, 3, 300, 2, 400);
    assertNull(OffsetIndex.load(file, false, 10, 1000), "offsets not ascending");
    write(file, 1, 100, 2, 100);
    assertNull(OffsetIndex.load(file, false, 10, 1000), "positions not ascending");
    write(file, 1, 100, 0, 0);
    assertNull(OffsetIndex.load(file, false, 10, 1000), "zero-filled tail (a torn write)");
    Files.write(file, new byte[] {0, 0, 0, 1, 0, 0, 0, 2, 0});
    assertNull(OffsetIndex.load(file, false, 10, 1000), "not a whole number of entries");
    assertNull(OffsetIndex.load(dir.resolve("missing.index"), false, 10, 1000), "missing file");
  }

  private static void write(Path file, int... fields) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(fields.length * 4);
    for (int f : fields) {
      b.putInt(f);
    }
    Files.write(file, b.array());
  }
}
