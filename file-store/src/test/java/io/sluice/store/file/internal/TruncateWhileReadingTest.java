package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.Record;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.store.FsyncPolicy;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A follower truncates its log (KIP-101) while reads run on it. A read that began before a truncation may
 * find the cut segment replaced and shorter than its snapshot said: that is the truncation, not damage. It
 * must answer as a read after the truncation would (records or offset_out_of_range), never fail as corrupt
 * and never mark the log corrupt for every later read.
 */
class TruncateWhileReadingTest extends FileStoreTestBase {

  private static final int ROUNDS = 150;
  /** Enough to catch the race most runs on 2 cores; a loaded machine gets through fewer rounds. */
  private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(8);
  private static final int PER_BATCH = 2;
  private static final int VALUE_BYTES = 40;

  @Test
  void readsRacingTruncationsSeeRecordsOrOutOfRangeAndTheLogStaysReadable() throws Exception {
    FilePartitionLog log = open("cut", small().setFsync(FsyncPolicy.never()));
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong reads = new AtomicLong();
    Queue<Throwable> wrong = new ConcurrentLinkedQueue<>();
    Runnable reader = () -> {
      while (writing.get() && wrong.size() < 5) {
        long end = await(log.endOffset());
        // Mostly where the cuts fall, and across several 1 KiB segments.
        long from = ThreadLocalRandom.current().nextLong(end / 4, Math.max(end / 4 + 1, end));
        try {
          Records rs = log.read(from, 500, 64 * 1024).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
          // Every offset only ever holds msg(offset): the writer refills a cut tail with the same records.
          assertMsgs(rs.toList(), rs.count() == 0 ? from : rs.toList().get(0).offset(), VALUE_BYTES);
          reads.incrementAndGet();
        } catch (ExecutionException e) {
          boolean outOfRange = e.getCause() instanceof SluiceException se && se.code() == ErrorCode.OFFSET_OUT_OF_RANGE;
          if (!outOfRange) {
            wrong.add(e.getCause());
          }
        } catch (Exception | AssertionError e) {
          wrong.add(e);
        }
      }
    };
    Thread[] readers = {new Thread(reader, "reader-1"), new Thread(reader, "reader-2")};
    for (Thread t : readers) {
      t.start();
    }
    try {
      long deadline = System.nanoTime() + BUDGET_NANOS;
      for (int round = 0; round < ROUNDS && wrong.isEmpty() && System.nanoTime() < deadline; round++) {
        fill(log, 30, PER_BATCH, VALUE_BYTES);
        long end = await(log.endOffset());
        // A batch boundary somewhere in the last two thirds: often inside an earlier segment, so the cut
        // segment is rewritten and the segments above it deleted while readers hold snapshots of them.
        long cut = end / 3 + ThreadLocalRandom.current().nextLong((end - end / 3) / PER_BATCH) * PER_BATCH;
        await(log.truncateTo(cut - cut % PER_BATCH));
      }
    } finally {
      writing.set(false);
      for (Thread t : readers) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
    }
    assertTrue(wrong.isEmpty(), "reads racing truncations failed: " + wrong);
    assertTrue(reads.get() > 0, "the readers read");
    List<Record> all = readAll(log, 0);
    assertEquals(await(log.endOffset()), all.size());
    assertMsgs(all, 0, VALUE_BYTES);
  }
}
