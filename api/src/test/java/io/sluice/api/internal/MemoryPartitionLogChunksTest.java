package io.sluice.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.internal.PlatformDependent;
import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.SegmentInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the memory log does with its chunks: trimming releases the chunks only trimmed segments used, reads
 * after a trim or a truncation see exactly the records left, and truncation lets appends reuse the bytes.
 * Chunks of 256 bytes and segments of about 1 KiB, so segments and batches straddle chunk ends.
 */
class MemoryPartitionLogChunksTest {

  private Vertx vertx;
  private MemoryPartitionLog.Data data;
  private MemoryPartitionLog log;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    data = new MemoryPartitionLog.Data(new ChunkedBytes(256, 256));
    log = new MemoryPartitionLog(vertx, "chunks", new LogOptions().setSegmentBytes(1024), data);
  }

  @AfterEach
  void close() {
    await(log.close());
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().join();
  }

  /** Appends batches of 3 records with 30-byte values (about 150 bytes each); returns the values in offset order. */
  private List<String> fill(int batches) {
    List<String> values = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      List<Message> ms = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String v = String.format("value %05d ......................", values.size());
        values.add(v);
        ms.add(Message.of("k", v));
      }
      await(log.append(RecordBatch.of(ms)));
    }
    return values;
  }

  private List<String> readValues(long from) {
    List<String> out = new ArrayList<>();
    long end = await(log.endOffset());
    while (from < end) {
      Records rs = await(log.read(from, 7, 400));
      for (Record r : rs) {
        out.add(r.value().toString());
      }
      from = rs.nextOffset();
    }
    return out;
  }

  @Test
  void trimmingReleasesTheChunksOfDroppedSegmentsAndReadsStillSeeTheRest() {
    List<String> values = fill(60);
    long heldBefore = data.bytes.capacity();
    int segmentsBefore = await(log.segments()).size();
    assertTrue(segmentsBefore > 4, "several segments");
    long cut = await(log.segments()).get(3).baseOffset() + 1;
    await(log.trimBefore(cut));
    assertEquals(segmentsBefore - 3, await(log.segments()).size());
    assertTrue(data.bytes.capacity() <= heldBefore - 3 * 1024 + 2 * 256,
        "the chunks of three ~1 KiB segments are released: " + heldBefore + " -> " + data.bytes.capacity());
    assertEquals(values.subList((int) cut, values.size()), readValues(cut));

    await(log.trimBefore(await(log.endOffset())));
    assertTrue(data.bytes.capacity() <= 256, "at most the chunk still filling is held: " + data.bytes.capacity());
    List<String> more = fill(5);
    assertEquals(more, readValues(180));
  }

  @Test
  void truncationCutsAtABatchAndAppendsContinueThere() {
    List<String> values = fill(20);
    await(log.truncateTo(30));
    assertEquals(30, await(log.endOffset()));
    assertEquals(values.subList(0, 30), readValues(0));
    List<String> more = fill(10);
    List<String> expected = new ArrayList<>(values.subList(0, 30));
    expected.addAll(more);
    assertEquals(expected, readValues(0));
    assertEquals(expected.subList(31, expected.size()), readValues(31), "a read from mid-batch after truncation");
    assertEquals(await(log.sizeInBytes()), data.bytes.end() - data.bytes.retainedFrom(),
        "the log's size is exactly the bytes between the first retained position and the end");
  }

  @Test
  void anAppendWhenMemoryIsExhaustedFailsTypedAndChangesNothing() {
    boolean[] full = {false};
    MemoryPartitionLog.Data small = new MemoryPartitionLog.Data(new ChunkedBytes(256, 256, size -> {
      if (full[0]) {
        throw new OutOfMemoryError("Cannot reserve " + size + " bytes of direct buffer memory (test)");
      }
      return PlatformDependent.allocateDirect(size);
    }));
    MemoryPartitionLog tight = new MemoryPartitionLog(vertx, "full", new LogOptions().setSegmentBytes(1024), small);
    try {
      await(tight.append(RecordBatch.of(Message.of("k", "first"))));
      List<SegmentInfo> before = await(tight.segments());
      full[0] = true;
      Throwable e = tight.append(RecordBatch.of(Message.of("k", "x".repeat(1100)))).cause();
      assertEquals(ErrorCode.STORAGE_FAILURE, ((SluiceException) e).code(), "typed: " + e);
      assertEquals(1, await(tight.endOffset()), "nothing appended");
      assertEquals(before, await(tight.segments()), "no segment rolled for the failed batch");
      full[0] = false;
      assertEquals(1, await(tight.append(RecordBatch.of(Message.of("k", "second")))).baseOffset());
      assertEquals(2, await(tight.read(0, 10, 10_000)).count());
    } finally {
      await(tight.close());
      small.release();
    }
  }

  @Test
  void truncatingToATrimmedStartInsideABatchEmptiesTheLog() {
    fill(10);
    await(log.trimBefore(14));
    await(log.truncateTo(14));
    assertEquals(14, await(log.startOffset()));
    assertEquals(14, await(log.endOffset()));
    List<String> more = fill(2);
    assertEquals(more, readValues(14));
  }
}
