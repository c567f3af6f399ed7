package io.sluice.bench;

import io.sluice.api.Message;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The storage benchmark of issue 2: append throughput of the file store for 100 B and 1 KiB records in
 * batches of 1, 10, 100 and 1000, under each fsync policy, with 1 and 16 concurrent appenders; sequential
 * read throughput; and, in the same run, the disk's raw sequential write rate (plain {@code FileChannel}
 * writes of the same volume plus one {@code force}), so every append figure is also a fraction of it.
 *
 * <p>Appenders are closed loops on plain threads: each waits for its append to complete before sending
 * the next, so 16 appenders have at most 16 appends outstanding. Every figure is the median of the
 * measured runs (after a warm-up run), with min and max.
 */
final class StoreBench {

  private static final int[] RECORD_SIZES = {100, 1024};
  private static final int[] BATCH_SIZES = {1, 10, 100, 1000};
  private static final int[] APPENDERS = {1, 16};

  private final boolean quick;
  private final Path work;
  private final Path out;
  private final int runs;
  private final long runMillis;
  private final JsonArray results = new JsonArray();

  StoreBench(boolean quick, Path work, Path out) {
    this.quick = quick;
    this.work = work;
    this.out = out;
    this.runs = quick ? 1 : 3;
    this.runMillis = quick ? 300 : 2000;
  }

  void run() throws Exception {
    Files.createDirectories(work);
    Files.createDirectories(out);
    JsonObject facts = Machine.facts(work);
    long rawVolume = quick ? 32L << 20 : 1L << 30;
    Stats raw = measure(() -> rawWriteMBps(rawVolume));
    facts.put("rawDiskWriteMBps", raw.median()).put("rawDiskWriteVolumeMiB", rawVolume >> 20);
    System.out.println(Machine.describe(facts));
    System.out.printf(Locale.ROOT, "raw sequential write (FileChannel.write 1 MiB chunks + one force, %d MiB): %.0f MB/s (min %.0f, max %.0f)%n%n",
        rawVolume >> 20, raw.median(), raw.min(), raw.max());

    Vertx vertx = Vertx.vertx();
    try {
      StringBuilder table = new StringBuilder();
      table.append("| fsync | record | batch | appenders | records/s (median) | min–max | MB/s | % of raw disk |\n");
      table.append("|---|---|---|---|---|---|---|---|\n");
      List<FsyncPolicy> policies = quick ? List.of(FsyncPolicy.never(), FsyncPolicy.always())
          : List.of(FsyncPolicy.never(), FsyncPolicy.interval(100), FsyncPolicy.always());
      for (FsyncPolicy policy : policies) {
        for (int size : RECORD_SIZES) {
          for (int batch : quick ? new int[] {1, 100} : BATCH_SIZES) {
            for (int appenders : APPENDERS) {
              Stats s = measure(() -> appendRate(vertx, policy, size, batch, appenders));
              double mbps = s.median() * (size + RecordBatch.RECORD_OVERHEAD) / 1e6;
              table.append(String.format(Locale.ROOT, "| %s | %d B | %d | %d | %,.0f | %,.0f–%,.0f | %.1f | %.0f%% |%n",
                  policy, size, batch, appenders, s.median(), s.min(), s.max(), mbps, 100 * mbps / raw.median()));
              results.add(new JsonObject().put("scenario", "append").put("fsync", policy.toString())
                  .put("recordBytes", size).put("batch", batch).put("appenders", appenders)
                  .put("recordsPerSec", s.median()).put("min", s.min()).put("max", s.max())
                  .put("MBps", mbps).put("fractionOfRawDisk", mbps / raw.median()).put("nodes", 1));
              System.out.print(table.substring(table.lastIndexOf("| " + policy)));
            }
          }
        }
      }
      table.append("\n| read | record | records/s (median) | min–max | MB/s |\n|---|---|---|---|---|\n");
      for (int size : RECORD_SIZES) {
        Stats s = measure(() -> readRate(vertx, size));
        double mbps = s.median() * (size + RecordBatch.RECORD_OVERHEAD) / 1e6;
        table.append(String.format(Locale.ROOT, "| sequential | %d B | %,.0f | %,.0f–%,.0f | %.1f |%n",
            size, s.median(), s.min(), s.max(), mbps));
        results.add(new JsonObject().put("scenario", "read").put("recordBytes", size)
            .put("recordsPerSec", s.median()).put("min", s.min()).put("max", s.max()).put("MBps", mbps).put("nodes", 1));
      }
      System.out.println();
      System.out.println(table);
      String md = "# Store benchmark\n\n" + Machine.describe(facts) + "\n\nRaw disk write: "
          + String.format(Locale.ROOT, "%.0f MB/s", raw.median()) + "\n\n" + table
          + "\nCommand: `mvn -q -pl bench exec:java -Dexec.args=\"store" + (quick ? " --quick" : "") + "\"`\n";
      String name = quick ? "store-quick" : "store";
      Files.writeString(out.resolve(name + ".md"), md);
      Files.writeString(out.resolve(name + ".json"),
          new JsonObject().put("machine", facts).put("runs", runs).put("runMillis", runMillis).put("results", results).encodePrettily());
      System.out.println("wrote " + out.resolve(name + ".md") + " and " + out.resolve(name + ".json"));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
      deleteTree(work);
    }
  }

