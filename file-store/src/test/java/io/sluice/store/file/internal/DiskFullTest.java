package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.SluiceException;
import io.sluice.api.StorageException;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.store.file.FileLogStore;
import io.sluice.store.file.FileStoreOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A full disk: the store's {@code maxDataBytes} guard (appends past it fail {@code disk_full} having
 * written nothing, reads go on, room made by trims and drops is usable at once, a reopened store counts
 * what is on disk), and a real ENOSPC from the kernel mapped to the same code.
 */
class DiskFullTest extends FileStoreTestBase {

  private static final int VALUE_BYTES = 1000;
  private final List<FileLogStore> limited = new ArrayList<>();

  @AfterEach
  void closeLimited() {
    for (FileLogStore s : limited) {
      await(s.close());
    }
  }

  private FileLogStore limitedStore(long maxDataBytes) {
    FileLogStore s = FileLogStore.create(vertx, new FileStoreOptions().setDataDir(dataDir.toString())
        .setMaxDataBytes(maxDataBytes));
    limited.add(s);
    return s;
  }

  private static LogOptions segmentsOf4k() {
    return new LogOptions().setSegmentBytes(4096).setIndexIntervalBytes(256);
  }

  /** Appends one-record batches until one fails; returns that failure. Every success is checked later. */
  private static SluiceException appendUntilRefused(PartitionLog log) {
    for (int i = 0; i < 10_000; i++) {
      int next = (int) (long) await(log.endOffset());
      try {
        log.append(batch(next, 1, VALUE_BYTES)).toCompletionStage().toCompletableFuture().get();
      } catch (Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        assertTrue(cause instanceof SluiceException, "typed failure, got " + cause);
        return (SluiceException) cause;
      }
    }
    throw new AssertionError("10,000 appends and never refused");
  }

  @Test
  void appendsPastTheLimitFailDiskFullWritingNothingAndReadsGoOn() throws IOException {
    FileLogStore s = limitedStore(20_000);
    PartitionLog log = await(s.open("orders-0", segmentsOf4k()));

    SluiceException refused = appendUntilRefused(log);
    assertEquals(ErrorCode.DISK_FULL, refused.code(), refused.toString());
    assertTrue(refused.code().retriable());
    assertTrue(refused.getMessage().contains("maxDataBytes"), refused.getMessage());

    long end = await(log.endOffset());
    long onDisk = DataDirLimit.segmentBytes(dataDir);
    assertTrue(onDisk <= 20_000, "data on disk " + onDisk);
    assertTrue(onDisk > 20_000 - 2 * VALUE_BYTES, "the limit was used up to the last batch: " + onDisk);
    // Refused again, and nothing of the refused batches is on disk or readable.
    assertFails(ErrorCode.DISK_FULL, log.append(batch((int) end, 1, VALUE_BYTES)));
    assertEquals(end, await(log.endOffset()));
    assertEquals(onDisk, DataDirLimit.segmentBytes(dataDir));
    assertMsgs(readAll(log, 0), 0, VALUE_BYTES);
    assertEquals(end, readAll(log, 0).size());
  }

  @Test
  void aTrimMakesRoomAndAppendsSucceedAgain() {
    FileLogStore s = limitedStore(20_000);
    PartitionLog log = await(s.open("orders-0", segmentsOf4k()));
    appendUntilRefused(log);
    long end = await(log.endOffset());

    await(log.trimBefore(end / 2));
    long start = await(log.startOffset());
    long added = 0;
    while (true) {
      int next = (int) (long) await(log.endOffset());
      SluiceException e = null;
      try {
        await(log.append(batch(next, 1, VALUE_BYTES)));
        added++;
      } catch (AssertionError a) {
        e = (SluiceException) a.getCause();
      }
      if (e != null) {
        assertEquals(ErrorCode.DISK_FULL, e.code());
        break;
      }
    }
    assertTrue(added >= 3, "the trimmed segments' room is used again, appended " + added);
    assertMsgs(readAll(log, start), start, VALUE_BYTES);
  }

