package io.sluice.store.file.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one store, where all its blocking work runs (never on a caller's thread):
 * <ul>
 *   <li>{@code io}: writes and fsyncs; each log drains its append queue on one of them at a time;</li>
 *   <li>{@code read}: positional reads and timestamp lookups, many at once;</li>
 *   <li>{@code admin}: one thread that opens (recovers), drops and lists logs, so those never race;</li>
 *   <li>{@code timer}: fires the interval fsyncs (the fsync itself runs on {@code io}).</li>
 * </ul>
 * Threads are daemons: a store the application forgot to close does not keep the JVM alive (and with
 * the default fsync policy nothing acknowledged depends on a clean exit).
 *
 * <p>Thread contract: the executors are thread-safe; {@link #shutdownWorkers} runs once, on the admin thread.
 */
final class StoreThreads {

  private static final AtomicInteger STORES = new AtomicInteger();

  final ExecutorService io;
  final ExecutorService read;
  final ExecutorService admin;
  final ScheduledThreadPoolExecutor timer;

  StoreThreads(int ioThreads, int readThreads) {
    int id = STORES.incrementAndGet();
    io = Executors.newFixedThreadPool(ioThreads, factory("sluice-file-" + id + "-io-"));
    read = Executors.newFixedThreadPool(readThreads, factory("sluice-file-" + id + "-read-"));
    admin = Executors.newSingleThreadExecutor(factory("sluice-file-" + id + "-admin-"));
    timer = new ScheduledThreadPoolExecutor(1, factory("sluice-file-" + id + "-timer-"));
    timer.setRemoveOnCancelPolicy(true);
  }

  private static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Stops the pools other than {@code admin} and waits for their threads to end (tasks already queued,
   * such as the background force of a rolled segment, still run). Returns false if one did not end in time.
   * Call on the admin thread.
   */
  boolean shutdownWorkers() throws InterruptedException {
    timer.shutdownNow();
    io.shutdown();
    read.shutdown();
    boolean ioDone = io.awaitTermination(30, TimeUnit.SECONDS);
    boolean readDone = read.awaitTermination(30, TimeUnit.SECONDS);
    boolean timerDone = timer.awaitTermination(5, TimeUnit.SECONDS);
    return ioDone && readDone && timerDone;
  }
}
