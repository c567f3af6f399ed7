package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.store.PartitionLog;
import io.sluice.store.file.CorruptionPolicy;
import io.sluice.store.file.FileLogStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kill -9 at random moments: a child JVM appends with fsync=always and reports each acknowledged batch;
 * the parent kills it with SIGKILL, then checks on a copy of the directory (so the next child recovers
 * the real crash) that every acknowledged batch is there byte for byte, at its offset, and that the log
 * holds nothing but whole batches the child sent, each once, at dense offsets. The same directory is
 * used for every cycle. Cycles: {@code -Dsluice.crash.cycles} (30; 200 with -Plong).
 */
class CrashIT extends FileStoreTestBase {

  private record Ack(long base, int records, int crc) {
  }

  @Test
  void acknowledgedBatchesSurviveKillMinusNine() throws Exception {
    int cycles = Integer.getInteger("sluice.crash.cycles", 30);
    long seed = Long.getLong("sluice.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    Path shared = dataDir.resolve("shared");
    Files.createDirectories(shared);
    List<Ack> acked = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long verifiedEnd = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      List<Ack> acks = runAndKill(shared, cycle, 20 + random.nextInt(250));
      acked.addAll(acks);
      // Checked on a copy, so the next child recovers from the crash itself. Each cycle checks what was
      // appended since the last check; the final check reads everything.
      Path copy = dataDir.resolve("check-" + cycle);
      snapshot(shared.resolve(CrashChild.LOG), copy.resolve(CrashChild.LOG));
      verifiedEnd = verify(copy, verifiedEnd, acks, seen, "cycle " + cycle + " (seed " + seed + ")");
      deleteTree(copy);
    }
    assertTrue(acked.size() > cycles, "the children got appends acknowledged: " + acked.size());
    verify(shared, 0, acked, new HashSet<>(), "the final state (seed " + seed + ")");
    System.out.println("CrashIT: " + cycles + " kill -9 cycles, " + acked.size() + " acknowledged batches, all present");
  }

  /** Copies a log directory, hard-linking the sealed segments (never written again) to keep cycles fast. */
  private static void snapshot(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    List<Path> segments = segmentFiles(from);
    Path active = segments.isEmpty() ? null : segments.get(segments.size() - 1);
    try (java.util.stream.Stream<Path> files = Files.list(from)) {
      for (Path p : files.toList()) {
        if (!Files.isRegularFile(p)) {
          continue;
        }
        if (p.getFileName().toString().endsWith(".log") && !p.equals(active)) {
          Files.createLink(to.resolve(p.getFileName()), p);
        } else {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }

  /** Starts a child, lets it append for {@code runMs} after it is ready, kills it, and returns its acknowledgements. */
  private List<Ack> runAndKill(Path dir, int cycle, long runMs) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), dir.toString(), Integer.toString(cycle));
    pb.redirectErrorStream(true);
    Process child = pb.start();
    List<Ack> acks = new ArrayList<>();
    List<String> other = new ArrayList<>();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          String[] f = line.split(" ");
          if (f[0].equals("READY")) {
            ready.complete(null);
          } else if (f[0].equals("ACK") && f.length == 4) {
            synchronized (acks) {
              acks.add(new Ack(Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3])));
            }
          } else if (!line.startsWith("ACK")) {
            synchronized (other) {
              other.add(line);
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // the pipe breaks when the child dies; a half-written last line is ignored
      }
    }, "crash-child-reader-" + cycle);
    reader.start();
    try {
      try {
        ready.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        fail("child " + cycle + " did not get ready: " + other);
      }
      // The child runs on its own; this wait is the random moment of the crash, not a stand-in for a condition.
      Thread.sleep(runMs);
    } finally {
      // SIGKILL, on this child only, whatever happened above.
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child died");
    }
    reader.join(10_000);
    synchronized (other) {
      for (String line : other) {
        assertTrue(!line.startsWith("FAILED") && !line.contains("Exception"), "child " + cycle + " said: " + other);
      }
    }
    synchronized (acks) {
      return new ArrayList<>(acks);
    }
  }

  /**
   * Reads the log from {@code from} (a batch boundary) to the end, checking every batch, then that each
   * acknowledged batch is there; returns the end offset.
   */
  private long verify(Path dir, long from, List<Ack> acked, Set<String> seen, String where) {
    FileLogStore s = newStore(dir, CorruptionPolicy.FAIL);
    try {
      PartitionLog log = await(s.open(CrashChild.LOG, CrashChild.options()));
      long end = await(log.endOffset());
      assertTrue(end >= from, where + ": the log did not shrink below " + from + " (end " + end + ")");
      Map<Long, RecordBatch> byBase = new HashMap<>();
      long next = from;
      while (next < end) {
        Records rs = await(log.read(next, 10_000, 1 << 20));
        for (RecordBatch b : rs.batches()) {
          assertNull(b.verify(), where + ": a stored batch verifies");
          if (b.baseOffset() < next) {
            continue;
          }
          assertEquals(next, b.baseOffset(), where + ": dense offsets");
          checkSent(b, seen, where);
          byBase.put(b.baseOffset(), b);
          next = b.lastOffset() + 1;
        }
      }
      assertEquals(end, next, where + ": read to the end");
      for (Ack a : acked) {
        RecordBatch b = byBase.get(a.base());
        assertNotNull(b, where + ": the acknowledged batch at offset " + a.base() + " is there (end " + end + ")");
        assertEquals(a.records(), b.recordCount(), where + ": records of the batch at " + a.base());
        assertEquals(a.crc(), b.crc(), where + ": checksum of the batch at " + a.base());
      }
      return end;
    } finally {
      await(s.close());
    }
  }

  /** The batch is exactly one the children sent (contents regenerated from its first key), and only once. */
  private static void checkSent(RecordBatch b, Set<String> seen, String where) {
    List<Record> records = b.toList();
    String key = records.get(0).keyAsString();
    String[] parts = key.split("-");
    int cycle = Integer.parseInt(parts[0].substring(1));
    int seq = Integer.parseInt(parts[1].substring(1));
    assertTrue(seen.add(cycle + "/" + seq), where + ": batch " + key + " appears once");
    List<Message> sent = CrashChild.messages(cycle, seq);
    assertEquals(sent.size(), records.size(), where + ": records of " + key);
    for (int i = 0; i < sent.size(); i++) {
      assertArrayEquals(sent.get(i).key().getBytes(), records.get(i).key().getBytes(), where + ": key");
      assertArrayEquals(sent.get(i).value().getBytes(), records.get(i).value().getBytes(), where + ": value of " + key);
      assertEquals(sent.get(i).timestamp(), records.get(i).timestamp(), where + ": timestamp of " + key);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    DiskOps.deleteRecursively(p);
  }
}
