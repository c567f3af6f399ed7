package io.sluice.api.store;

import static io.sluice.api.store.ContractSupport.assertFails;
import static io.sluice.api.store.ContractSupport.assertRecord;
import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.Durability;
import io.sluice.api.ErrorCode;
import io.sluice.api.Header;
import io.sluice.api.Message;
import io.sluice.api.OffsetOutOfRangeException;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link LogStore} and {@link PartitionLog} implementation passes (the TCK).
 *
 * <p>To run it against a store, extend this class and override {@link #createStore}; a durable store
 * also overrides {@link #durable()} (which enables the store-reopen cases) and, if its durability
 * levels differ from the usual ones, {@link #expectedDurability}. A case that cannot hold for a store
 * is overridden with {@code @Disabled("reason")}, so every deviation is visible in the report.
 *
 * <p>Each test gets its own {@link Vertx}, its own temporary directory and its own store, and fails if
 * it leaks: a log the store's {@code close()} left open, or a thread still running after the store and
 * Vertx closed. Randomized cases print their seed on failure; rerun one with
 * {@code -Dsluice.contract.seed=<seed>}.
 *
 * <p>Thread contract: JUnit runs each test on one thread; the suite waits for futures on that thread
 * (never on an event loop) and reaches other threads and contexts only through the store.
 */
public abstract class LogStoreContractTest {

  /** Timestamps of the suite's records: fixed, so lookups are exact. */
  protected static final long T0 = 1_700_000_000_000L;

  /** Each test's private directory (a durable store keeps its files here). */
  @TempDir
  protected Path dataDir;

  protected Vertx vertx;
  protected LogStore store;

  private final List<PartitionLog> openedLogs = new ArrayList<>();
  private Set<Thread> threadsBefore;

  /**
   * Creates the store under test. A durable store given the same {@code dataDir} again, after
   * {@code close()} of the previous instance, must see the same logs and records.
   */
  protected abstract LogStore createStore(Vertx vertx, Path dataDir);

  /** Whether the store keeps data across {@code close()} and a new {@link #createStore} on the same dir. */
  protected boolean durable() {
    return false;
  }

  /** The durability an append to a log with this fsync policy completes with. */
  protected Durability expectedDurability(FsyncPolicy policy) {
    return policy.kind() == FsyncPolicy.Kind.ALWAYS ? Durability.LOCAL_FSYNC : Durability.LOCAL_DISK;
  }

  /**
   * The options the suite starts from for every log it opens (cases change the limits they test).
   * A store may relax the fsync policy here to keep the suite fast; the durability case sets its own.
   */
  protected LogOptions baseOptions() {
    return new LogOptions();
  }

  @BeforeEach
  public void startStore() {
    threadsBefore = ContractSupport.liveThreads();
    vertx = Vertx.vertx();
    store = createStore(vertx, dataDir);
  }

  @AfterEach
  public void closeStoreAndCheckLeaks() {
    try {
      if (store != null) {
        await(store.close());
        assertLogsClosed();
      }
    } finally {
      ContractSupport.closeVertx(vertx);
    }
    ContractSupport.assertNoNewThreads(threadsBefore);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private void assertLogsClosed() {
    List<String> stillOpen = openedLogs.stream().filter(PartitionLog::isOpen).map(PartitionLog::name).toList();
    assertTrue(stillOpen.isEmpty(), "logs still open after the store's close(): " + stillOpen);
  }

  /** Closes the store and creates a new one on the same directory. */
  protected void reopenStore() {
    await(store.close());
    assertLogsClosed();
    openedLogs.clear();
    store = createStore(vertx, dataDir);
  }

  protected PartitionLog open(String name) {
    return open(name, baseOptions());
  }

  protected PartitionLog open(String name, LogOptions options) {
    PartitionLog log = await(store.open(name, options));
    assertTrue(log.isOpen(), "a log returned by open() is open");
    openedLogs.add(log);
    return log;
  }

  /** Segments of about 1 KiB, so a few dozen small batches span several segments. */
  protected LogOptions smallSegments() {
    return baseOptions().setSegmentBytes(1024);
  }

  /** A message with key {@code k<i>}, value {@code v<i>} padded to {@code valueBytes}, timestamp T0 + i. */
  protected static Message msg(int i, int valueBytes) {
    StringBuilder v = new StringBuilder("v").append(i);
    while (v.length() < valueBytes) {
      v.append('.');
    }
    return Message.of("k" + i, v.toString()).withTimestamp(T0 + i);
  }

  protected static Message msg(int i) {
    return msg(i, 8);
  }

  /** Messages {@code from .. from+count-1}. */
  protected static List<Message> msgs(int from, int count, int valueBytes) {
    List<Message> out = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      out.add(msg(i, valueBytes));
    }
    return out;
  }

  protected static AppendResult append(PartitionLog log, List<Message> messages) {
    AppendResult r = await(log.append(RecordBatch.of(messages)));
    assertEquals(messages.size(), r.recordCount(), "records in the append result");
    return r;
  }

  protected static AppendResult append(PartitionLog log, Message... messages) {
    return append(log, List.of(messages));
  }

  /** Appends {@code batches} batches of {@code perBatch} msg(i) records, i counting from 0; returns all messages. */
  protected static List<Message> fill(PartitionLog log, int batches, int perBatch, int valueBytes) {
    List<Message> all = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      List<Message> batch = msgs(b * perBatch, perBatch, valueBytes);
      AppendResult r = append(log, batch);
      assertEquals((long) b * perBatch, r.baseOffset(), "base offset of batch " + b);
      all.addAll(batch);
    }
    return all;
  }

  /** Reads everything from {@code from} to the end, checking each answer's own consistency. */
  protected static List<Record> readAll(PartitionLog log, long from) {
    long end = await(log.endOffset());
    List<Record> out = new ArrayList<>();
    long next = from;
    while (next < end) {
      Records rs = await(log.read(next, 1000, 1024 * 1024));
      checkAnswer(rs, next);
      assertFalse(rs.isEmpty(), "a read below the end offset returned nothing at " + next);
      out.addAll(rs.toList());
      next = rs.nextOffset();
    }
    assertEquals(end, next, "reading to the end stops at the end offset");
    return out;
  }

  /** Checks what every answer to read(from, ...) must satisfy on its own. */
  protected static void checkAnswer(Records rs, long from) {
    assertEquals(from, rs.fromOffset(), "answer's fromOffset");
    List<Record> records = rs.toList();
    assertEquals(rs.count(), records.size(), "count() matches the records iterated");
    for (int i = 0; i < records.size(); i++) {
      assertEquals(from + i, records.get(i).offset(), "records come in dense offset order");
    }
    List<RecordBatch> batches = rs.batches();
    if (!rs.isEmpty()) {
      assertFalse(batches.isEmpty(), "a non-empty answer holds batches");
      RecordBatch first = batches.get(0);
      assertTrue(first.baseOffset() <= from && from <= first.lastOffset(),
          "the first batch holds fromOffset " + from + ": " + first);
      for (RecordBatch b : batches) {
        assertNull(b.verify(), "a stored batch still verifies (CRC and framing): " + b);
      }
      for (int i = 1; i < batches.size(); i++) {
        assertEquals(batches.get(i - 1).lastOffset() + 1, batches.get(i).baseOffset(), "batches are contiguous");
      }
      RecordBatch last = batches.get(batches.size() - 1);
      assertTrue(last.lastOffset() + 1 >= rs.nextOffset(), "the last batch reaches nextOffset");
    }
  }

  protected static void assertRecords(String where, List<Message> expected, long firstOffset, List<Record> actual) {
    assertEquals(expected.size(), actual.size(), where + ": number of records");
    for (int i = 0; i < expected.size(); i++) {
      assertRecord(where, expected.get(i), firstOffset + i, actual.get(i));
    }
  }

  protected static long start(PartitionLog log) {
    return await(log.startOffset());
  }

  protected static long end(PartitionLog log) {
    return await(log.endOffset());
  }

  /**
   * After a rejected call: start and end are unchanged, the records are the same, and the next append
   * gets exactly the old end offset. Returns the new end offset.
   */
  protected static long assertNothingChanged(PartitionLog log, long expectedStart, long expectedEnd, List<Message> held) {
    assertEquals(expectedStart, start(log), "start offset unchanged by a rejected call");
    assertEquals(expectedEnd, end(log), "end offset unchanged by a rejected call");
    assertRecords("records unchanged by a rejected call", held.subList(held.size() - (int) (expectedEnd - expectedStart),
        held.size()), expectedStart, readAll(log, expectedStart));
    Message probe = Message.of("probe", "after a rejected call").withTimestamp(T0);
    AppendResult r = append(log, probe);
    assertEquals(expectedEnd, r.baseOffset(), "the next append gets the old end offset");
    held.add(probe);
    return expectedEnd + 1;
  }

  // ---------------------------------------------------------------------------------------------
  // Append and read round trips

  @Test
  public void appendAndReadRoundTripExactBytes() {
    PartitionLog log = open("round-trip");
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    List<Message> batch = List.of(
        Message.of("key-1", "value-1").withTimestamp(T0),
        Message.of(Buffer.buffer(binary), Buffer.buffer(binary)).withTimestamp(T0 + 1),
        Message.of(Buffer.buffer("tombstone-key"), null).withTimestamp(T0 + 2),
        Message.of((Buffer) null, Buffer.buffer("no key")).withTimestamp(0),
        Message.of((Buffer) null, (Buffer) null).withTimestamp(T0 - 5),
        Message.of(Buffer.buffer(), Buffer.buffer()).withTimestamp(T0 + 3),
        Message.of("h", "headers").withHeader("trace", "abc").withHeader("trace", "def")
            .withHeader("bin", Buffer.buffer(binary)).withHeader("empty", Buffer.buffer()).withHeader("ünï", "ç")
            .withTimestamp(Long.MAX_VALUE / 2));
    AppendResult r = append(log, batch);
    assertEquals(0, r.baseOffset());
    assertEquals(batch.size() - 1, r.lastOffset());
    List<Record> read = await(log.read(0, 100, 1024 * 1024)).toList();
    assertRecords("round trip", batch, 0, read);
    assertTrue(read.get(2).key() != null && read.get(2).value() == null, "null value kept as null, not empty");
    assertTrue(read.get(5).key() != null && read.get(5).key().length() == 0, "empty key kept as empty, not null");
  }

  @Test
  public void offsetsAreDenseFromZero() {
    PartitionLog log = open("dense");
    assertEquals(0, start(log));
    assertEquals(0, end(log));
    long expected = 0;
    int[] sizes = {1, 3, 1, 7, 2, 10, 1};
    int i = 0;
    for (int size : sizes) {
      AppendResult r = append(log, msgs(i, size, 5));
      assertEquals(expected, r.baseOffset(), "base offset");
      assertEquals(expected + size - 1, r.lastOffset(), "last offset");
      expected += size;
      i += size;
      assertEquals(expected, end(log), "end offset after append");
    }
    assertRecords("dense", msgs(0, i, 5), 0, readAll(log, 0));
  }

  @Test
  public void appendReportsTheDurabilityOfItsFsyncPolicy() {
    for (FsyncPolicy policy : List.of(FsyncPolicy.always(), FsyncPolicy.never(), FsyncPolicy.interval(50))) {
      PartitionLog log = open("durability-" + policy.kind().name().toLowerCase(java.util.Locale.ROOT),
          baseOptions().setFsync(policy));
      assertEquals(policy, log.options().getFsync(), "options() reports the fsync policy");
      AppendResult r = append(log, msg(1));
      assertEquals(expectedDurability(policy), r.durability(), "durability for fsync " + policy);
      assertTrue(r.appendTime() > 0, "append time is set");
    }
  }

  @Test
  public void appendAssignsOffsetsWhateverTheBatchSaysAndKeepsItsTimestamps() {
    PartitionLog log = open("assign");
    append(log, msgs(0, 3, 4));
    RecordBatch batch = RecordBatch.of(msgs(3, 2, 4)).assignBaseOffset(999);
    AppendResult r = await(log.append(batch));
    assertEquals(3, r.baseOffset(), "the log, not the batch, decides offsets");
    Records rs = await(log.read(3, 10, 1024 * 1024));
    RecordBatch stored = rs.batches().get(0);
    assertEquals(3, stored.baseOffset());
    assertEquals(T0 + 3, stored.firstTimestamp());
    assertEquals(T0 + 4, stored.maxTimestamp());
    assertRecords("assigned", msgs(3, 2, 4), 3, rs.toList());
  }

  @Test
  public void readFromTheMiddleOfABatchSkipsTheRecordsBefore() {
    PartitionLog log = open("middle");
    List<Message> all = fill(log, 3, 5, 6);
    for (long from = 0; from < 15; from++) {
      Records rs = await(log.read(from, 1000, 1024 * 1024));
      checkAnswer(rs, from);
      long batchEnd = (from / 5 + 1) * 5;
      assertTrue(rs.nextOffset() >= batchEnd, "at least the rest of the batch holding " + from);
      assertRecords("from " + from, all.subList((int) from, (int) rs.nextOffset()), from, rs.toList());
    }
  }

  @Test
  public void readsCrossBatchAndSegmentBoundaries() {
    PartitionLog log = open("segments", smallSegments());
    List<Message> all = fill(log, 40, 3, 20);
    List<SegmentInfo> segments = await(log.segments());
    assertTrue(segments.size() >= 3, "small segments roll: " + segments);
    for (long from = 0; from < all.size(); from++) {
      assertRecords("from " + from, all.subList((int) from, all.size()), from, readAll(log, from));
    }
    for (SegmentInfo s : segments) {
      if (s.baseOffset() > 0 && s.baseOffset() < all.size()) {
        long from = s.baseOffset() - 1;
        Records rs = await(log.read(from, 5, 1024 * 1024));
        checkAnswer(rs, from);
        assertRecords("across the segment start " + s.baseOffset(), all.subList((int) from, (int) rs.nextOffset()), from,
            rs.toList());
      }
    }
  }

  @Test
  public void maxRecordsIsHonoured() {
    PartitionLog log = open("max-records");
    List<Message> all = fill(log, 4, 10, 6);
    for (int max : new int[] {1, 2, 9, 10, 11, 25, 40, 100}) {
      for (long from : new long[] {0, 3, 10, 17, 39}) {
        Records rs = await(log.read(from, max, 1024 * 1024));
        checkAnswer(rs, from);
        long expected = Math.min(max, all.size() - from);
        assertEquals(expected, rs.count(), "read(" + from + ", maxRecords=" + max + ") in one segment");
        assertRecords("maxRecords", all.subList((int) from, (int) (from + expected)), from, rs.toList());
      }
    }
  }

  @Test
  public void maxBytesCountsWholeBatches() {
    PartitionLog log = open("max-bytes");
    fill(log, 10, 4, 30);
    List<RecordBatch> stored = await(log.read(0, 1000, 1024 * 1024)).batches();
    assertEquals(10, stored.size());
    int maxBytes = 0;
    for (int batches = 1; batches <= 4; batches++) {
      maxBytes += stored.get(batches - 1).sizeInBytes();
      Records rs = await(log.read(0, 1000, maxBytes));
      checkAnswer(rs, 0);
      assertTrue(rs.sizeInBytes() <= maxBytes, "answer of " + rs.sizeInBytes() + " bytes within maxBytes " + maxBytes);
      assertEquals(batches * 4, rs.count(), "exactly the whole batches that fit in " + maxBytes + " bytes");
      int almostOneMore = maxBytes + stored.get(batches).sizeInBytes() - 1;
      Records less = await(log.read(0, 1000, almostOneMore));
      assertEquals(batches * 4, less.count(), "a batch that does not fit whole is left out (" + almostOneMore + " bytes)");
    }
  }

  @Test
  public void aReadAlwaysReturnsAtLeastTheBatchHoldingFromOffset() {
    PartitionLog log = open("progress");
    List<Message> all = fill(log, 3, 6, 100);
    for (long from : new long[] {0, 2, 5, 6, 11, 17}) {
      Records rs = await(log.read(from, 1000, 1));
      checkAnswer(rs, from);
      assertEquals(1, rs.batches().size(), "a tiny maxBytes still gives one whole batch");
      long batchEnd = (from / 6 + 1) * 6;
      assertEquals(batchEnd, rs.nextOffset(), "the rest of the batch holding " + from);
      assertRecords("progress", all.subList((int) from, (int) batchEnd), from, rs.toList());
      Records one = await(log.read(from, 1, 1));
      assertEquals(1, one.count(), "maxRecords still caps the first batch");
    }
  }

  @Test
  public void readAtTheEndIsEmpty() {
    PartitionLog log = open("at-end");
    Records empty = await(log.read(0, 10, 1000));
    assertTrue(empty.isEmpty(), "an empty log reads empty at 0");
    assertEquals(0, empty.nextOffset());
    fill(log, 2, 3, 5);
    Records rs = await(log.read(6, 10, 1000));
    assertTrue(rs.isEmpty(), "read at the end offset is empty");
    assertEquals(6, rs.fromOffset());
    assertEquals(6, rs.nextOffset());
    assertEquals(0, rs.toList().size());
  }

  @Test
  public void changingAReadAnswerDoesNotChangeTheLog() {
    PartitionLog log = open("isolated");
    List<Message> all = fill(log, 2, 3, 10);
    Records first = await(log.read(0, 100, 1024 * 1024));
    Buffer bytes = first.encoded();
    for (int i = 0; i < bytes.length(); i++) {
      bytes.setByte(i, (byte) 0x5a);
    }
    assertRecords("after a reader scribbled over its answer", all, 0, readAll(log, 0));
  }

  @Test
  public void batchesReadFromOneLogAppendToAnotherWithNewOffsets() {
    PartitionLog source = open("mirror-source");
    PartitionLog target = open("mirror-target");
    append(target, msgs(100, 4, 6));
    List<Message> all = fill(source, 3, 3, 10);
    for (RecordBatch b : await(source.read(0, 100, 1024 * 1024)).batches()) {
      await(target.append(RecordBatch.wrap(b.buffer().copy())));
    }
    assertRecords("mirrored", all, 4, readAll(target, 4));
    assertRecords("source untouched", all, 0, readAll(source, 0));
  }

  @Test
  public void logsAreIndependent() {
    PartitionLog a = open("independent-a");
    PartitionLog b = open("independent-b");
    fill(a, 3, 2, 4);
    append(b, msg(7));
    await(a.trimBefore(4));
    assertEquals(4, start(a));
    assertEquals(6, end(a));
    assertEquals(0, start(b));
    assertEquals(1, end(b));
    assertRecords("b", List.of(msg(7)), 0, readAll(b, 0));
    await(store.drop("independent-a"));
    assertEquals(1, end(b));
    assertTrue(b.isOpen(), "dropping one log leaves the others open");
  }

  @Test
  public void aSegmentRollsOnceItsFirstBatchIsSegmentMsOld() {
    PartitionLog log = open("roll-by-age", baseOptions().setSegmentMs(20));
    append(log, msg(0));
    append(log, msg(1));
    long firstAppend = System.currentTimeMillis();
    assertEquals(1, await(log.segments()).size(), "young segment, small data: no roll yet");
    // Waits for the clock itself to pass the segment age, which is the condition under test.
    while (System.currentTimeMillis() - firstAppend < 50) {
      Thread.onSpinWait();
    }
    append(log, msg(2));
    List<SegmentInfo> segments = await(log.segments());
    assertEquals(2, segments.size(), "an old segment rolls on the next append: " + segments);
    assertEquals(2, segments.get(1).baseOffset());
    assertRecords("across the age roll", msgs(0, 3, 8), 0, readAll(log, 0));
  }

  // ---------------------------------------------------------------------------------------------
  // Long-poll

  @Test
  public void awaitAppendIsWokenByAnAppend() throws Exception {
    PartitionLog log = open("await");
    append(log, msg(0));
    Future<Long> waiting = log.awaitAppend(1, 30_000);
    assertFalse(waiting.isComplete(), "nothing past offset 1 yet, so the waiter waits");
    long before = System.nanoTime();
    append(log, msgs(1, 3, 4));
    assertEquals(4L, await(waiting), "woken with the new end offset");
    assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(10), "woken by the append, not by the timeout");
  }

  @Test
  public void awaitAppendAnswersAtOnceWhenDataIsThere() {
    PartitionLog log = open("await-now");
    fill(log, 1, 5, 4);
    assertEquals(5L, await(log.awaitAppend(0, 30_000)));
    assertEquals(5L, await(log.awaitAppend(4, 30_000)));
  }

  @Test
  public void awaitAppendTimesOutWithTheEndOffset() {
    PartitionLog log = open("await-timeout");
    fill(log, 1, 3, 4);
    long t = System.nanoTime();
    assertEquals(3L, await(log.awaitAppend(3, 200)), "a timed-out waiter gets the end offset");
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
    assertTrue(elapsedMs >= 150, "waited about the timeout, not less: " + elapsedMs + " ms");
    assertEquals(3L, await(log.awaitAppend(10, 50)), "waiting past the end also times out with the end");
  }

  @Test
  public void awaitAppendWakesOnlyWaitersBelowTheNewEnd() {
    PartitionLog log = open("await-many");
    Future<Long> atZero = log.awaitAppend(0, 30_000);
    Future<Long> atTwo = log.awaitAppend(2, 30_000);
    append(log, msgs(0, 2, 4));
    assertEquals(2L, await(atZero));
    assertFalse(atTwo.isComplete(), "end 2 is not past offset 2");
    append(log, msg(2));
    assertEquals(3L, await(atTwo));
  }

  @Test
  public void awaitAppendWithAZeroTimeoutAnswersAtOnce() {
    PartitionLog log = open("await-zero");
    assertEquals(0L, await(log.awaitAppend(0, 0)));
    fill(log, 1, 2, 4);
    assertEquals(2L, await(log.awaitAppend(5, 0)));
  }

  @Test
  public void waitersFailWithStoreClosedWhenTheLogCloses() {
    PartitionLog log = open("await-close");
    Future<Long> waiting = log.awaitAppend(0, 30_000);
    await(log.close());
    SluiceException e = assertFails(ErrorCode.STORE_CLOSED, () -> waiting);
    assertTrue(e.retriable());
  }

  @Test
  public void waitersFailWithStoreClosedWhenTheStoreCloses() {
    PartitionLog a = open("await-store-close-a");
    PartitionLog b = open("await-store-close-b");
    Future<Long> wa = a.awaitAppend(0, 30_000);
    Future<Long> wb = b.awaitAppend(0, 30_000);
    await(store.close());
    assertFails(ErrorCode.STORE_CLOSED, () -> wa);
    assertFails(ErrorCode.STORE_CLOSED, () -> wb);
  }

  // ---------------------------------------------------------------------------------------------
  // Trimming

  @Test
  public void trimMovesTheStartExactlyAndReadsBelowItFail() {
    PartitionLog log = open("trim");
    List<Message> all = fill(log, 4, 5, 6);
    await(log.trimBefore(7));
    assertEquals(7, start(log), "start moves exactly to the trim offset, mid-batch");
    assertEquals(20, end(log));
    assertRecords("after trim", all.subList(7, 20), 7, readAll(log, 7));
    OffsetOutOfRangeException e = (OffsetOutOfRangeException) assertFails(ErrorCode.OFFSET_OUT_OF_RANGE,
        () -> log.read(6, 10, 1000));
    assertEquals(6, e.requested());
    assertEquals(7, e.startOffset(), "the exception carries the valid range");
    assertEquals(20, e.endOffset());
    assertFails(ErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(0, 10, 1000));
    Records rs = await(log.read(7, 1, 1));
    assertEquals(1, rs.count());
    assertEquals(7, rs.toList().get(0).offset(), "a read at the start skips trimmed records of its batch");
  }

  @Test
  public void trimmingPastTheEndFailsAndChangesNothing() {
    PartitionLog log = open("trim-past-end");
    List<Message> all = new ArrayList<>(fill(log, 2, 3, 4));
    OffsetOutOfRangeException e = (OffsetOutOfRangeException) assertFails(ErrorCode.OFFSET_OUT_OF_RANGE,
        () -> log.trimBefore(7));
    assertEquals(0, e.startOffset());
    assertEquals(6, e.endOffset());
    assertNothingChanged(log, 0, 6, all);
  }

  @Test
  public void trimmingBackwardsIsANoOp() {
    PartitionLog log = open("trim-backwards");
    List<Message> all = new ArrayList<>(fill(log, 2, 5, 4));
    await(log.trimBefore(6));
    await(log.trimBefore(3));
    await(log.trimBefore(6));
    await(log.trimBefore(0));
    assertNothingChanged(log, 6, 10, all);
  }

  @Test
  public void trimmingWholeSegmentsShrinksSegmentsAndSize() {
    PartitionLog log = open("trim-segments", smallSegments());
    List<Message> all = fill(log, 40, 3, 20);
    List<SegmentInfo> before = await(log.segments());
    long sizeBefore = await(log.sizeInBytes());
    assertTrue(before.size() >= 4, "several segments: " + before);
    long cut = before.get(2).baseOffset();
    await(log.trimBefore(cut));
    List<SegmentInfo> after = await(log.segments());
    assertEquals(before.size() - 2, after.size(), "the two segments below the trim point are gone: " + after);
    assertEquals(before.get(2).baseOffset(), after.get(0).baseOffset());
    long freed = before.get(0).sizeInBytes() + before.get(1).sizeInBytes();
    long sizeAfter = await(log.sizeInBytes());
    assertTrue(sizeBefore - sizeAfter >= freed, "size shrinks by at least the freed segments: " + sizeBefore + " -> "
        + sizeAfter + ", freed " + freed);
    assertRecords("after trimming segments", all.subList((int) cut, all.size()), cut, readAll(log, cut));

    long midSegment = after.get(0).baseOffset() + 1;
    await(log.trimBefore(midSegment));
    assertEquals(midSegment, start(log));
    assertEquals(after.size(), await(log.segments()).size(), "trimming inside a segment keeps it");
  }

  @Test
  public void appendsContinueAfterTrimmingEverything() {
    PartitionLog log = open("trim-all", smallSegments());
    fill(log, 20, 3, 20);
    long sizeBefore = await(log.sizeInBytes());
    await(log.trimBefore(60));
    assertEquals(60, start(log));
    assertEquals(60, end(log));
    assertTrue(await(log.read(60, 10, 1000)).isEmpty());
    assertFails(ErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(59, 10, 1000));
    assertTrue(await(log.sizeInBytes()) < sizeBefore, "trimming everything frees storage");
    AppendResult r = append(log, msgs(100, 4, 4));
    assertEquals(60, r.baseOffset(), "offsets continue after a full trim");
    assertRecords("after full trim", msgs(100, 4, 4), 60, readAll(log, 60));
    List<SegmentInfo> segments = await(log.segments());
    assertTrue(segments.get(0).baseOffset() <= 60, "no segment starts above the start offset: " + segments);
    assertEquals(64, segments.get(segments.size() - 1).nextOffset());
  }

  @Test
  public void segmentsDescribeTheLog() {
    PartitionLog log = open("segment-info", smallSegments());
    fill(log, 30, 2, 20);
    List<SegmentInfo> segments = await(log.segments());
    assertEquals(0, segments.get(0).baseOffset());
    long total = 0;
    for (int i = 0; i < segments.size(); i++) {
      SegmentInfo s = segments.get(i);
      assertEquals(i == segments.size() - 1, s.active(), "only the newest segment is active: " + segments);
      if (i > 0) {
        assertEquals(segments.get(i - 1).nextOffset(), s.baseOffset(), "segments are contiguous: " + segments);
      }
      if (s.nextOffset() > s.baseOffset()) {
        assertEquals(T0 + s.nextOffset() - 1, s.maxTimestamp(), "largest timestamp of " + s);
        assertTrue(s.sizeInBytes() > 0);
        assertTrue(s.sizeInBytes() <= 1024, "a segment rolls before it grows past segmentBytes: " + s);
      }
      total += s.sizeInBytes();
    }
    assertEquals(60, segments.get(segments.size() - 1).nextOffset());
    assertTrue(await(log.sizeInBytes()) >= total, "the log holds at least its segments' bytes");
  }

  // ---------------------------------------------------------------------------------------------
  // Timestamps

  @Test
  public void offsetForTimestampFindsTheFirstRecordAtOrAfter() {
    PartitionLog log = open("ts");
    fill(log, 4, 5, 4); // offset i has timestamp T0 + i
    for (int i = 0; i < 20; i++) {
      assertEquals(OptionalLong.of(i), await(log.offsetForTimestamp(T0 + i)), "exact timestamp of offset " + i);
    }
    assertEquals(OptionalLong.of(0), await(log.offsetForTimestamp(T0 - 1000)), "before everything: the start");
    assertEquals(OptionalLong.of(0), await(log.offsetForTimestamp(0)));
    assertEquals(OptionalLong.empty(), await(log.offsetForTimestamp(T0 + 20)), "after everything: empty");
    assertEquals(OptionalLong.empty(), await(log.offsetForTimestamp(Long.MAX_VALUE)));
  }

  @Test
  public void offsetForTimestampOnAnEmptyLogIsEmpty() {
    PartitionLog log = open("ts-empty");
    assertEquals(OptionalLong.empty(), await(log.offsetForTimestamp(0)));
    fill(log, 1, 3, 4);
    await(log.trimBefore(3));
    assertEquals(OptionalLong.empty(), await(log.offsetForTimestamp(0)), "everything trimmed: empty");
  }

  @Test
  public void offsetForTimestampWithEqualTimestampsGivesTheFirst() {
    PartitionLog log = open("ts-equal");
    append(log, Message.of("a").withTimestamp(T0), Message.of("b").withTimestamp(T0 + 5),
        Message.of("c").withTimestamp(T0 + 5));
    append(log, Message.of("d").withTimestamp(T0 + 5), Message.of("e").withTimestamp(T0 + 9));
    assertEquals(OptionalLong.of(1), await(log.offsetForTimestamp(T0 + 5)));
    assertEquals(OptionalLong.of(1), await(log.offsetForTimestamp(T0 + 1)));
    assertEquals(OptionalLong.of(4), await(log.offsetForTimestamp(T0 + 6)));
  }

  @Test
  public void offsetForTimestampIsExactWithOutOfOrderTimestampsInABatch() {
    PartitionLog log = open("ts-disorder-batch");
    append(log, Message.of("a").withTimestamp(T0 + 50), Message.of("b").withTimestamp(T0 + 10),
        Message.of("c").withTimestamp(T0 + 70), Message.of("d").withTimestamp(T0 + 20));
    assertEquals(OptionalLong.of(0), await(log.offsetForTimestamp(T0 + 5)));
    assertEquals(OptionalLong.of(0), await(log.offsetForTimestamp(T0 + 50)));
    assertEquals(OptionalLong.of(2), await(log.offsetForTimestamp(T0 + 51)));
    assertEquals(OptionalLong.of(2), await(log.offsetForTimestamp(T0 + 70)));
    assertEquals(OptionalLong.empty(), await(log.offsetForTimestamp(T0 + 71)));
  }

  @Test
  public void offsetForTimestampIsExactWithOutOfOrderTimestampsAcrossBatchesAndSegments() {
    PartitionLog log = open("ts-disorder", smallSegments());
    // Batch b holds timestamps that go down then jump: the largest timestamps sit in early batches.
    List<Long> timestamps = new ArrayList<>();
    for (int b = 0; b < 30; b++) {
      List<Message> batch = new ArrayList<>();
      for (int j = 0; j < 3; j++) {
        long ts = T0 + (b % 2 == 0 ? 1000 - b * 10 - j : b * 5 + j);
        timestamps.add(ts);
        batch.add(Message.of("k", "v-" + b + "-" + j + "-padding-padding").withTimestamp(ts));
      }
      append(log, batch);
    }
    assertTrue(await(log.segments()).size() > 1, "the records span segments");
    for (long t = T0 - 1; t <= T0 + 1001; t += 7) {
      assertEquals(expectedOffsetFor(timestamps, 0, t), await(log.offsetForTimestamp(t)), "lookup of T0+" + (t - T0));
    }
  }

  @Test
  public void offsetForTimestampNeverAnswersBelowTheStart() {
    PartitionLog log = open("ts-trimmed", smallSegments());
    fill(log, 20, 3, 20);
    List<SegmentInfo> segments = await(log.segments());
    long cut = segments.get(1).baseOffset() + 1;
    await(log.trimBefore(cut));
    assertEquals(OptionalLong.of(cut), await(log.offsetForTimestamp(T0)), "a time before the start: the start");
    assertEquals(OptionalLong.of(cut), await(log.offsetForTimestamp(T0 + cut - 1)));
    assertEquals(OptionalLong.of(cut + 1), await(log.offsetForTimestamp(T0 + cut + 1)));
  }

  private static OptionalLong expectedOffsetFor(List<Long> timestamps, long startOffset, long t) {
    for (int i = (int) startOffset; i < timestamps.size(); i++) {
      if (timestamps.get(i) >= t) {
        return OptionalLong.of(i);
      }
    }
    return OptionalLong.empty();
  }

  // ---------------------------------------------------------------------------------------------
  // Concurrency and contexts

  /** Checks that concurrent appends got unique, dense offsets, each batch contiguous, by reading them back. */
  private static void checkConcurrentAppends(PartitionLog log, Map<String, AppendResult> results, Map<String, Integer> sizes) {
    List<AppendResult> sorted = new ArrayList<>(results.values());
    sorted.sort((x, y) -> Long.compare(x.baseOffset(), y.baseOffset()));
    long next = 0;
    for (AppendResult r : sorted) {
      assertEquals(next, r.baseOffset(), "offsets are dense and unique across concurrent appends");
      next = r.lastOffset() + 1;
    }
    assertEquals(next, end(log));
    List<Record> records = readAll(log, 0);
    for (Map.Entry<String, AppendResult> e : results.entrySet()) {
      AppendResult r = e.getValue();
      assertEquals((int) sizes.get(e.getKey()), r.recordCount(), "count of batch " + e.getKey());
      for (long o = r.baseOffset(); o <= r.lastOffset(); o++) {
        Record rec = records.get((int) o);
        assertEquals(e.getKey(), rec.keyAsString(), "offset " + o + " holds a record of batch " + e.getKey());
        assertEquals(String.valueOf(o - r.baseOffset()), rec.valueAsString(), "batch " + e.getKey() + " stays in order");
      }
    }
  }

  private static RecordBatch taggedBatch(String id, int size) {
    List<Message> ms = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ms.add(Message.of(id, String.valueOf(i)).withTimestamp(T0));
    }
    return RecordBatch.of(ms);
  }

  @Test
  public void concurrentAppendersOnSeveralThreadsGetDenseUniqueOffsets() throws Exception {
    PartitionLog log = open("threads", smallSegments());
    int threads = 4;
    int perThread = 40;
    Map<String, AppendResult> results = Collections.synchronizedMap(new TreeMap<>());
    Map<String, Integer> sizes = Collections.synchronizedMap(new TreeMap<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<java.util.concurrent.Future<List<Future<AppendResult>>>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          go.await();
          Random random = new Random(thread);
          List<Future<AppendResult>> fs = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            String id = "t" + thread + "-" + i;
            int size = 1 + random.nextInt(5);
            sizes.put(id, size);
            fs.add(log.append(taggedBatch(id, size)).onSuccess(r -> results.put(id, r)));
          }
          return fs;
        }));
      }
      go.countDown();
      for (var d : done) {
        for (Future<AppendResult> f : d.get(30, TimeUnit.SECONDS)) {
          await(f);
        }
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
    assertEquals(threads * perThread, results.size());
    checkConcurrentAppends(log, results, sizes);
  }

  @Test
  public void concurrentAppendersOnSeveralContextsGetDenseUniqueOffsetsInIssueOrder() throws Exception {
    PartitionLog log = open("contexts", smallSegments());
    int contexts = 4;
    int perContext = 40;
    Map<String, AppendResult> results = Collections.synchronizedMap(new TreeMap<>());
    Map<String, Integer> sizes = Collections.synchronizedMap(new TreeMap<>());
    List<CompletableFuture<List<AppendResult>>> done = new ArrayList<>();
    for (int c = 0; c < contexts; c++) {
      int ctxId = c;
      Context ctx = vertx.getOrCreateContext();
      CompletableFuture<List<AppendResult>> ctxDone = new CompletableFuture<>();
      done.add(ctxDone);
      ctx.runOnContext(v -> {
        Random random = new Random(ctxId);
        List<Future<AppendResult>> fs = new ArrayList<>();
        for (int i = 0; i < perContext; i++) {
          String id = "c" + ctxId + "-" + i;
          int size = 1 + random.nextInt(5);
          sizes.put(id, size);
          // Issued back to back without waiting: the log must keep this caller's order.
          fs.add(log.append(taggedBatch(id, size)).onSuccess(r -> results.put(id, r)));
        }
        Future.all(fs).onComplete(ar -> {
          if (ar.succeeded()) {
            ctxDone.complete(fs.stream().map(Future::result).toList());
          } else {
            ctxDone.completeExceptionally(ar.cause());
          }
        });
      });
    }
    for (CompletableFuture<List<AppendResult>> d : done) {
      List<AppendResult> inIssueOrder = d.get(30, TimeUnit.SECONDS);
      for (int i = 1; i < inIssueOrder.size(); i++) {
        assertTrue(inIssueOrder.get(i).baseOffset() > inIssueOrder.get(i - 1).baseOffset(),
            "appends issued in order from one context are appended in that order");
      }
    }
    assertEquals(contexts * perContext, results.size());
    checkConcurrentAppends(log, results, sizes);
  }

  /** Runs {@code steps} on {@code ctx}; each step's future must complete on that same context. */
  private void assertCompletesOnContext(Context ctx, String where, List<Map.Entry<String, Supplier<Future<?>>>> steps)
      throws Exception {
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.runOnContext(v -> runSteps(ctx, steps, 0, wrong, done));
    done.get(30, TimeUnit.SECONDS);
    assertTrue(wrong.isEmpty(), where + ": futures completed off the caller's context: " + wrong);
  }

  private static void runSteps(Context ctx, List<Map.Entry<String, Supplier<Future<?>>>> steps, int i,
                               ConcurrentLinkedQueue<String> wrong, CompletableFuture<Void> done) {
    if (i == steps.size()) {
      done.complete(null);
      return;
    }
    Map.Entry<String, Supplier<Future<?>>> step = steps.get(i);
    Future<?> f;
    try {
      f = step.getValue().get();
    } catch (RuntimeException e) {
      done.completeExceptionally(new AssertionError(step.getKey() + " threw instead of returning a future", e));
      return;
    }
    f.onComplete(ar -> {
      if (Vertx.currentContext() != ctx) {
        wrong.add(step.getKey() + " on " + Thread.currentThread().getName());
      }
      runSteps(ctx, steps, i + 1, wrong, done);
    });
  }

  private List<Map.Entry<String, Supplier<Future<?>>>> everyCall(PartitionLog log) {
    List<Map.Entry<String, Supplier<Future<?>>>> steps = new ArrayList<>();
    steps.add(Map.entry("append", () -> log.append(RecordBatch.of(msgs(0, 3, 10)))));
    steps.add(Map.entry("read", () -> log.read(0, 10, 4096)));
    steps.add(Map.entry("read (failing)", () -> log.read(-1, 10, 4096)));
    steps.add(Map.entry("append (failing)", () -> log.append(null)));
    steps.add(Map.entry("startOffset", log::startOffset));
    steps.add(Map.entry("endOffset", log::endOffset));
    steps.add(Map.entry("offsetForTimestamp", () -> log.offsetForTimestamp(T0 + 1)));
    steps.add(Map.entry("awaitAppend (data there)", () -> log.awaitAppend(0, 1000)));
    steps.add(Map.entry("awaitAppend (timeout)", () -> log.awaitAppend(1_000_000, 30)));
    steps.add(Map.entry("segments", log::segments));
    steps.add(Map.entry("sizeInBytes", log::sizeInBytes));
    steps.add(Map.entry("flush", log::flush));
    steps.add(Map.entry("trimBefore", () -> log.trimBefore(1)));
    steps.add(Map.entry("trimBefore (failing)", () -> log.trimBefore(1_000_000)));
    steps.add(Map.entry("store.exists", () -> store.exists(log.name())));
    steps.add(Map.entry("store.list", () -> store.list()));
    steps.add(Map.entry("store.open", () -> store.open(log.name(), baseOptions())));
    return steps;
  }

  @Test
  public void futuresCompleteOnTheCallersEventLoopContext() throws Exception {
    PartitionLog log = open("ctx-event-loop");
    Context ctx = vertx.getOrCreateContext();
    assertCompletesOnContext(ctx, "event-loop context", everyCall(log));
  }

  @Test
  public void futuresCompleteOnTheContextOfADeployedWorkerAndEventLoopVerticle() throws Exception {
    PartitionLog log = open("ctx-verticles");
    for (ThreadingModel model : List.of(ThreadingModel.EVENT_LOOP, ThreadingModel.WORKER)) {
      CompletableFuture<Context> started = new CompletableFuture<>();
      String id = await(vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          started.complete(context);
          return Future.succeededFuture();
        }
      }, new DeploymentOptions().setThreadingModel(model)));
      Context ctx = started.get(10, TimeUnit.SECONDS);
      assertCompletesOnContext(ctx, model + " verticle", everyCall(log));
      await(vertx.undeploy(id));
    }
  }

  @Test
  public void aWaiterWokenFromAnotherThreadCompletesOnItsOwnContext() throws Exception {
    PartitionLog log = open("ctx-await");
    Context ctx = vertx.getOrCreateContext();
    CompletableFuture<Context> completedOn = new CompletableFuture<>();
    CountDownLatch waiting = new CountDownLatch(1);
    ctx.runOnContext(v -> {
      log.awaitAppend(0, 30_000).onComplete(ar -> completedOn.complete(Vertx.currentContext()));
      waiting.countDown();
    });
    assertTrue(waiting.await(10, TimeUnit.SECONDS));
    append(log, msg(0)); // from the test thread, not the waiter's context
    assertSame(ctx, completedOn.get(10, TimeUnit.SECONDS), "the waiter completed on the context that waits");
  }

  // ---------------------------------------------------------------------------------------------
  // Truncating the tail (what a replica does after a leader change)

  @Test
  public void truncateToDropsTheTailAndTheNextAppendGetsTheOffset() {
    PartitionLog log = open("truncate");
    List<Message> all = fill(log, 4, 3, 6);
    await(log.truncateTo(6));
    assertEquals(0, start(log));
    assertEquals(6, end(log), "the end offset is the truncation offset");
    assertRecords("after truncation", all.subList(0, 6), 0, readAll(log, 0));
    assertFails(ErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(7, 10, 1000));
    assertEquals(OptionalLong.empty(), await(log.offsetForTimestamp(T0 + 6)), "truncated timestamps are gone");
    List<Message> more = msgs(100, 2, 6);
    assertEquals(6, append(log, more).baseOffset(), "the next append gets the truncation offset");
    assertRecords("appended after truncation", more, 6, readAll(log, 6));
    assertEquals(OptionalLong.of(6), await(log.offsetForTimestamp(T0 + 7)));
  }

  @Test
  public void truncateToAcrossSegmentsDropsWholeSegmentsAndShrinksTheSize() {
    PartitionLog log = open("truncate-segments", smallSegments());
    List<Message> all = fill(log, 40, 2, 40);
    List<SegmentInfo> before = await(log.segments());
    assertTrue(before.size() > 3, "the case needs several segments: " + before);
    long sizeBefore = await(log.sizeInBytes());
    long cut = before.get(1).baseOffset() + 2;
    await(log.truncateTo(cut));
    assertEquals(cut, end(log));
    List<SegmentInfo> after = await(log.segments());
    assertTrue(after.size() <= 2, "segments above the cut are gone: " + after);
    assertEquals(cut, after.get(after.size() - 1).nextOffset(), "the last segment ends at the cut");
    assertTrue(after.get(after.size() - 1).active(), "the last segment is active");
    assertTrue(await(log.sizeInBytes()) < sizeBefore, "the size shrinks");
    assertRecords("after truncation", all.subList(0, (int) cut), 0, readAll(log, 0));
    List<Message> more = msgs(500, 30, 40);
    for (Message m : more) {
      append(log, m);
    }
    List<Message> expected = new ArrayList<>(all.subList(0, (int) cut));
    expected.addAll(more);
    assertRecords("appends after truncation span segments again", expected, 0, readAll(log, 0));
  }

  @Test
  public void truncateToAtOrPastTheEndIsANoOpAndAtTheStartEmptiesTheLog() {
    PartitionLog log = open("truncate-edges");
    List<Message> all = fill(log, 3, 4, 6);
    await(log.truncateTo(12));
    await(log.truncateTo(13));
    await(log.truncateTo(Long.MAX_VALUE));
    assertEquals(12, end(log));
    assertRecords("no-op truncations", all, 0, readAll(log, 0));
    await(log.trimBefore(5));
    await(log.truncateTo(5));
    assertEquals(5, start(log), "truncating at a mid-batch start empties the log");
    assertEquals(5, end(log));
    assertEquals(List.of(), readAll(log, 5));
    assertEquals(5, append(log, msg(77)).baseOffset(), "appends continue at the start");
    assertRecords("after emptying", List.of(msg(77)), 5, readAll(log, 5));
  }

  @Test
  public void badTruncationOffsetsFailAndChangeNothing() {
    PartitionLog log = open("truncate-bad");
    List<Message> all = new ArrayList<>(fill(log, 3, 3, 4));
    await(log.trimBefore(3));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.truncateTo(-1));
    OffsetOutOfRangeException e = (OffsetOutOfRangeException) assertFails(ErrorCode.OFFSET_OUT_OF_RANGE,
        () -> log.truncateTo(2));
    assertEquals(3, e.startOffset());
    assertEquals(9, e.endOffset());
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.truncateTo(7)); // inside the batch 6..8
    long end = assertNothingChanged(log, 3, 9, all);
    await(log.close());
    assertFails(ErrorCode.STORE_CLOSED, () -> log.truncateTo(3));
    PartitionLog again = open("truncate-bad");
    assertEquals(end, end(again), "the failed truncation on the closed log changed nothing");
  }

  @Test
  public void aWaiterKeepsWaitingAcrossATruncationAndAnAppendWakesIt() {
    PartitionLog log = open("truncate-waiter");
    fill(log, 2, 2, 4);
    Future<Long> waiter = log.awaitAppend(4, 30_000);
    await(log.truncateTo(2));
    assertFalse(waiter.isComplete(), "a truncation is not an append");
    append(log, msgs(10, 3, 4));
    assertEquals(5, await(waiter), "woken by the append that passes its offset");
  }

  @Test
  @EnabledIf("durable")
  public void aTruncationSurvivesANewStoreOnTheSameDirectory() {
    PartitionLog log = open("truncate-durable", smallSegments());
    List<Message> all = fill(log, 30, 2, 40);
    await(log.truncateTo(24));
    reopenStore();
    PartitionLog again = open("truncate-durable", smallSegments());
    assertEquals(24, end(again));
    assertRecords("after reopening", all.subList(0, 24), 0, readAll(again, 0));
    assertEquals(24, append(again, msg(1000)).baseOffset());
  }

  // ---------------------------------------------------------------------------------------------
  // Reopening

  @Test
  public void reopeningAClosedLogKeepsEverything() {
    PartitionLog log = open("reopen", smallSegments());
    List<Message> all = fill(log, 20, 3, 20);
    await(log.trimBefore(5));
    List<SegmentInfo> segments = await(log.segments());
    await(log.close());
    assertFalse(log.isOpen());
    PartitionLog again = open("reopen", smallSegments());
    assertNotSame(log, again, "a closed log is not handed out again");
    assertEquals(5, start(again));
    assertEquals(60, end(again));
    assertRecords("reopened", all.subList(5, 60), 5, readAll(again, 5));
    assertEquals(segments.size(), await(again.segments()).size());
    assertEquals(OptionalLong.of(10), await(again.offsetForTimestamp(T0 + 10)));
    assertEquals(60, append(again, msg(60)).baseOffset(), "appends continue at the end");
  }

  @Test
  public void openingAnOpenLogReturnsTheSameLog() {
    PartitionLog log = open("same");
    append(log, msg(0));
    PartitionLog again = open("same");
    assertSame(log, again, "one open log per name: the single writer");
    assertEquals(1, end(again));
  }

  @Test
  public void closingALogTwiceIsANoOp() {
    PartitionLog log = open("close-twice");
    await(log.close());
    await(log.close());
    assertFalse(log.isOpen());
  }

  @Test
  @EnabledIf("durable")
  public void aNewStoreOnTheSameDirectoryKeepsDataOffsetsStartAndTimestamps() {
    PartitionLog log = open("durable-a", smallSegments());
    List<Message> all = fill(log, 30, 3, 20);
    await(log.trimBefore(17));
    PartitionLog other = open("durable-b");
    append(other, msgs(0, 2, 4));
    reopenStore();

    assertEquals(List.of("durable-a", "durable-b"), await(store.list()));
    assertTrue(await(store.exists("durable-a")));
    PartitionLog a = open("durable-a", smallSegments());
    assertEquals(17, start(a), "the trimmed start survives");
    assertEquals(90, end(a));
    assertRecords("after reopening the store", all.subList(17, 90), 17, readAll(a, 17));
    assertEquals(OptionalLong.of(17), await(a.offsetForTimestamp(T0)));
    assertEquals(OptionalLong.of(40), await(a.offsetForTimestamp(T0 + 40)));
    assertEquals(OptionalLong.empty(), await(a.offsetForTimestamp(T0 + 90)));
    assertFails(ErrorCode.OFFSET_OUT_OF_RANGE, () -> a.read(16, 10, 1000));
    assertEquals(90, append(a, msg(90)).baseOffset(), "appends continue at the end");
    PartitionLog b = open("durable-b");
    assertEquals(2, end(b));
  }

  @Test
  @EnabledIf("durable")
  public void aNewStoreOnTheSameDirectoryKeepsAFullyTrimmedLogAndDrops() {
    PartitionLog log = open("trimmed-all", smallSegments());
    fill(log, 10, 3, 20);
    await(log.trimBefore(30));
    open("dropped");
    await(store.drop("dropped"));
    reopenStore();
    assertEquals(List.of("trimmed-all"), await(store.list()), "a dropped log stays dropped");
    PartitionLog again = open("trimmed-all", smallSegments());
    assertEquals(30, start(again));
    assertEquals(30, end(again));
    assertEquals(30, append(again, msg(30)).baseOffset());
    reopenStore();
    PartitionLog third = open("trimmed-all", smallSegments());
    assertEquals(30, start(third));
    assertEquals(31, end(third));
  }

  // ---------------------------------------------------------------------------------------------
  // The store: list, exists, drop, names

  @Test
  public void listExistsAndDrop() {
    assertEquals(List.of(), await(store.list()));
    open("b-log");
    PartitionLog a = open("a-log");
    open("c.log_1-x");
    await(a.close());
    assertEquals(List.of("a-log", "b-log", "c.log_1-x"), await(store.list()), "sorted, open or not");
    assertTrue(await(store.exists("a-log")), "a closed log still exists");
    assertFalse(await(store.exists("nope")));
    await(store.drop("b-log"));
    assertEquals(List.of("a-log", "c.log_1-x"), await(store.list()));
    assertFalse(await(store.exists("b-log")));
    await(store.drop("a-log"));
    assertEquals(List.of("c.log_1-x"), await(store.list()), "a closed log can be dropped");
  }

  @Test
  public void droppingAnUnknownLogFails() {
    open("known");
    assertFails(ErrorCode.UNKNOWN_LOG, () -> store.drop("unknown"));
    assertEquals(List.of("known"), await(store.list()));
  }

  @Test
  public void droppingAnOpenLogClosesItAndReopeningStartsEmpty() {
    PartitionLog log = open("drop-me");
    fill(log, 2, 3, 4);
    Future<Long> waiter = log.awaitAppend(100, 30_000);
    await(store.drop("drop-me"));
    assertFalse(log.isOpen(), "drop closes the open log");
    assertFails(ErrorCode.STORE_CLOSED, () -> waiter);
    assertFails(ErrorCode.STORE_CLOSED, () -> log.append(RecordBatch.of(msg(9))));
    PartitionLog fresh = open("drop-me");
    assertEquals(0, start(fresh));
    assertEquals(0, end(fresh));
    assertEquals(0, append(fresh, msg(0)).baseOffset(), "a dropped name starts from offset 0 again");
  }

  @Test
  public void createIfMissingFalseOnAMissingLogFailsWithUnknownLog() {
    assertFails(ErrorCode.UNKNOWN_LOG, () -> store.open("missing", baseOptions().setCreateIfMissing(false)));
    assertFalse(await(store.exists("missing")), "nothing was created");
    assertEquals(List.of(), await(store.list()));
    PartitionLog log = open("present");
    append(log, msg(0));
    await(log.close());
    PartitionLog again = open("present", baseOptions().setCreateIfMissing(false));
    assertEquals(1, end(again), "an existing log opens without createIfMissing");
  }

  @Test
  public void invalidLogNamesAreRejected() {
    List<String> bad = new ArrayList<>(List.of("", ".", "..", "a/b", "../up", "a b", "tab\t", "ünicode", "a:b", "x".repeat(250)));
    bad.add(null);
    for (String name : bad) {
      assertFails(ErrorCode.INVALID_NAME, () -> store.open(name, baseOptions()));
      assertFails(ErrorCode.INVALID_NAME, () -> store.drop(name));
      assertFails(ErrorCode.INVALID_NAME, () -> store.exists(name));
    }
    assertEquals(List.of(), await(store.list()), "nothing was created");
    PartitionLog longest = open("x".repeat(249));
    assertEquals("x".repeat(249), longest.name());
    open("...");
    assertEquals(List.of("...", "x".repeat(249)), await(store.list()));
  }

  // ---------------------------------------------------------------------------------------------
  // Bad input changes nothing

  @Test
  public void negativeAndBeyondEndReadOffsetsFail() {
    PartitionLog log = open("bad-read-offsets");
    List<Message> all = new ArrayList<>(fill(log, 2, 3, 4));
    OffsetOutOfRangeException low = (OffsetOutOfRangeException) assertFails(ErrorCode.OFFSET_OUT_OF_RANGE,
        () -> log.read(-1, 10, 1000));
    assertEquals(-1, low.requested());
    OffsetOutOfRangeException high = (OffsetOutOfRangeException) assertFails(ErrorCode.OFFSET_OUT_OF_RANGE,
        () -> log.read(7, 10, 1000));
    assertEquals(7, high.requested());
    assertEquals(0, high.startOffset());
    assertEquals(6, high.endOffset());
    assertFails(ErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(Long.MAX_VALUE, 10, 1000));
    assertFails(ErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(Long.MIN_VALUE, 10, 1000));
    assertNothingChanged(log, 0, 6, all);
  }

  @Test
  public void nonPositiveReadLimitsFail() {
    PartitionLog log = open("bad-limits");
    List<Message> all = new ArrayList<>(fill(log, 1, 3, 4));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.read(0, 0, 1000));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.read(0, -1, 1000));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.read(0, 10, 0));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.read(0, 10, -5));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.read(3, 0, 1000));
    assertNothingChanged(log, 0, 3, all);
  }

  @Test
  public void negativeTrimOffsetFails() {
    PartitionLog log = open("bad-trim");
    List<Message> all = new ArrayList<>(fill(log, 1, 3, 4));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.trimBefore(-1));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.trimBefore(Long.MIN_VALUE));
    assertNothingChanged(log, 0, 3, all);
  }

  @Test
  public void aNullBatchFails() {
    PartitionLog log = open("null-batch");
    List<Message> all = new ArrayList<>(fill(log, 1, 2, 4));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.append(null));
    assertNothingChanged(log, 0, 2, all);
  }

  @Test
  public void anOversizeRecordFailsWithRecordTooLarge() {
    LogOptions options = baseOptions().setMaxRecordBytes(256);
    PartitionLog log = open("big-record", options);
    List<Message> all = new ArrayList<>(fill(log, 1, 2, 4));
    int valueBytesAtLimit = 256 - RecordBatch.RECORD_OVERHEAD;
    Message atLimit = Message.of((Buffer) null, Buffer.buffer(new byte[valueBytesAtLimit])).withTimestamp(T0);
    Message overLimit = Message.of((Buffer) null, Buffer.buffer(new byte[valueBytesAtLimit + 1])).withTimestamp(T0);
    SluiceException e = assertFails(ErrorCode.RECORD_TOO_LARGE, () -> log.append(RecordBatch.of(msg(7), overLimit)));
    assertFalse(e.retriable());
    assertNothingChanged(log, 0, 2, all);
    assertEquals(3, append(log, atLimit).baseOffset(), "a record of exactly maxRecordBytes is accepted");
  }

  @Test
  public void anOversizeBatchFailsWithBatchTooLarge() {
    PartitionLog log = open("big-batch", baseOptions().setMaxBatchBytes(512));
    List<Message> all = new ArrayList<>(fill(log, 1, 2, 4));
    RecordBatch.Builder b = RecordBatch.builder();
    int i = 0;
    while (b.sizeInBytes() <= 512) {
      b.add(msg(i++, 20));
    }
    RecordBatch tooBig = b.build();
    assertTrue(tooBig.largestRecordSize() < LogOptions.DEFAULT_MAX_RECORD_BYTES);
    assertFails(ErrorCode.BATCH_TOO_LARGE, () -> log.append(tooBig));
    assertNothingChanged(log, 0, 2, all);
    RecordBatch.Builder fits = RecordBatch.builder();
    fits.add(Message.of((Buffer) null, Buffer.buffer(new byte[512 - RecordBatch.HEADER_SIZE - RecordBatch.RECORD_OVERHEAD]))
        .withTimestamp(T0));
    assertEquals(512, fits.sizeInBytes());
    assertEquals(3, await(log.append(fits.build())).baseOffset(), "a batch of exactly maxBatchBytes is accepted");
  }

  @Test
  public void aBatchWithACorruptedCrcOrFramingFailsWithInvalidArgument() {
    PartitionLog log = open("corrupt-batch");
    List<Message> all = new ArrayList<>(fill(log, 1, 2, 4));
    Buffer flipped = RecordBatch.of(msgs(10, 3, 10)).buffer().copy();
    int pos = flipped.length() - 3;
    flipped.setByte(pos, (byte) (flipped.getByte(pos) ^ 0x10));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.append(RecordBatch.wrap(flipped)));
    assertNothingChanged(log, 0, 2, all);

    // Framing that lies about the record count, with a CRC recomputed to match: caught by the framing check.
    Buffer lying = RecordBatch.of(msgs(10, 3, 10)).buffer().copy();
    lying.setInt(RecordBatch.RECORD_COUNT_POS, 4);
    RecordBatch lyingBatch = RecordBatch.wrap(lying);
    lying.setInt(RecordBatch.CRC_POS, lyingBatch.computeCrc());
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> log.append(lyingBatch));
    assertNothingChanged(log, 0, 3, all);
  }

  @Test
  public void everyCallOnAClosedLogFailsWithStoreClosed() {
    PartitionLog log = open("closed-log");
    fill(log, 1, 3, 4);
    await(log.close());
    assertFalse(log.isOpen());
    assertFails(ErrorCode.STORE_CLOSED, () -> log.append(RecordBatch.of(msg(3))));
    assertFails(ErrorCode.STORE_CLOSED, () -> log.read(0, 10, 1000));
    assertFails(ErrorCode.STORE_CLOSED, log::startOffset);
    assertFails(ErrorCode.STORE_CLOSED, log::endOffset);
    assertFails(ErrorCode.STORE_CLOSED, () -> log.offsetForTimestamp(T0));
    assertFails(ErrorCode.STORE_CLOSED, () -> log.trimBefore(1));
    assertFails(ErrorCode.STORE_CLOSED, () -> log.awaitAppend(0, 100));
    assertFails(ErrorCode.STORE_CLOSED, log::segments);
    assertFails(ErrorCode.STORE_CLOSED, log::sizeInBytes);
    assertFails(ErrorCode.STORE_CLOSED, log::flush);
    PartitionLog again = open("closed-log");
    assertEquals(0, start(again), "the failed trim on the closed log changed nothing");
    assertEquals(3, end(again), "the failed append on the closed log changed nothing");
  }

  @Test
  public void everyCallAfterTheStoreClosesFailsWithStoreClosed() {
    PartitionLog log = open("closed-store");
    fill(log, 1, 3, 4);
    await(store.close());
    assertFalse(log.isOpen(), "the store's close closes its logs");
    assertFails(ErrorCode.STORE_CLOSED, () -> log.append(RecordBatch.of(msg(3))));
    assertFails(ErrorCode.STORE_CLOSED, () -> log.read(0, 10, 1000));
    assertFails(ErrorCode.STORE_CLOSED, () -> store.open("closed-store", baseOptions()));
    assertFails(ErrorCode.STORE_CLOSED, () -> store.open("another", baseOptions()));
    assertFails(ErrorCode.STORE_CLOSED, () -> store.list());
    assertFails(ErrorCode.STORE_CLOSED, () -> store.exists("closed-store"));
    assertFails(ErrorCode.STORE_CLOSED, () -> store.drop("closed-store"));
    await(store.close()); // closing twice is a no-op
  }

  @Test
  public void flushSucceedsAndOptionsAreACopy() {
    LogOptions options = baseOptions().setSegmentBytes(4096).setMaxRecordBytes(1000).setMaxBatchBytes(2000);
    PartitionLog log = open("options", options);
    options.setSegmentBytes(8192);
    assertEquals(4096, log.options().getSegmentBytes(), "the store copied the options it was given");
    log.options().setSegmentBytes(16384);
    assertEquals(4096, log.options().getSegmentBytes(), "options() hands out a copy");
    assertEquals(1000, log.options().getMaxRecordBytes());
    assertEquals(2000, log.options().getMaxBatchBytes());
    assertEquals("options", log.name());
    append(log, msg(0));
    await(log.flush());
    assertEquals(1, end(log));
  }

  // ---------------------------------------------------------------------------------------------
  // The oracle

  /** What the model expects at one offset: the message and the offsets of the batch that holds it. */
  private record Expected(Message message, long batchBase, long batchLast) {
  }

  @Test
  public void randomOperationsAgreeWithATreeMapModel() {
    long seed = Long.getLong("sluice.contract.seed", System.nanoTime());
    try {
      runOracle(new Random(seed), 700);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("oracle failed with seed " + seed + " (rerun with -Dsluice.contract.seed=" + seed + "): "
          + e.getMessage(), e);
    }
  }

  private Message randomMessage(Random random, int n, long baseTs) {
    Buffer key = random.nextInt(5) == 0 ? null : Buffer.buffer("key-" + random.nextInt(50));
    Buffer value;
    int kind = random.nextInt(10);
    if (kind == 0) {
      value = null;
    } else {
      byte[] bytes = new byte[kind == 1 ? random.nextInt(400) : random.nextInt(40)];
      random.nextBytes(bytes);
      value = Buffer.buffer(bytes);
    }
    Message m = Message.of(key, value).withTimestamp(Math.max(0, baseTs + random.nextInt(61) - 30));
    if (random.nextInt(4) == 0) {
      m = m.withHeader("n", String.valueOf(n));
      if (random.nextBoolean()) {
        m = m.withHeader("n", Buffer.buffer(new byte[] {(byte) n, 0, -1}));
      }
    }
    return m;
  }

  private void runOracle(Random random, int steps) {
    String name = "oracle";
    LogOptions options = smallSegments();
    PartitionLog log = open(name, options);
    TreeMap<Long, Expected> model = new TreeMap<>();
    long start = 0;
    long end = 0;
    int counter = 0;
    for (int step = 0; step < steps; step++) {
      long ts = T0 + step * 10L;
      int op = random.nextInt(100);
      String where = "step " + step;
      if (op < 40) {
        int size = random.nextInt(10) == 0 ? 1 + random.nextInt(30) : 1 + random.nextInt(4);
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          batch.add(randomMessage(random, counter++, ts));
        }
        AppendResult r = append(log, batch);
        assertEquals(end, r.baseOffset(), where + ": append base offset");
        for (int i = 0; i < size; i++) {
          model.put(end + i, new Expected(batch.get(i), end, end + size - 1));
        }
        end += size;
      } else if (op < 70) {
        long from = start + (end == start ? 0 : (long) (random.nextDouble() * (end - start + 1)));
        from = Math.min(from, end);
        int maxRecords = random.nextBoolean() ? 1 + random.nextInt(5) : 1 + random.nextInt(200);
        int maxBytes = random.nextInt(3) == 0 ? 1024 * 1024 : 1 + random.nextInt(3000);
        Records rs = await(log.read(from, maxRecords, maxBytes));
        String what = where + ": read(" + from + ", " + maxRecords + ", " + maxBytes + ")";
        checkAnswer(rs, from);
        if (from == end) {
          assertTrue(rs.isEmpty(), what + " at the end is empty");
        } else {
          Expected first = model.get(from);
          assertTrue(rs.count() >= 1 && rs.count() <= maxRecords, what + ": count " + rs.count());
          long batchRest = first.batchLast() - from + 1;
          assertTrue(rs.count() >= Math.min(maxRecords, batchRest), what + ": at least the rest of the first batch");
          if (rs.batches().size() > 1) {
            assertTrue(rs.sizeInBytes() <= maxBytes, what + ": " + rs.sizeInBytes() + " bytes over maxBytes");
          }
          List<Record> got = rs.toList();
          for (int i = 0; i < got.size(); i++) {
            assertRecord(what, model.get(from + i).message(), from + i, got.get(i));
          }
        }
      } else if (op < 80) {
        long t = T0 + random.nextInt(steps * 10 + 100) - 50;
        OptionalLong expected = OptionalLong.empty();
        for (Map.Entry<Long, Expected> e : model.tailMap(start, true).entrySet()) {
          if (e.getValue().message().timestamp() >= t) {
            expected = OptionalLong.of(e.getKey());
            break;
          }
        }
        assertEquals(expected, await(log.offsetForTimestamp(t)), where + ": offsetForTimestamp(" + t + ")");
      } else if (op < 86) {
        long to = random.nextInt(4) == 0 ? start - random.nextInt(3) : start + (long) (random.nextDouble() * (end - start + 1));
        to = Math.max(0, Math.min(to, end));
        await(log.trimBefore(to));
        start = Math.max(start, to);
        model.headMap(start).clear();
      } else if (op < 90) {
        PartitionLog current = log;
        if (start > 0) {
          long below = start - 1 - random.nextInt((int) Math.min(start, 10));
          OffsetOutOfRangeException e = (OffsetOutOfRangeException) assertFails(ErrorCode.OFFSET_OUT_OF_RANGE,
              () -> current.read(below, 10, 1000));
          assertEquals(start, e.startOffset(), where + ": range in the exception");
          assertEquals(end, e.endOffset(), where + ": range in the exception");
        }
        long past = end + 1 + random.nextInt(10);
        assertFails(ErrorCode.OFFSET_OUT_OF_RANGE, () -> current.trimBefore(past));
      } else if (op < 94) {
        if (durable() && random.nextBoolean()) {
          reopenStore();
        } else {
          await(log.close());
        }
        log = open(name, options);
      } else if (end > 0) {
        assertEquals(end, await(log.awaitAppend(end - 1, 5000)), where + ": awaitAppend below the end");
      }
      assertEquals(start, start(log), where + ": start offset");
      assertEquals(end, end(log), where + ": end offset");
    }
    List<Record> everything = readAll(log, start);
    assertEquals(model.size(), everything.size());
    for (Record r : everything) {
      assertRecord("final read", model.get(r.offset()).message(), r.offset(), r);
    }
  }
}
