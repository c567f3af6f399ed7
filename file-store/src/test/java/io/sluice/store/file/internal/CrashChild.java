package io.sluice.store.file.internal;

import io.sluice.api.Message;
import io.sluice.api.RecordBatch;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.store.file.FileLogStore;
import io.sluice.store.file.FileStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link CrashIT} kills: opens the log (recovering it if the last child was killed), prints
 * {@code READY <end>}, then appends with fsync=always from several concurrent appenders forever,
 * printing {@code ACK <baseOffset> <records> <crc>} for every acknowledged batch. Batch contents are a
 * pure function of (cycle, sequence), so the parent can check every stored byte.
 */
public final class CrashChild {

  static final String LOG = "crash";
  static final long T0 = 1_700_000_000_000L;

  private CrashChild() {
  }

  static LogOptions options() {
    return new LogOptions().setSegmentBytes(64 * 1024).setIndexIntervalBytes(512).setFsync(FsyncPolicy.always());
  }

  /** The messages of batch {@code seq} of {@code cycle}. */
  static List<Message> messages(int cycle, int seq) {
    Random r = new Random(cycle * 1_000_003L + seq);
    int n = 1 + r.nextInt(8);
    List<Message> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] value = new byte[10 + r.nextInt(300)];
      r.nextBytes(value);
      out.add(Message.of(Buffer.buffer("c" + cycle + "-s" + seq + "-r" + i), Buffer.buffer(value))
          .withTimestamp(T0 + seq));
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    String dataDir = args[0];
    int cycle = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx();
    FileLogStore store = FileLogStore.create(vertx, new FileStoreOptions().setDataDir(dataDir));
    PartitionLog log = store.open(LOG, options()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    long end = log.endOffset().toCompletionStage().toCompletableFuture().get();
    System.out.println("READY " + end);
    Semaphore inFlight = new Semaphore(8);
    for (int seq = 0; ; seq++) {
      inFlight.acquire();
      RecordBatch batch = RecordBatch.of(messages(cycle, seq));
      int crc = batch.crc();
      log.append(batch).onComplete(ar -> {
        if (ar.succeeded()) {
          System.out.println("ACK " + ar.result().baseOffset() + " " + ar.result().recordCount() + " " + crc);
        } else {
          System.out.println("FAILED " + ar.cause());
        }
        inFlight.release();
      });
    }
  }
}