  @Test
  void droppingALogMakesRoomForOthers() {
    FileLogStore s = limitedStore(20_000);
    PartitionLog big = await(s.open("big-0", segmentsOf4k()));
    appendUntilRefused(big);
    PartitionLog other = await(s.open("other-0", segmentsOf4k()));
    assertFails(ErrorCode.DISK_FULL, other.append(batch(0, 1, VALUE_BYTES)));

    await(s.drop("big-0"));
    fill(other, 10, 1, VALUE_BYTES);
    assertMsgs(readAll(other, 0), 0, VALUE_BYTES);
  }

  @Test
  void aReopenedStoreCountsWhatIsOnDisk() {
    FileLogStore s = limitedStore(20_000);
    PartitionLog log = await(s.open("orders-0", segmentsOf4k()));
    appendUntilRefused(log);
    long end = await(log.endOffset());
    await(s.close());

    FileLogStore again = limitedStore(20_000);
    PartitionLog reopened = await(again.open("orders-0", segmentsOf4k()));
    assertFails(ErrorCode.DISK_FULL, reopened.append(batch((int) end, 1, VALUE_BYTES)));
    assertEquals(end, readAll(reopened, 0).size());
  }

  @Test
  void bookkeepingLogsMayUseTheHeadroomSoAFullStoreCanBeEmptied() throws IOException {
    FileLogStore s = limitedStore(20_000);
    appendUntilRefused(await(s.open("orders-0", segmentsOf4k())));
    // The record of a topic's deletion or of a queue's acks still fits; the headroom is bounded too.
    PartitionLog topics = await(s.open("__topics", segmentsOf4k()));
    fill(topics, 5, 1, 100);
    PartitionLog journal = await(s.open("qc.jobs", segmentsOf4k()));
    fill(journal, 5, 1, 100);
    assertEquals(ErrorCode.DISK_FULL, appendUntilRefused(journal).code());
    assertTrue(DataDirLimit.segmentBytes(dataDir) <= 20_000 + (1 << 20));
  }

  @Test
  void withoutALimitNothingIsCounted() {
    PartitionLog log = await(store.open("orders-0", segmentsOf4k()));
    fill(log, 30, 1, VALUE_BYTES);
    assertEquals(30, readAll(log, 0).size());
  }

  @Test
  void aRealNoSpaceErrorFromTheKernelIsDiskFull() throws IOException {
    // /dev/full answers every write with ENOSPC: the same IOException a full file system gives.
    IOException enospc = assertThrows(IOException.class, () -> {
      try (FileChannel ch = FileChannel.open(Paths.get("/dev/full"), StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[4096]));
        ch.force(false);
      }
    });
    StorageException e = DiskOps.failure("log 'orders-0': append failed", enospc);
    assertEquals(ErrorCode.DISK_FULL, e.code(), e.getMessage());
    assertEquals(507, e.code().httpStatus());
    assertEquals(ErrorCode.STORAGE_FAILURE, DiskOps.failure("x", new IOException("Input/output error")).code());
  }

  @Test
  void theOptionsCheckAndCarryTheLimit() {
    FileStoreOptions o = new FileStoreOptions(new JsonObject().put("dataDir", "d").put("maxDataBytes", 1234L)
        .put("bookkeepingLogPrefixes", new JsonArray().add("meta.")));
    assertEquals(1234L, o.getMaxDataBytes());
    assertEquals(List.of("meta."), o.getBookkeepingLogPrefixes());
    assertEquals(o.toJson(), new FileStoreOptions(o.toJson()).toJson());
    assertEquals(0L, new FileStoreOptions().getMaxDataBytes());
    assertThrows(InvalidArgumentException.class, () -> new FileStoreOptions().setMaxDataBytes(-1));
    assertThrows(InvalidArgumentException.class,
        () -> new FileStoreOptions(new JsonObject().put("maxDataBytes", "ten")));
    assertThrows(InvalidArgumentException.class, () -> new FileStoreOptions().setBookkeepingLogPrefixes(List.of("")));
  }
}
