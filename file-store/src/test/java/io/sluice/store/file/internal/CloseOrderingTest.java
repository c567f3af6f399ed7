package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.store.file.CorruptionPolicy;
import io.sluice.store.file.FileLogStore;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When {@code close} or {@code drop} completes, the store is done with the files: everything a clean close
 * writes is there, and deleting the directory right away provokes nothing (no file reappears, no warning).
 * Repeated, with appends still queued and segments rolling, because the gap this guards is a race.
 */
class CloseOrderingTest extends FileStoreTestBase {

  private static final int ROUNDS = 10;
  private static final String[] NAMES = {"always", "never", "interval", "always-2"};

  private final Logger julLogger = Logger.getLogger("io.sluice.store.file");
  private final ConcurrentLinkedQueue<LogRecord> warnings = new ConcurrentLinkedQueue<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(r);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeEach
  void captureWarnings() {
    julLogger.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    julLogger.removeHandler(capture);
  }

  private static LogOptions options(String name) {
    FsyncPolicy fsync = switch (name) {
      case "never" -> FsyncPolicy.never();
      case "interval" -> FsyncPolicy.interval(1);
      default -> FsyncPolicy.always();
    };
    return small().setFsync(fsync);
  }

  /** Appends that are still queued when the caller closes: the close has to wait for the writer to get to it. */
  private static List<Future<?>> appendWithoutWaiting(PartitionLog log, int batches) {
    List<Future<?>> pending = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      pending.add(log.append(batch(b, 2, 40)));
    }
    return pending;
  }

  private static Set<Thread> storeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("sluice-file-"))
        .collect(Collectors.toSet());
  }

  /** Deletes the directory as a caller would the moment close/drop completed. */
  private static void deleteNow(Path dir) throws IOException {
    DiskOps.deleteRecursively(dir);
    assertFalse(Files.exists(dir));
  }

  private void assertNoWarnings() {
    LogRecord w = warnings.peek();
    if (w != null) {
      throw new AssertionError("the store logged after it was done: " + w.getMessage(), w.getThrown());
    }
  }

  @Test
  void whenStoreCloseCompletesEveryLogIsCleanlyOnDiskAndNoStoreThreadTouchesTheFilesAgain() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Set<Thread> before = storeThreads();
      Path dir = dataDir.resolve("round-" + round);
      FileLogStore s = newStore(dir, CorruptionPolicy.FAIL);
      List<Future<?>> pending = new ArrayList<>();
      for (String name : NAMES) {
        PartitionLog log = await(s.open(name, options(name)));
        fill(log, 5, 2, 40);
        pending.addAll(appendWithoutWaiting(log, 40));
      }
      await(s.close());
      for (String name : NAMES) {
        Path logDir = dir.resolve(name);
        assertTrue(Files.exists(logDir.resolve(SegmentFiles.CLEAN_SHUTDOWN)), "clean marker of " + name + ", round " + round);
        assertNotNull(LogCheckpoint.read(logDir), "checkpoint of " + name + ", round " + round);
      }
      for (Future<?> f : pending) {
        assertTrue(f.isComplete(), "an append queued before close is answered by the time close completes");
      }
      deleteNow(dir);
      awaitThreadsEnd(before);
      assertFalse(Files.exists(dir), "round " + round + ": the store recreated files after close completed");
      assertNoWarnings();
    }
  }

  @Test
  void whenDropCompletesTheLogIsClosedAndGoneEvenIfItsCloseWasAlreadyUnderWay() throws Exception {
    Set<Thread> before = storeThreads();
    for (int round = 0; round < ROUNDS; round++) {
      String name = NAMES[round % NAMES.length] + "-" + round;
      PartitionLog log = await(store.open(name, options(NAMES[round % NAMES.length])));
      fill(log, 5, 2, 40);
      List<Future<?>> pending = appendWithoutWaiting(log, 40);
      Future<Void> closing = round % 2 == 0 ? log.close() : null;
      Future<Void> dropped = store.drop(name);
      if (closing == null) {
        closing = log.close();
      }
      await(dropped);
      assertFalse(log.isOpen());
      assertTrue(closing.isComplete() || await(closing) == null);
      for (Future<?> f : pending) {
        assertTrue(f.isComplete(), "an append queued before the drop is answered by the time it completes");
      }
      assertFalse(Files.exists(dataDir.resolve(name)), "round " + round);
      try (var entries = Files.list(dataDir)) {
        assertEquals(List.of(), entries.filter(p -> p.getFileName().toString().contains("~dropped-")).toList());
      }
    }
    await(store.close());
    awaitThreadsEnd(before);
    for (int round = 0; round < ROUNDS; round++) {
      assertFalse(Files.exists(dataDir.resolve(NAMES[round % NAMES.length] + "-" + round)), "a dropped log came back");
    }
    assertNoWarnings();
  }

  /** Once the store's threads are gone, anything they were going to do is done: then the checks mean something. */
  private static void awaitThreadsEnd(Set<Thread> before) {
    Set<Thread> mine = new HashSet<>(storeThreads());
    mine.removeAll(before);
    eventually("the store's threads end", () -> mine.stream().noneMatch(Thread::isAlive));
  }
}
