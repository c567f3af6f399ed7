package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.store.file.CorruptionPolicy;
import io.sluice.store.file.FileLogStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The active segment cut at random byte positions (a torn write), sometimes followed by zeros (blocks the
 * file system allocated but never wrote): opening succeeds and keeps exactly the whole batches before the
 * cut, with their bytes intact, and appends continue right after them. Trials: {@code -Dsluice.torn.trials}.
 */
class TornTailIT extends FileStoreTestBase {

  static final LogOptions OPTIONS = new LogOptions().setSegmentBytes(16 * 1024).setIndexIntervalBytes(256)
      .setFsync(FsyncPolicy.never());

  /** msg(i) with a value size that varies with the offset, so batches have all sizes. */
  static Message record(long offset) {
    return msg((int) offset, 5 + (int) (offset * 7919 % 150));
  }

  static RecordBatch batchAt(long base, int count) {
    List<Message> ms = new ArrayList<>();
    for (long o = base; o < base + count; o++) {
      ms.add(record(o));
    }
    return RecordBatch.of(ms);
  }

  static void assertRecords(List<Record> records, long from, String where) {
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      Message m = record(from + i);
      assertEquals(from + i, r.offset(), where);
      assertEquals(m.key(), r.key(), where + ": key of " + r.offset());
      assertEquals(m.value(), r.value(), where + ": value of " + r.offset());
      assertEquals(m.timestamp(), r.timestamp(), where + ": timestamp of " + r.offset());
    }
  }

  private static boolean allZero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void openingAfterATornWriteKeepsExactlyTheWholeBatchesBeforeIt() throws Exception {
    int trials = Integer.getInteger("sluice.torn.trials", 200);
    long seed = Long.getLong("sluice.torn.seed", System.nanoTime());
    Random random = new Random(seed);
    PartitionLog log = open("torn", OPTIONS);
    long end = 0;
    while (await(log.segments()).size() < 3 || await(log.segments()).get(2).sizeInBytes() < 12_000) {
      int n = 1 + random.nextInt(6);
      await(log.append(batchAt(end, n)));
      end += n;
    }
    await(store.close());
    Path pristine = dataDir.resolve("torn");
    List<Path> segments = segmentFiles(pristine);
    Path active = segments.get(segments.size() - 1);
    long activeBase = SegmentFiles.parseBase(active.getFileName().toString(), ".log");
    byte[] activeBytes = Files.readAllBytes(active);
    List<long[]> batches = new ArrayList<>(); // {position, end position, next offset}
    ByteBuffer bb = ByteBuffer.wrap(activeBytes);
    for (int p = 0; p < activeBytes.length; p += 12 + bb.getInt(p + 8)) {
      batches.add(new long[] {p, p + 12L + bb.getInt(p + 8), bb.getLong(p) + bb.getInt(p + RecordBatch.RECORD_COUNT_POS)});
    }

    for (int trial = 0; trial < trials; trial++) {
      String where = "trial " + trial + " (seed " + seed + ")";
      Path root = dataDir.resolve("trial-" + trial);
      Path dir = root.resolve("torn");
      copyDir(pristine, dir);
      int cut = random.nextInt(activeBytes.length + 1);
      Path cutFile = dir.resolve(active.getFileName());
      Files.write(cutFile, Arrays.copyOf(activeBytes, cut));
      int zeros = random.nextInt(3) == 0 ? 1 + random.nextInt(8192) : 0;
      Files.write(cutFile, new byte[zeros], StandardOpenOption.APPEND);
      Files.delete(dir.resolve(SegmentFiles.CLEAN_SHUTDOWN));
      if (random.nextBoolean()) {
        Files.deleteIfExists(dir.resolve(SegmentFiles.CHECKPOINT));
      }
      // The whole batches before the cut; the zeros may happen to complete one exactly as it was.
      long expectedEnd = activeBase;
      for (long[] b : batches) {
        if (b[1] <= cut || (b[1] <= cut + zeros && allZero(activeBytes, cut, (int) b[1]))) {
          expectedEnd = b[2];
        } else {
          break;
        }
      }

      FileLogStore s = newStore(root, CorruptionPolicy.FAIL);
      PartitionLog torn = await(s.open("torn", OPTIONS));
      assertEquals(expectedEnd, await(torn.endOffset()), where + ": cut at " + cut + " of the active segment");
      assertRecords(readAll(torn, 0), 0, where);
      assertEquals(expectedEnd, await(torn.append(batchAt(expectedEnd, 2))).baseOffset(), where + ": appends continue");
      assertRecords(readAll(torn, expectedEnd), expectedEnd, where + ": after the cut");
      await(s.close());
      DiskOps.deleteRecursively(root);
    }
    assertTrue(batches.size() > 20, "the active segment held many batches: " + batches.size());
  }
}