  interface Run {
    double once() throws Exception;
  }

  /** One warm-up run, then the measured runs. */
  private Stats measure(Run r) throws Exception {
    r.once();
    double[] v = new double[runs];
    for (int i = 0; i < runs; i++) {
      v[i] = r.once();
    }
    return Stats.of(v);
  }

  private double rawWriteMBps(long volume) throws IOException {
    Path f = work.resolve("raw.bin");
    ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
    new Random(1).ints(chunk.capacity() / 4).forEach(chunk::putInt);
    long t0 = System.nanoTime();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long written = 0; written < volume; written += chunk.capacity()) {
        chunk.clear();
        while (chunk.hasRemaining()) {
          ch.write(chunk);
        }
      }
      ch.force(false);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Files.delete(f);
    return volume / secs / 1e6;
  }

  private double appendRate(Vertx vertx, FsyncPolicy policy, int recordSize, int batchSize, int appenders) throws Exception {
    Path dir = Files.createTempDirectory(work, "append");
    LogStore store = LogStore.create(vertx, "file", new JsonObject().put("dataDir", dir.toString()));
    try {
      PartitionLog log = await(store.open("bench", new LogOptions().setFsync(policy)));
      RecordBatch template = batch(recordSize, batchSize);
      AtomicLong records = new AtomicLong();
      CountDownLatch done = new CountDownLatch(appenders);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis);
      List<Thread> threads = new ArrayList<>();
      Throwable[] failure = new Throwable[1];
      long t0 = System.nanoTime();
      for (int i = 0; i < appenders; i++) {
        Thread t = new Thread(() -> {
          try {
            while (System.nanoTime() < deadline) {
              await(log.append(RecordBatch.wrap(template.buffer().copy())));
              records.addAndGet(batchSize);
            }
          } catch (Throwable e) {
            failure[0] = e;
          } finally {
            done.countDown();
          }
        }, "appender-" + i);
        threads.add(t);
        t.start();
      }
      done.await();
      double secs = (System.nanoTime() - t0) / 1e9;
      if (failure[0] != null) {
        throw new IllegalStateException("append failed", failure[0]);
      }
      return records.get() / secs;
    } finally {
      await(store.close());
      deleteTree(dir);
    }
  }

  private double readRate(Vertx vertx, int recordSize) throws Exception {
    Path dir = Files.createTempDirectory(work, "read");
    LogStore store = LogStore.create(vertx, "file", new JsonObject().put("dataDir", dir.toString()));
    try {
      PartitionLog log = await(store.open("bench", new LogOptions().setFsync(FsyncPolicy.never())));
      long volume = quick ? 16L << 20 : 512L << 20;
      RecordBatch template = batch(recordSize, 1000);
      for (long written = 0; written < volume; written += template.sizeInBytes()) {
        await(log.append(RecordBatch.wrap(template.buffer().copy())));
      }
      long end = await(log.endOffset());
      long t0 = System.nanoTime();
      long offset = 0;
      while (offset < end) {
        Records r = await(log.read(offset, Integer.MAX_VALUE, 1 << 20));
        offset = r.nextOffset();
      }
      return end / ((System.nanoTime() - t0) / 1e9);
    } finally {
      await(store.close());
      deleteTree(dir);
    }
  }

  static RecordBatch batch(int recordSize, int count) {
    byte[] value = new byte[recordSize];
    new Random(recordSize).nextBytes(value);
    RecordBatch.Builder b = RecordBatch.builder();
    Buffer v = Buffer.buffer(value);
    for (int i = 0; i < count; i++) {
      b.add(Message.of(v));
    }
    return b.build();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String jvm() {
    return System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", heap max "
        + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, args " + ManagementFactory.getRuntimeMXBean().getInputArguments();
  }
}
