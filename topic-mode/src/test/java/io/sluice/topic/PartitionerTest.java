package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionerTest {

  /** Expected hashes from Kafka's own UtilsTest.testMurmur2 (clients/src/test/.../utils/UtilsTest.java). */
  @Test
  void murmur2MatchesKafka() {
    assertEquals(-973932308, Partitioner.murmur2(bytes("21")));
    assertEquals(-790332482, Partitioner.murmur2(bytes("foobar")));
    assertEquals(-985981536, Partitioner.murmur2(bytes("a-little-bit-long-string")));
    assertEquals(-1486304829, Partitioner.murmur2(bytes("a-little-bit-longer-string")));
    assertEquals(-58897971, Partitioner.murmur2(bytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")));
    assertEquals(479470107, Partitioner.murmur2(new byte[] {'a', 'b', 'c'}));
  }

  /**
   * Partitions Kafka's default partitioner gives these keys: toPositive(murmur2) % n, computed
   * independently from the hashes above (and for "kafka", librdkafka's reference value -798503068).
   */
  @Test
  void keyLandsWhereKafkaPutsIt() {
    assertEquals(6, Partitioner.partitionForKey(Buffer.buffer("foobar"), 10));
    assertEquals(2, Partitioner.partitionForKey(Buffer.buffer("a-little-bit-long-string"), 3));
    assertEquals(11, Partitioner.partitionForKey(Buffer.buffer("a-little-bit-longer-string"), 12));
    assertEquals(7, Partitioner.partitionForKey(Buffer.buffer("abc"), 10));
    assertEquals(4, Partitioner.partitionForKey(Buffer.buffer("kafka"), 6));
    for (Partitioner p : new Partitioner[] {Partitioner.sticky(), Partitioner.roundRobin()}) {
      assertEquals(6, p.partition("t", Message.of("foobar", "x"), 10));
      assertEquals(3, p.partition("t", Message.of("abc", "x"), 6));
    }
  }

  @Test
  void stickyStaysUntilANewBatchThenMoves() {
    Partitioner p = Partitioner.sticky();
    int first = p.partition("t", Message.of("x"), 8);
    for (int i = 0; i < 100; i++) {
      assertEquals(first, p.partition("t", Message.of("x"), 8));
    }
    p.onNewBatch("t", 8, first);
    int second = p.partition("t", Message.of("x"), 8);
    assertNotEquals(first, second);
    // A batch closed on another partition does not move the sticky one.
    p.onNewBatch("t", 8, (second + 1) % 8);
    assertEquals(second, p.partition("t", Message.of("x"), 8));
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int cur = p.partition("t", Message.of("x"), 8);
      seen.add(cur);
      p.onNewBatch("t", 8, cur);
    }
    assertTrue(seen.size() > 4, "sticky partitions should spread over batches: " + seen);
  }

  @Test
  void roundRobinCyclesKeylessMessages() {
    Partitioner p = Partitioner.roundRobin();
    for (int i = 0; i < 12; i++) {
      assertEquals(i % 4, p.partition("t", Message.of("x"), 4));
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
