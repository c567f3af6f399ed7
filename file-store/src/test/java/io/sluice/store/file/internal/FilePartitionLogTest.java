package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Durability;
import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.SegmentInfo;
import io.sluice.store.file.CorruptionPolicy;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The file log's own behaviour: files on disk, rolling, indexes, group commit, trimming, checkpoints, close. */
class FilePartitionLogTest extends FileStoreTestBase {

  @Test
  void aLogWithTheLongestLegalNameCanBeDropped() throws Exception {
    String name = "n".repeat(249);
    FilePartitionLog log = open(name, small().setFsync(FsyncPolicy.never()));
    await(log.append(batch(0, 3, 20)));
    await(store.drop(name));
    assertFalse(await(store.exists(name)));
    assertFalse(Files.exists(dataDir.resolve(name)));
  }

  @Test
  void segmentsAreFilesNamedByBaseOffsetHoldingTheBatchesByteForByte() throws Exception {
    FilePartitionLog log = open("files", small().setFsync(FsyncPolicy.never()));
    ByteArrayOutputStream appended = new ByteArrayOutputStream();
    for (int b = 0; b < 60; b++) {
      RecordBatch batch = batch(b * 3, 3, 20);
      await(log.append(batch));
      appended.write(batch.buffer().getBytes());
    }
    List<SegmentInfo> segments = await(log.segments());
    assertTrue(segments.size() >= 5, "1 KiB segments roll: " + segments);
    List<Path> files = segmentFiles(dataDir.resolve("files"));
    assertEquals(segments.size(), files.size());
    ByteArrayOutputStream onDisk = new ByteArrayOutputStream();
    for (int i = 0; i < files.size(); i++) {
      SegmentInfo s = segments.get(i);
      assertEquals(String.format("%020d.log", s.baseOffset()), files.get(i).getFileName().toString());
      assertEquals(s.sizeInBytes(), Files.size(files.get(i)));
      assertTrue(s.sizeInBytes() <= 1024, "rolled before passing segmentBytes: " + s);
      onDisk.write(Files.readAllBytes(files.get(i)));
      if (i < files.size() - 1) {
        assertTrue(Files.exists(dataDir.resolve("files").resolve(String.format("%020d.index", s.baseOffset()))));
        assertTrue(Files.exists(dataDir.resolve("files").resolve(String.format("%020d.timeindex", s.baseOffset()))));
        assertEquals(segments.get(i + 1).baseOffset(), s.nextOffset());
      }
    }
    assertArrayEquals(appended.toByteArray(), onDisk.toByteArray(), "the segments are the batches, back to back");
    for (long from = 0; from < 180; from += 7) {
      assertMsgs(readAll(log, from), from, 20);
    }
  }

  @Test
  void indexEntriesPointAtTheBatchesTheyName() throws Exception {
    FilePartitionLog log = open("indexed", new LogOptions().setSegmentBytes(8192).setIndexIntervalBytes(200)
        .setFsync(FsyncPolicy.never()));
    Random random = new Random(42);
    int next = 0;
    for (int b = 0; b < 200; b++) {
      int n = 1 + random.nextInt(5);
      await(log.append(batch(next, n, 10 + random.nextInt(60))));
      next += n;
    }
    await(log.close());
    Path dir = dataDir.resolve("indexed");
    List<Path> files = segmentFiles(dir);
    assertTrue(files.size() > 2);
    for (Path f : files) {
      long base = SegmentFiles.parseBase(f.getFileName().toString(), ".log");
      byte[] seg = Files.readAllBytes(f);
      byte[] idx = Files.readAllBytes(SegmentFiles.index(dir, base));
      ByteBuffer ib = ByteBuffer.wrap(idx);
      assertTrue(idx.length >= 8 * 10, "about one entry per 200 bytes in " + f + ": " + idx.length / 8);
      for (int i = 0; i < idx.length; i += 8) {
        int rel = ib.getInt(i);
        int pos = ib.getInt(i + 4);
        assertEquals(base + rel, ByteBuffer.wrap(seg).getLong(pos), "entry " + i / 8 + " of " + f);
      }
      byte[] tidx = Files.readAllBytes(SegmentFiles.timeIndex(dir, base));
      ByteBuffer tb = ByteBuffer.wrap(tidx);
      long lastTs = tb.getLong(tidx.length - 12);
      long maxTs = -1;
      for (int p = 0; p < seg.length; p += 12 + ByteBuffer.wrap(seg).getInt(p + 8)) {
        maxTs = Math.max(maxTs, ByteBuffer.wrap(seg).getLong(p + RecordBatch.MAX_TIMESTAMP_POS));
      }
      assertEquals(maxTs, lastTs, "the time index ends with the segment's largest timestamp: " + f);
    }
  }

