package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.SegmentInfo;
import io.sluice.store.file.CorruptionPolicy;
import io.sluice.store.file.FileLogRepair;
import io.sluice.store.file.FileLogStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Opening a log after clean and unclean shutdowns: torn tails, corruption, indexes, checkpoints, repair. */
class RecoveryTest extends FileStoreTestBase {

  private static final LogOptions ONE_SEGMENT = new LogOptions().setIndexIntervalBytes(100).setFsync(FsyncPolicy.never());

  /** Writes a log in the store and copies its directory while it is open: the disk as a crash would leave it. */
  private Path crashCopy(String name, LogOptions options, int batches, int perBatch, int valueBytes) throws IOException {
    FilePartitionLog log = open(name, options);
    fill(log, batches, perBatch, valueBytes);
    Path crashed = dataDir.resolve("crashed");
    copyDir(dataDir.resolve(name), crashed.resolve(name));
    return crashed;
  }

  /** Byte positions of the batches in a segment file. */
  private static List<Integer> batchPositions(Path segment) throws IOException {
    byte[] b = Files.readAllBytes(segment);
    List<Integer> out = new ArrayList<>();
    for (int p = 0; p < b.length; p += 12 + ByteBuffer.wrap(b).getInt(p + 8)) {
      out.add(p);
    }
    return out;
  }

