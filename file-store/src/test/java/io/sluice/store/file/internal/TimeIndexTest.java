package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The time index against a TreeMap oracle of (max timestamp so far -> relative offset). */
class TimeIndexTest {

  @TempDir
  Path dir;

  @Test
  void lastBelowAgreesWithATreeMapAndOnlyGrowingMaximaAreKept() throws IOException {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    TimeIndex index = new TimeIndex();
    TreeMap<Long, Integer> oracle = new TreeMap<>();
    long max = -1;
    int rel = 0;
    for (int i = 0; i < 5000; i++) {
      rel += 1 + random.nextInt(20);
      // Timestamps wander up and down: only a new maximum may make an entry.
      long ts = 1_000_000 + i * 10L + random.nextInt(400) - 200;
      index.maybeAppend(Math.max(max, ts), rel);
      if (ts > max) {
        oracle.put(ts, rel);
        max = ts;
      }
    }
    check(index, oracle, max, random, "heap, seed " + seed);
    Path file = dir.resolve("x.timeindex");
    index.writeTo(file);
    TimeIndex loaded = TimeIndex.load(file, false, rel);
    assertNotNull(loaded);
    check(loaded, oracle, max, random, "mapped, seed " + seed);
    assertEquals(max, loaded.lastTimestamp());
  }

  private static void check(TimeIndex index, TreeMap<Long, Integer> oracle, long max, Random random, String where) {
    assertEquals(oracle.size(), index.entryCount(), where);
    for (int i = 0; i < 3000; i++) {
      long target = 999_000 + (long) random.nextInt((int) (max - 999_000 + 1000));
      Map.Entry<Long, Integer> e = oracle.lowerEntry(target);
      assertEquals(e == null ? -1 : e.getValue(), index.lastBelow(target), where + ": lastBelow(" + target + ")");
    }
  }

  @Test
  void theSameBatchAgainRaisesItsEntry() {
    TimeIndex index = new TimeIndex();
    index.maybeAppend(100, 0);
    index.maybeAppend(100, 5);
    index.maybeAppend(150, 5);
    index.maybeAppend(150, 5);
    assertEquals(2, index.entryCount());
    assertEquals(150, index.lastTimestamp());
    assertEquals(5, index.relativeOffset(1));
    index.maybeAppend(160, 5);
    assertEquals(2, index.entryCount(), "the same batch again replaces its entry");
    assertEquals(160, index.lastTimestamp());
  }

  @Test
  void anInsaneFileIsRejected() throws IOException {
    Path file = dir.resolve("bad.timeindex");
    write(file, 10, 1, 20, 2);
    assertNotNull(TimeIndex.load(file, false, 2));
    assertNull(TimeIndex.load(file, false, 1), "an entry past the last offset");
    write(file, 20, 1, 10, 2);
    assertNull(TimeIndex.load(file, false, 9), "timestamps not ascending");
    write(file, 10, 1, 20, 0);
    assertNull(TimeIndex.load(file, false, 9), "offsets not ascending (zero-filled tail)");
    Files.write(file, new byte[13]);
    assertNull(TimeIndex.load(file, false, 9), "not a whole number of entries");
  }

  private static void write(Path file, long... fields) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(fields.length / 2 * TimeIndex.ENTRY_SIZE);
    for (int i = 0; i < fields.length; i += 2) {
      b.putLong(fields[i]).putInt((int) fields[i + 1]);
    }
    Files.write(file, b.array());
  }
}
