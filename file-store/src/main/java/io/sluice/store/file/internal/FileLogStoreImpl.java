package io.sluice.store.file.internal;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import io.sluice.api.NotFoundException;
import io.sluice.api.SluiceException;
import io.sluice.api.StorageException;
import io.sluice.api.StoreClosedException;
import io.sluice.api.internal.Promises;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.store.file.FileLogStore;
import io.sluice.store.file.FileStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The file store: one directory per log under the data directory, which it locks ({@code .lock}) so two
 * stores (in this process or another) never write the same logs.
 *
 * <p>Thread contract: safe to call from any thread; methods never block. Opening (with recovery),
 * dropping and listing run one at a time on the store's admin thread, so they never race each other;
 * the open-log table is touched only there.
 */
public final class FileLogStoreImpl implements FileLogStore {

  private static final System.Logger LOG = System.getLogger("io.sluice.store.file");
  private static final String LOCK_FILE = ".lock";
  /** Dropped logs are renamed with this marker (not a legal name character) before deletion. */
  private static final String DROPPED = "~dropped-";

  private final Vertx vertx;
  private final FileStoreOptions options;
  private final Path dataDir;
  private final StoreThreads threads;
  private final DataDirLimit limit;
  private final Map<String, FilePartitionLog> logs = new HashMap<>();
  private volatile boolean closed;
  private Promise<Void> closing;
  private FileChannel lockChannel;
  private FileLock lock;