  private static void flip(Path file, long position, int bit) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, position);
      one.put(0, (byte) (one.get(0) ^ (1 << bit)));
      one.rewind();
      ch.write(one, position);
    }
  }

  private static LogLoader.Loaded load(Path dir, CorruptionPolicy policy) throws IOException {
    return new LogLoader(dir, dir.getFileName().toString(), 100, policy, false).load();
  }

  private static void release(LogLoader.Loaded loaded) {
    loaded.segments().forEach(Segment::release);
  }

  @Test
  void aTornTailIsCutAtTheLastWholeBatchWhereverItIsCut() throws IOException {
    Path crashed = crashCopy("torn", ONE_SEGMENT, 8, 3, 40);
    Path dir = crashed.resolve("torn");
    Path seg = segmentFiles(dir).get(0);
    byte[] whole = Files.readAllBytes(seg);
    List<Integer> starts = batchPositions(seg);
    Random random = new Random(7);
    for (int trial = 0; trial < 150; trial++) {
      int cut = trial < 50 ? whole.length - 1 - trial : random.nextInt(whole.length);
      Files.write(seg, java.util.Arrays.copyOf(whole, cut));
      Files.deleteIfExists(dir.resolve(SegmentFiles.CHECKPOINT));
      LogLoader.Loaded loaded = load(dir, CorruptionPolicy.FAIL);
      try {
        int kept = 0;
        while (kept < starts.size() && (kept + 1 == starts.size() ? whole.length : starts.get(kept + 1)) <= cut) {
          kept++;
        }
        Segment active = loaded.segments().get(0);
        assertNull(loaded.corruption(), "a torn tail is not corruption (cut at " + cut + ")");
        assertEquals(kept * 3L, active.nextOffset(), "whole batches before the cut at " + cut);
        long keptBytes = kept == starts.size() ? whole.length : starts.get(kept);
        assertEquals(keptBytes, active.size());
        assertEquals(keptBytes, Files.size(seg), "the torn bytes are gone from the file");
      } finally {
        release(loaded);
      }
    }
  }

  @Test
  void garbageAfterTheLastBatchIsCutAndAppendsContinue() throws IOException {
    Path crashed = crashCopy("garbage", ONE_SEGMENT, 5, 2, 10);
    Path seg = segmentFiles(crashed.resolve("garbage")).get(0);
    long size = Files.size(seg);
    byte[] junk = new byte[5000];
    new Random(3).nextBytes(junk);
    System.arraycopy(new byte[2000], 0, junk, 0, 2000);
    Files.write(seg, junk, StandardOpenOption.APPEND);
    FileLogStore s = newStore(crashed, CorruptionPolicy.FAIL);
    FilePartitionLog log = (FilePartitionLog) await(s.open("garbage", ONE_SEGMENT));
    assertEquals(10, await(log.endOffset()));
    assertEquals(size, Files.size(seg));
    assertEquals(10, await(log.append(batch(10, 1, 10))).baseOffset());
    assertMsgs(readAll(log, 0), 0, 10);
  }

  @Test
  void corruptionInsideTheActiveSegmentIsReportedAndNothingIsCut() throws IOException {
    Path crashed = crashCopy("inside", ONE_SEGMENT, 6, 3, 30);
    Path seg = segmentFiles(crashed.resolve("inside")).get(0);
    List<Integer> starts = batchPositions(seg);
    flip(seg, starts.get(2) + RecordBatch.HEADER_SIZE + 10, 3);
    byte[] damaged = Files.readAllBytes(seg);

    FileLogStore s = newStore(crashed, CorruptionPolicy.FAIL);
    FilePartitionLog log = (FilePartitionLog) await(s.open("inside", ONE_SEGMENT));
    assertEquals(6, await(log.endOffset()), "the log ends before the damaged batch");
    assertMsgs(readAll(log, 0), 0, 30);
    var e = assertFails(ErrorCode.CORRUPT_LOG, log.read(6, 10, 1000));
    assertTrue(e.getMessage().contains(seg.toString()) && e.getMessage().contains("position " + starts.get(2)),
        e.getMessage());
    assertFails(ErrorCode.CORRUPT_LOG, log.append(batch(6, 1, 5)));
    await(s.close());
    assertArrayEquals(damaged, Files.readAllBytes(seg), "the good batches after the damage are still there");
    assertFalse(Files.exists(crashed.resolve("inside").resolve(SegmentFiles.CLEAN_SHUTDOWN)),
        "a corrupt log is never marked clean");
    LogLoader.Loaded again = load(crashed.resolve("inside"), CorruptionPolicy.FAIL);
    try {
      assertNotNull(again.corruption(), "found again on the next open");
    } finally {
      release(again);
    }
  }

  @Test
  void onCorruptionTruncateQuarantinesTheDamagedTailAndContinues() throws IOException {
    Path crashed = crashCopy("quarantine", ONE_SEGMENT, 6, 3, 30);
    Path dir = crashed.resolve("quarantine");
    Path seg = segmentFiles(dir).get(0);
    List<Integer> starts = batchPositions(seg);
    flip(seg, starts.get(3) + RecordBatch.HEADER_SIZE + 5, 0);
    byte[] damaged = Files.readAllBytes(seg);

    FileLogStore s = newStore(crashed, CorruptionPolicy.TRUNCATE);
    FilePartitionLog log = (FilePartitionLog) await(s.open("quarantine", ONE_SEGMENT));
    assertEquals(9, await(log.endOffset()));
    assertEquals(9, await(log.append(batch(9, 2, 30))).baseOffset());
    assertMsgs(readAll(log, 0), 0, 30);
    List<Path> quarantined;
    try (Stream<Path> walk = Files.walk(dir.resolve(SegmentFiles.QUARANTINE))) {
      quarantined = walk.filter(Files::isRegularFile).toList();
    }
    assertEquals(1, quarantined.size());
    assertArrayEquals(java.util.Arrays.copyOfRange(damaged, starts.get(3), damaged.length),
        Files.readAllBytes(quarantined.get(0)), "the cut bytes are kept, not deleted");
  }

  @Test
  void corruptionInASealedSegmentIsFoundByAFullRecoveryAndLaterSegmentsAreKept() throws IOException {
    Path crashed = crashCopy("sealed", new LogOptions().setSegmentBytes(1024).setFsync(FsyncPolicy.never()), 40, 3, 20);
    Path dir = crashed.resolve("sealed");
    Files.deleteIfExists(dir.resolve(SegmentFiles.CHECKPOINT));
    List<Path> files = segmentFiles(dir);
    assertTrue(files.size() >= 4);
    Path victim = files.get(1);
    long victimBase = SegmentFiles.parseBase(victim.getFileName().toString(), ".log");
    flip(victim, batchPositions(victim).get(0) + RecordBatch.HEADER_SIZE + 3, 6);
    FileLogStore s = newStore(crashed, CorruptionPolicy.FAIL);
    FilePartitionLog log = (FilePartitionLog) await(s.open("sealed", new LogOptions().setSegmentBytes(1024)));
    assertEquals(victimBase, await(log.endOffset()));
    assertMsgs(readAll(log, 0), 0, 20);
    assertFails(ErrorCode.CORRUPT_LOG, log.read(victimBase, 10, 1000));
    await(s.close());
    assertEquals(files, segmentFiles(dir), "no segment was deleted");
  }

  @Test
  void missingDamagedAndWrongIndexesAreRebuilt() throws IOException {
    FilePartitionLog log = open("indexes", new LogOptions().setSegmentBytes(2048).setIndexIntervalBytes(64));
    fill(log, 60, 3, 20);
    List<SegmentInfo> segments = await(log.segments());
    await(log.close());
    Path dir = dataDir.resolve("indexes");
    Files.delete(SegmentFiles.index(dir, segments.get(0).baseOffset()));
    Files.write(SegmentFiles.timeIndex(dir, segments.get(1).baseOffset()), new byte[24]);
    // Sane but wrong: every entry of segment 2 points one batch too far.
    Path idx = SegmentFiles.index(dir, segments.get(2).baseOffset());
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(idx));
    for (int i = 0; i + 8 < b.limit(); i += 8) {
      b.putInt(i + 4, b.getInt(i + 12));
    }
    Files.write(idx, java.util.Arrays.copyOf(b.array(), b.limit() - 8));
    Files.delete(SegmentFiles.index(dir, segments.get(segments.size() - 1).baseOffset()));

    FilePartitionLog again = open("indexes", new LogOptions().setSegmentBytes(2048).setIndexIntervalBytes(64));
    for (long from = 0; from < 180; from += 5) {
      Records rs = await(again.read(from, 4, 1 << 20));
      assertEquals(4, rs.count(), "from " + from);
      assertMsgs(rs.toList(), from, 20);
    }
    for (long t = 0; t < 180; t += 11) {
      assertEquals(OptionalLong.of(t), await(again.offsetForTimestamp(T0 + t)));
    }
    assertEquals(segments, await(again.segments()));
    assertTrue(Files.exists(SegmentFiles.index(dir, segments.get(0).baseOffset())), "rebuilt indexes are written back");
  }

  @Test
  void aDamagedCheckpointMeansVerifyingEverything() throws IOException {
    FilePartitionLog log = open("cp", small());
    fill(log, 30, 3, 20);
    await(log.close());
    Path dir = dataDir.resolve("cp");
    Files.write(dir.resolve(SegmentFiles.CHECKPOINT), new byte[LogCheckpoint.SIZE]);
    FilePartitionLog again = open("cp", small());
    assertEquals(90, await(again.endOffset()));
    assertMsgs(readAll(again, 0), 0, 20);
    LogCheckpoint cp = LogCheckpoint.read(dir);
    assertNotNull(cp, "recovery writes a fresh checkpoint");
    assertEquals(90, cp.recoveryOffset(), "the recovery point is the end after a verified open");
  }

  @Test
  void aCleanMarkerThatDisagreesWithTheFilesIsNotTrusted() throws IOException {
    FilePartitionLog log = open("liar", small());
    fill(log, 10, 3, 20);
    await(log.close());
    Path dir = dataDir.resolve("liar");
    List<Path> files = segmentFiles(dir);
    Files.write(files.get(files.size() - 1), new byte[300], StandardOpenOption.APPEND);
    FilePartitionLog again = open("liar", small());
    assertEquals(30, await(again.endOffset()), "the unexpected tail was verified and cut");
    assertEquals(30, await(again.append(batch(30, 1, 20))).baseOffset());
    assertMsgs(readAll(again, 0), 0, 20);
  }

  @Test
  void aCrashDuringTrimIsFinishedOnOpen() throws IOException {
    Path crashed = crashCopy("mid-trim", new LogOptions().setSegmentBytes(1024).setFsync(FsyncPolicy.never()), 40, 3, 20);
    Path dir = crashed.resolve("mid-trim");
    List<Path> files = segmentFiles(dir);
    long third = SegmentFiles.parseBase(files.get(2).getFileName().toString(), ".log");
    // The checkpoint with the new start was written; the segments below were not deleted yet.
    new LogCheckpoint(third + 1, 0, 0, 0).write(dir);
    FileLogStore s = newStore(crashed, CorruptionPolicy.FAIL);
    FilePartitionLog log = (FilePartitionLog) await(s.open("mid-trim", new LogOptions().setSegmentBytes(1024)));
    assertEquals(third + 1, await(log.startOffset()));
    assertEquals(files.subList(2, files.size()), segmentFiles(dir));
    assertMsgs(readAll(log, third + 1), third + 1, 20);
  }

  @Test
  void theRepairToolChecksAndRepairsOffline() throws IOException {
    Path crashed = crashCopy("repair", new LogOptions().setSegmentBytes(1024).setFsync(FsyncPolicy.never()), 30, 3, 20);
    crashCopyAnother(crashed);
    Path dir = crashed.resolve("repair");
    assertEquals(0, FileLogRepair.run(crashed.toString()), "a crashed but undamaged directory checks clean");
    assertTrue(Files.exists(dir.resolve(SegmentFiles.CLEAN_SHUTDOWN)));

    List<Path> files = segmentFiles(dir);
    Path victim = files.get(1);
    flip(victim, batchPositions(victim).get(1) + 20, 2);
    byte[] before = Files.readAllBytes(victim);
    assertEquals(2, FileLogRepair.run(crashed.toString(), "repair"), "the check reports corruption");
    assertArrayEquals(before, Files.readAllBytes(victim), "checking changes nothing");
    assertEquals(files, segmentFiles(dir));

    FileLogStore running = newStore(crashed, CorruptionPolicy.FAIL);
    await(running.list());
    assertEquals(1, FileLogRepair.run(crashed.toString()), "refuses while a store holds the directory");
    await(running.close());

    assertEquals(0, FileLogRepair.run(crashed.toString(), "--truncate", "repair"));
    long victimBase = SegmentFiles.parseBase(victim.getFileName().toString(), ".log");
    FileLogStore s = newStore(crashed, CorruptionPolicy.FAIL);
    FilePartitionLog log = (FilePartitionLog) await(s.open("repair", new LogOptions().setSegmentBytes(1024)));
    long end = await(log.endOffset());
    assertTrue(end > victimBase && end < 90, "cut inside the damaged segment: " + end);
    assertMsgs(readAll(log, 0), 0, 20);
    assertEquals(end, await(log.append(batch((int) end, 1, 20))).baseOffset());
    assertEquals(1, FileLogRepair.run(), "usage error without a directory");
  }

  private void crashCopyAnother(Path crashed) throws IOException {
    FilePartitionLog other = open("other", new LogOptions());
    fill(other, 3, 2, 5);
    copyDir(dataDir.resolve("other"), crashed.resolve("other"));
  }
}
