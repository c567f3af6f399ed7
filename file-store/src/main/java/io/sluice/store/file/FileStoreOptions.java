package io.sluice.store.file;

import io.sluice.api.InvalidArgumentException;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of a {@link FileLogStore}. Fluent and mutable; the store copies them when it is created.
 *
 * <p>As JSON (the {@code file} provider's config; keys as the getters are named):
 * <pre>
 * {"dataDir": "./data", "onCorruption": "fail", "ioThreads": 4, "readThreads": 4}
 * </pre>
 * Per-log settings (segment size, fsync policy, ...) are {@link io.sluice.api.store.LogOptions}, given when a log is opened.
 *
 * <p>Not thread-safe: configure on one thread, then hand to {@link FileLogStore#create}, which copies it.
 */
public final class FileStoreOptions {

  public static final int DEFAULT_IO_THREADS = 4;
  public static final int DEFAULT_READ_THREADS = 4;

  private String dataDir;
  private CorruptionPolicy onCorruption = CorruptionPolicy.FAIL;
  private int ioThreads = DEFAULT_IO_THREADS;
  private int readThreads = DEFAULT_READ_THREADS;

  public FileStoreOptions() {
  }

  public FileStoreOptions(FileStoreOptions other) {
    this.dataDir = other.dataDir;
    this.onCorruption = other.onCorruption;
    this.ioThreads = other.ioThreads;
    this.readThreads = other.readThreads;
  }

  /**
   * Reads the keys present in {@code json} over the defaults.
   *
   * @throws InvalidArgumentException on a value of the wrong type or out of range
   */
  public FileStoreOptions(JsonObject json) {
    this();
    try {
      if (json.containsKey("dataDir")) {
        setDataDir(json.getString("dataDir"));
      }
      if (json.containsKey("onCorruption")) {
        setOnCorruption(CorruptionPolicy.parse(json.getString("onCorruption")));
      }
      if (json.containsKey("ioThreads")) {
        setIoThreads(json.getInteger("ioThreads"));
      }
      if (json.containsKey("readThreads")) {
        setReadThreads(json.getInteger("readThreads"));
      }
    } catch (ClassCastException | NullPointerException e) {
      throw new InvalidArgumentException("bad file store config " + json.encode() + ": " + e.getMessage());
    }
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    if (dataDir != null) {
      j.put("dataDir", dataDir);
    }
    return j.put("onCorruption", onCorruption.name().toLowerCase(Locale.ROOT)).put("ioThreads", ioThreads)
        .put("readThreads", readThreads);
  }

  /** The directory holding one sub-directory per log. Required. Created if missing. */
  public String getDataDir() {
    return dataDir;
  }

  public FileStoreOptions setDataDir(String dataDir) {
    if (dataDir == null || dataDir.isBlank()) {
      throw new InvalidArgumentException("dataDir must be a non-empty path");
    }
    this.dataDir = dataDir;
    return this;
  }

  /** What opening a log does about corruption inside it (default {@link CorruptionPolicy#FAIL}). */
  public CorruptionPolicy getOnCorruption() {
    return onCorruption;
  }

  public FileStoreOptions setOnCorruption(CorruptionPolicy onCorruption) {
    this.onCorruption = Objects.requireNonNull(onCorruption, "onCorruption");
    return this;
  }

  /**
   * Threads that write and fsync (default 4). Each log's appends run on one of them at a time; a log
   * never needs more than one, so more threads help only when many logs are written at once.
   */
  public int getIoThreads() {
    return ioThreads;
  }

  public FileStoreOptions setIoThreads(int ioThreads) {
    if (ioThreads < 1 || ioThreads > 256) {
      throw new InvalidArgumentException("ioThreads must be in [1, 256], got " + ioThreads);
    }
    this.ioThreads = ioThreads;
    return this;
  }

  /** Threads that serve reads and timestamp lookups from the page cache (default 4). */
  public int getReadThreads() {
    return readThreads;
  }

  public FileStoreOptions setReadThreads(int readThreads) {
    if (readThreads < 1 || readThreads > 256) {
      throw new InvalidArgumentException("readThreads must be in [1, 256], got " + readThreads);
    }
    this.readThreads = readThreads;
    return this;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