  @Test
  void hugeHeapBatchesAndDirectBatchesAreWrittenWhole() {
    FilePartitionLog log = open("sizes", new LogOptions().setFsync(FsyncPolicy.never()));
    List<Message> big = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      byte[] v = new byte[900_000];
      new Random(i).nextBytes(v);
      big.add(Message.of(Buffer.buffer("big" + i), Buffer.buffer(v)).withTimestamp(T0));
    }
    RecordBatch huge = RecordBatch.of(big);
    assertTrue(huge.sizeInBytes() > 4 << 20, "bigger than the staging buffer");
    RecordBatch small = batch(0, 3, 10);
    ByteBuffer direct = ByteBuffer.allocateDirect(small.sizeInBytes());
    direct.put(small.buffer().getBytes()).flip();
    RecordBatch offHeap = RecordBatch.wrap(io.sluice.api.internal.Buffers.wrap(direct));
    List<Future<AppendResult>> fs = List.of(log.append(batch(0, 2, 10)), log.append(huge), log.append(offHeap),
        log.append(batch(10, 2, 10)));
    assertEquals(List.of(0L, 2L, 9L, 12L), fs.stream().map(f -> await(f).baseOffset()).toList());
    Records rs = await(log.read(2, 100, 1));
    assertEquals(7, rs.count());
    for (int i = 0; i < 7; i++) {
      assertEquals(big.get(i).value(), rs.toList().get(i).value(), "record " + i + " of the huge batch");
    }
    Records after = await(log.read(9, 100, 1 << 20));
    assertEquals(5, after.count());
    assertEquals(small.toList().get(1).value(), after.toList().get(1).value());
  }

  @Test
  void segmentsRollByAge() {
    FilePartitionLog log = open("aged", new LogOptions().setSegmentMs(1));
    await(log.append(batch(0, 1, 5)));
    long t = System.currentTimeMillis();
    eventually("the clock moves on by 2 ms", () -> System.currentTimeMillis() > t + 1);
    await(log.append(batch(1, 1, 5)));
    assertEquals(2, await(log.segments()).size(), "the second append found the segment too old");
    assertEquals(1, await(log.segments()).get(1).baseOffset());
  }

  @Test
  void concurrentAlwaysAppendsShareFsyncs() {
    FilePartitionLog log = open("group", new LogOptions());
    await(log.append(batch(0, 1, 10)));
    long before = log.fsyncCount();
    List<Future<AppendResult>> futures = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      futures.add(log.append(batch(i, 2, 100)));
    }
    long expectedBase = 1;
    for (Future<AppendResult> f : futures) {
      AppendResult r = await(f);
      assertEquals(Durability.LOCAL_FSYNC, r.durability());
      assertEquals(expectedBase, r.baseOffset(), "appends from one thread keep their order");
      expectedBase += 2;
    }
    long fsyncs = log.fsyncCount() - before;
    assertTrue(fsyncs >= 1 && fsyncs <= 32, "64 waiting appends shared fsyncs: " + fsyncs + " fsyncs");
  }

  @Test
  void intervalPolicyFsyncsInTheBackgroundAndAcksAtLocalDisk() {
    FilePartitionLog log = open("interval", new LogOptions().setFsync(FsyncPolicy.interval(10)));
    AppendResult r = await(log.append(batch(0, 3, 10)));
    assertEquals(Durability.LOCAL_DISK, r.durability());
    eventually("an interval fsync", () -> log.fsyncCount() > 0);
    FilePartitionLog never = open("never", new LogOptions().setFsync(FsyncPolicy.never()));
    assertEquals(Durability.LOCAL_DISK, await(never.append(batch(0, 3, 10))).durability());
    assertEquals(0, never.fsyncCount());
    await(never.flush());
    assertEquals(1, never.fsyncCount(), "flush() forces whatever the policy");
  }

  @Test
  void trimDeletesWholeSegmentsAndPersistsTheStart() throws Exception {
    FilePartitionLog log = open("trim", small());
    fill(log, 60, 3, 20);
    List<SegmentInfo> before = await(log.segments());
    long cut = before.get(3).baseOffset() + 2;
    await(log.trimBefore(cut));
    List<Path> files = segmentFiles(dataDir.resolve("trim"));
    assertEquals(before.size() - 3, files.size(), "three whole segments deleted");
    assertEquals(String.format("%020d.log", before.get(3).baseOffset()), files.get(0).getFileName().toString());
    LogCheckpoint cp = LogCheckpoint.read(dataDir.resolve("trim"));
    assertNotNull(cp);
    assertEquals(cut, cp.startOffset(), "the new start is durable when the trim completes");
    reopenStore(CorruptionPolicy.FAIL);
    FilePartitionLog again = open("trim", small());
    assertEquals(cut, await(again.startOffset()));
    assertMsgs(readAll(again, cut), cut, 20);
    assertFails(ErrorCode.OFFSET_OUT_OF_RANGE, again.read(cut - 1, 10, 1000));
    assertFails(ErrorCode.INVALID_ARGUMENT, again.trimBefore(-1));
  }

  @Test
  void trimmingEverythingStartsAFreshSegmentAtTheEnd() throws Exception {
    FilePartitionLog log = open("trim-all", small());
    fill(log, 20, 3, 20);
    await(log.trimBefore(60));
    List<Path> files = segmentFiles(dataDir.resolve("trim-all"));
    assertEquals(List.of(String.format("%020d.log", 60)), files.stream().map(p -> p.getFileName().toString()).toList());
    assertEquals(0, Files.size(files.get(0)));
    reopenStore(CorruptionPolicy.FAIL);
    FilePartitionLog again = open("trim-all", small());
    assertEquals(60, await(again.startOffset()));
    assertEquals(60, await(again.endOffset()));
    assertEquals(60, await(again.append(batch(60, 1, 5))).baseOffset());
  }

  @Test
  void closeLeavesACleanMarkerAndACheckpointAtTheEnd() throws Exception {
    FilePartitionLog log = open("clean", small());
    fill(log, 30, 3, 20);
    List<SegmentInfo> segments = await(log.segments());
    await(log.close());
    Path dir = dataDir.resolve("clean");
    assertTrue(Files.exists(dir.resolve(SegmentFiles.CLEAN_SHUTDOWN)));
    LogCheckpoint cp = LogCheckpoint.read(dir);
    SegmentInfo last = segments.get(segments.size() - 1);
    assertEquals(new LogCheckpoint(0, last.baseOffset(), last.sizeInBytes(), 90), cp);
    FilePartitionLog again = open("clean", small());
    assertFalse(Files.exists(dir.resolve(SegmentFiles.CLEAN_SHUTDOWN)), "an open log is not clean");
    assertEquals(segments, await(again.segments()));
    assertMsgs(readAll(again, 0), 0, 20);
    assertEquals(OptionalLong.of(45), await(again.offsetForTimestamp(T0 + 45)));
    assertEquals(90, await(again.append(batch(90, 1, 20))).baseOffset());
  }

  @Test
  void readsRunConcurrentlyWithAppendsAndAlwaysSeeWholeBatches() throws Exception {
    FilePartitionLog log = open("race", new LogOptions().setSegmentBytes(4096).setIndexIntervalBytes(100)
        .setFsync(FsyncPolicy.never()));
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    CountDownLatch readers = new CountDownLatch(3);
    for (int t = 0; t < 3; t++) {
      long seed = t;
      new Thread(() -> {
        Random random = new Random(seed);
        try {
          while (!done.get()) {
            long end = await(log.endOffset());
            long from = end == 0 ? 0 : (long) (random.nextDouble() * end);
            Records rs = await(log.read(from, 1 + random.nextInt(50), 64 + random.nextInt(4000)));
            if (end > 0) {
              assertTrue(rs.count() > 0);
            }
            assertMsgs(rs.toList(), from, 30);
            for (RecordBatch b : rs.batches()) {
              assertNull(b.verify());
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        } finally {
          readers.countDown();
        }
      }, "reader-" + t).start();
    }
    List<Future<AppendResult>> pending = new ArrayList<>();
    int next = 0;
    for (int b = 0; b < 2000; b++) {
      pending.add(log.append(batch(next, 3, 30)));
      next += 3;
      if (pending.size() == 50) {
        pending.forEach(FileStoreTestBase::await);
        pending.clear();
      }
    }
    pending.forEach(FileStoreTestBase::await);
    done.set(true);
    readers.await();
    assertTrue(errors.isEmpty(), "reader failures: " + errors);
    assertTrue(await(log.segments()).size() > 10);
  }

  @Test
  void aFlippedBitInASealedSegmentIsReportedOnReadNeverServed() throws Exception {
    FilePartitionLog log = open("flip", small());
    fill(log, 40, 3, 20);
    List<SegmentInfo> segments = await(log.segments());
    await(log.close());
    SegmentInfo victim = segments.get(1);
    Path file = dataDir.resolve("flip").resolve(String.format("%020d.log", victim.baseOffset()));
    byte[] bytes = Files.readAllBytes(file);
    // The second batch of the segment: damage one value byte.
    int second = 12 + ByteBuffer.wrap(bytes).getInt(8);
    int pos = second + RecordBatch.HEADER_SIZE + 30;
    bytes[pos] ^= 0x04;
    Files.write(file, bytes);
    long badOffset = victim.baseOffset() + 3;

    FilePartitionLog again = open("flip", small());
    Records below = await(again.read(0, 1000, 1 << 20));
    assertTrue(below.nextOffset() <= badOffset, "never past the damage: " + below);
    assertMsgs(below.toList(), 0, 20);
    var e = assertFails(ErrorCode.CORRUPT_LOG, again.read(badOffset, 10, 1000));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("position " + second), e.getMessage());
    long next = 0;
    while (next < badOffset) {
      Records rs = await(again.read(next, 7, 1 << 20));
      assertMsgs(rs.toList(), next, 20);
      next = rs.nextOffset();
    }
    assertEquals(badOffset, next, "everything below the damage is still served");
    assertFails(ErrorCode.CORRUPT_LOG, again.read(badOffset + 10, 10, 1000));
    assertFails(ErrorCode.CORRUPT_LOG, again.append(batch(120, 1, 5)));
    assertFails(ErrorCode.CORRUPT_LOG, again.offsetForTimestamp(T0 + badOffset));
  }

  @Test
  void storeLevelCallsAndTheDirectoryLock() throws Exception {
    FilePartitionLog a = open("a", new LogOptions());
    await(a.append(RecordBatch.of(Message.of("x"))));
    open("b", new LogOptions());
    assertEquals(List.of("a", "b"), await(store.list()));
    assertTrue(await(store.exists("a")));
    assertFalse(await(store.exists("c")));
    assertFails(ErrorCode.INVALID_NAME, store.exists("../a"));
    assertFails(ErrorCode.UNKNOWN_LOG, store.open("c", new LogOptions().setCreateIfMissing(false)));
    assertFails(ErrorCode.INVALID_NAME, store.open("bad/name", new LogOptions()));
    var other = newStore(dataDir, CorruptionPolicy.FAIL);
    assertFails(ErrorCode.STORAGE_FAILURE, other.list());
    await(store.drop("a"));
    assertFalse(a.isOpen());
    assertFalse(Files.exists(dataDir.resolve("a")));
    assertFails(ErrorCode.UNKNOWN_LOG, store.drop("a"));
    assertEquals(List.of("b"), await(store.list()));
    FilePartitionLog fresh = open("a", new LogOptions());
    assertEquals(0, await(fresh.endOffset()), "a dropped log comes back empty");
  }

  @Test
  void theProviderIsFoundByType() {
    var s = io.sluice.api.store.LogStore.create(vertx, "file",
        new io.vertx.core.json.JsonObject().put("dataDir", dataDir.resolve("via-provider").toString()));
    try {
      assertEquals("file", s.type());
      var log = await(s.open("p", new LogOptions()));
      assertEquals(0, await(log.append(RecordBatch.of(Message.of(Buffer.buffer("v"))))).baseOffset());
    } finally {
      await(s.close());
    }
    var thrown = org.junit.jupiter.api.Assertions.assertThrows(io.sluice.api.InvalidArgumentException.class,
        () -> io.sluice.api.store.LogStore.create(vertx, "file", new io.vertx.core.json.JsonObject()));
    assertTrue(thrown.getMessage().contains("dataDir"));
  }
}