  public FileLogStoreImpl(Vertx vertx, FileStoreOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = options;
    this.dataDir = Paths.get(options.getDataDir()).toAbsolutePath().normalize();
    this.threads = new StoreThreads(options.getIoThreads(), options.getReadThreads());
    this.limit = options.getMaxDataBytes() > 0
        ? new DataDirLimit(options.getMaxDataBytes(), options.getBookkeepingLogPrefixes())
        : DataDirLimit.NONE;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public FileStoreOptions options() {
    return new FileStoreOptions(options);
  }

  private interface AdminTask<T> {
    T run() throws IOException, InterruptedException;
  }

  private <T> Future<T> onAdmin(String what, AdminTask<T> task) {
    Promise<T> promise = Promises.onCallerContext();
    if (closed) {
      promise.fail(new StoreClosedException("store is closed"));
      return promise.future();
    }
    try {
      threads.admin.execute(() -> {
        try {
          if (closed) {
            throw new StoreClosedException("store is closed");
          }
          init();
          promise.complete(task.run());
        } catch (SluiceException e) {
          promise.fail(e);
        } catch (IOException e) {
          promise.fail(DiskOps.failure(what, e));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          promise.fail(new StoreClosedException("store is closing", e));
        } catch (RuntimeException e) {
          LOG.log(Level.ERROR, what + " failed", e);
          promise.fail(new StorageException(what + " failed: " + e, e));
        }
      });
    } catch (RejectedExecutionException e) {
      promise.fail(new StoreClosedException("store is closed"));
    }
    return promise.future();
  }

  /** Creates and locks the data directory on first use, and finishes drops a crash interrupted. Admin thread. */
  private void init() throws IOException {
    if (lock != null) {
      return;
    }
    Files.createDirectories(dataDir);
    FileChannel ch = FileChannel.open(dataDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      ch.close();
      throw new StorageException("data directory " + dataDir + " is in use by another file store");
    }
    lockChannel = ch;
    lock = l;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir)) {
      for (Path p : ds) {
        if (p.getFileName().toString().contains(DROPPED)) {
          DiskOps.deleteRecursively(p);
        }
      }
    }
    limit.measure(dataDir);
  }

  @Override
  public Future<PartitionLog> open(String name, LogOptions logOptions) {
    LogOptions copy;
    try {
      Names.validate("log", name);
      if (logOptions == null) {
        throw new InvalidArgumentException("log options are null");
      }
      copy = new LogOptions(logOptions);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return onAdmin("open log '" + name + "'", () -> {
      FilePartitionLog log = logs.get(name);
      if (log != null) {
        if (log.isOpen()) {
          return log;
        }
        await(log.closeFuture());
      }
      Path dir = dataDir.resolve(name);
      if (!Files.isDirectory(dir)) {
        if (!copy.isCreateIfMissing()) {
          throw NotFoundException.unknownLog(name);
        }
        Files.createDirectories(dir);
        DiskOps.fsyncDirectory(dataDir);
      }
      LogLoader.Loaded loaded = new LogLoader(dir, name, copy.getIndexIntervalBytes(), options.getOnCorruption(), false).load();
      log = new FilePartitionLog(vertx, threads, limit, name, dir, copy, loaded);
      logs.put(name, log);
      return log;
    });
  }

  @Override
  public Future<Boolean> exists(String name) {
    try {
      Names.validate("log", name);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return onAdmin("exists", () -> Files.isDirectory(dataDir.resolve(name)));
  }

  @Override
  public Future<List<String>> list() {
    return onAdmin("list logs", () -> {
      List<String> names = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir)) {
        for (Path p : ds) {
          String n = p.getFileName().toString();
          if (Names.isValid(n) && Files.isDirectory(p)) {
            names.add(n);
          }
        }
      }
      names.sort(null);
      return names;
    });
  }

  @Override
  public Future<Void> drop(String name) {
    try {
      Names.validate("log", name);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return onAdmin("drop log '" + name + "'", () -> {
      Path dir = dataDir.resolve(name);
      if (!Files.isDirectory(dir)) {
        throw NotFoundException.unknownLog(name);
      }
      FilePartitionLog log = logs.get(name);
      if (log != null) {
        log.close();
        // The log leaves the table only once its writer is done: if this wait fails, a store close still
        // finds it and waits for its last file write instead of completing (and shutting down) before it.
        await(log.closeFuture());
        logs.remove(name, log);
      }
      // Rename first: a crash mid-delete must not leave a half-deleted log that looks real.
      // The name is left out: a 249-character log name plus the marker would exceed the file-name limit.
      Path doomed = dataDir.resolve(DROPPED + System.nanoTime());
      long bytes = limit.enabled() ? DataDirLimit.segmentBytes(dir) : 0;
      Files.move(dir, doomed);
      DiskOps.fsyncDirectory(dataDir);
      DiskOps.deleteRecursively(doomed);
      limit.release(bytes);
      return null;
    });
  }

  @Override
  public Future<Void> close() {
    Promise<Void> result = Promises.onCallerContext();
    synchronized (this) {
      if (closing == null) {
        closing = Promise.promise();
        closed = true;
        startClose(closing);
      }
    }
    closing.future().onComplete(result);
    return result.future();
  }

  private void startClose(Promise<Void> done) {
    try {
      threads.admin.execute(() -> {
        try {
          List<FilePartitionLog> open = new ArrayList<>(logs.values());
          logs.clear();
          for (FilePartitionLog log : open) {
            log.close();
          }
          for (FilePartitionLog log : open) {
            await(log.closeFuture());
          }
          if (lock != null) {
            lock.release();
            lockChannel.close();
          }
          if (!threads.shutdownWorkers()) {
            // A close that completes while a store thread may still write would let the caller delete
            // the files under it; say it did not finish instead.
            throw new IOException("the store's threads did not stop in time");
          }
          done.complete();
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.WARNING, "closing the file store at " + dataDir + " failed", e);
          done.tryFail(DiskOps.failure("close store", e instanceof IOException io ? io : new IOException(e)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          done.tryFail(new StoreClosedException("interrupted while closing", e));
        } finally {
          threads.admin.shutdown();
        }
      });
    } catch (RejectedExecutionException e) {
      done.tryComplete();
    }
  }

  private static void await(Future<Void> f) throws InterruptedException, IOException {
    try {
      f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      // a failed close still closed the log
    } catch (TimeoutException e) {
      throw new IOException("timed out waiting for a log to close", e);
    }
  }

  @Override
  public String toString() {
    return "FileLogStore{" + dataDir + "}";
  }
}
