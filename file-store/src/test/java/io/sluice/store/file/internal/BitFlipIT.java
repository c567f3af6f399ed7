package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.ErrorCode;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.store.PartitionLog;
import io.sluice.store.file.CorruptionPolicy;
import io.sluice.store.file.FileLogStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Random single-bit flips in sealed segments, opened three ways (after a clean shutdown, after a crash
 * with the recovery checkpoint, after a crash without it): the flip is always detected — the open or a
 * read reports {@code corrupt_log} — and a flipped byte is never returned as data: every record handed
 * out equals what was appended. Trials: {@code -Dsluice.bitflip.trials}.
 */
class BitFlipIT extends FileStoreTestBase {

  @Test
  void aFlippedBitIsAlwaysDetectedAndNeverServed() throws Exception {
    int trials = Integer.getInteger("sluice.bitflip.trials", 200);
    long seed = Long.getLong("sluice.bitflip.seed", System.nanoTime());
    Random random = new Random(seed);
    PartitionLog log = open("flips", TornTailIT.OPTIONS);
    long end = 0;
    while (await(log.segments()).size() < 6) {
      int n = 1 + random.nextInt(6);
      await(log.append(TornTailIT.batchAt(end, n)));
      end += n;
    }
    await(store.close());
    Path pristine = dataDir.resolve("flips");
    List<Path> segments = segmentFiles(pristine);
    List<Path> sealed = segments.subList(0, segments.size() - 1);
    int detectedOnOpen = 0;

    for (int trial = 0; trial < trials; trial++) {
      Path root = dataDir.resolve("trial-" + trial);
      Path dir = root.resolve("flips");
      copyDir(pristine, dir);
      Path victim = dir.resolve(sealed.get(random.nextInt(sealed.size())).getFileName());
      byte[] bytes = Files.readAllBytes(victim);
      int pos = random.nextInt(bytes.length);
      int bit = random.nextInt(8);
      bytes[pos] ^= (byte) (1 << bit);
      Files.write(victim, bytes);
      int mode = random.nextInt(3);
      if (mode > 0) {
        Files.delete(dir.resolve(SegmentFiles.CLEAN_SHUTDOWN));
      }
      if (mode > 1) {
        Files.delete(dir.resolve(SegmentFiles.CHECKPOINT));
      }
      String where = "trial " + trial + " (seed " + seed + "): bit " + bit + " of byte " + pos + " of " + victim.getFileName()
          + ", " + (mode == 0 ? "clean" : mode == 1 ? "crash with checkpoint" : "crash without checkpoint");

      FileLogStore s = newStore(root, CorruptionPolicy.FAIL);
      PartitionLog flipped = await(s.open("flips", TornTailIT.OPTIONS));
      long openEnd = await(flipped.endOffset());
      if (openEnd < end) {
        detectedOnOpen++;
      }
      // Random reads anywhere: whatever comes back is exactly what was appended.
      for (int i = 0; i < 20 && openEnd > 0; i++) {
        long from = (long) (random.nextDouble() * openEnd);
        Records rs = readOrCorrupt(flipped, from, 1 + random.nextInt(40), 100 + random.nextInt(5000));
        if (rs != null) {
          TornTailIT.assertRecords(rs.toList(), from, where);
        }
      }
      // Reading everything from the start must run into the damage.
      long next = 0;
      boolean detected = false;
      while (next < end) {
        Records rs = readOrCorrupt(flipped, next, 1 + random.nextInt(40), 100 + random.nextInt(5000));
        if (rs == null) {
          detected = true;
          break;
        }
        if (rs.isEmpty()) {
          fail(where + ": the log ends at " + next + " without reporting the damage");
        }
        TornTailIT.assertRecords(rs.toList(), next, where);
        next = rs.nextOffset();
      }
      assertTrue(detected, where + ": the flip was not detected");
      await(s.close());
      DiskOps.deleteRecursively(root);
    }
    System.out.println("BitFlipIT: " + trials + " flips, all detected (" + detectedOnOpen + " already on open)");
  }

  /** The records, or null if the read failed with corrupt_log. */
  private static Records readOrCorrupt(PartitionLog log, long from, int maxRecords, int maxBytes) throws Exception {
    try {
      return log.read(from, maxRecords, maxBytes).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SluiceException se && se.code() == ErrorCode.CORRUPT_LOG) {
        return null;
      }
      throw e;
    }
  }
}
