package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.store.file.CorruptionPolicy;
import io.sluice.store.file.FileLogStore;
import io.sluice.store.file.FileStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A Vertx and a file store over a temporary directory per test, closed after it; helpers to wait and compare. */
abstract class FileStoreTestBase {

  static final long T0 = 1_700_000_000_000L;

  @TempDir
  Path dataDir;

  Vertx vertx;
  FileLogStore store;
  private final List<FileLogStore> stores = new ArrayList<>();

  @BeforeEach
  void startStore() {
    vertx = Vertx.vertx();
    store = newStore(CorruptionPolicy.FAIL);
  }

  @AfterEach
  void closeAll() {
    try {
      for (FileLogStore s : stores) {
        await(s.close());
      }
    } finally {
      await(vertx.close());
    }
  }

  FileLogStore newStore(CorruptionPolicy policy) {
    return newStore(dataDir, policy);
  }

  FileLogStore newStore(Path dir, CorruptionPolicy policy) {
    FileLogStore s = FileLogStore.create(vertx, new FileStoreOptions().setDataDir(dir.toString()).setOnCorruption(policy));
    stores.add(s);
    return s;
  }

  /** Closes the store and opens a new one on the same directory. */
  void reopenStore(CorruptionPolicy policy) {
    await(store.close());
    store = newStore(policy);
  }

  FilePartitionLog open(String name, LogOptions options) {
    return (FilePartitionLog) await(store.open(name, options));
  }

  static LogOptions small() {
    return new LogOptions().setSegmentBytes(1024).setIndexIntervalBytes(64);
  }

  static Message msg(int i, int valueBytes) {
    StringBuilder v = new StringBuilder("v").append(i);
    while (v.length() < valueBytes) {
      v.append('.');
    }
    return Message.of("k" + i, v.toString()).withTimestamp(T0 + i);
  }

  static RecordBatch batch(int from, int count, int valueBytes) {
    List<Message> ms = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      ms.add(msg(i, valueBytes));
    }
    return RecordBatch.of(ms);
  }

  /** Appends {@code batches} batches of {@code perBatch} records, msg(i) at offset i. */
  static void fill(PartitionLog log, int batches, int perBatch, int valueBytes) {
    long end = await(log.endOffset());
    for (int b = 0; b < batches; b++) {
      long base = await(log.append(batch((int) end, perBatch, valueBytes))).baseOffset();
      assertEquals(end, base);
      end += perBatch;
    }
  }

  static List<Record> readAll(PartitionLog log, long from) {
    long end = await(log.endOffset());
    List<Record> out = new ArrayList<>();
    long next = from;
    while (next < end) {
      Records rs = await(log.read(next, 1000, 1 << 20));
      assertTrue(rs.count() > 0, "progress at " + next);
      out.addAll(rs.toList());
      next = rs.nextOffset();
    }
    return out;
  }

  /** Checks that records {@code from .. from+n-1} are msg(i) with the given value size, offset i. */
  static void assertMsgs(List<Record> records, long from, int valueBytes) {
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      Message m = msg((int) (from + i), valueBytes);
      assertEquals(from + i, r.offset());
      assertEquals(m.key(), r.key(), "key of " + r.offset());
      assertEquals(m.value(), r.value(), "value of " + r.offset());
      assertEquals(m.timestamp(), r.timestamp(), "timestamp of " + r.offset());
    }
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
    } catch (TimeoutException | InterruptedException e) {
      throw new AssertionError("no answer within 30 s", e);
    }
  }

  static SluiceException assertFails(ErrorCode code, Future<?> f) {
    try {
      Object v = f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected " + code.code() + ", got " + v);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SluiceException se && se.code() == code) {
        return se;
      }
      throw new AssertionError("expected " + code.code() + ", got " + e.getCause(), e.getCause());
    } catch (TimeoutException | InterruptedException e) {
      throw new AssertionError("no answer within 30 s", e);
    }
  }

  /** Waits (bounded) for a condition that other threads make true. */
  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within 10 s: " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  static List<Path> segmentFiles(Path logDir) throws IOException {
    try (Stream<Path> s = Files.list(logDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  /** Copies a log directory as it is now, like the disk after the process was killed. */
  static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        if (Files.isRegularFile(p)) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }
}
