package io.sluice.store.file;

import io.sluice.api.InvalidArgumentException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of a {@link FileLogStore}. Fluent and mutable; the store copies them when it is created.
 *
 * <p>As JSON (the {@code file} provider's config; keys as the getters are named):
 * <pre>
 * {"dataDir": "./data", "onCorruption": "fail", "ioThreads": 4, "readThreads": 4, "maxDataBytes": 0}
 * </pre>
 * Per-log settings (segment size, fsync policy, ...) are {@link io.sluice.api.store.LogOptions}, given when a log is opened.
 *
 * <p>Not thread-safe: configure on one thread, then hand to {@link FileLogStore#create}, which copies it.
 */
public final class FileStoreOptions {

  public static final int DEFAULT_IO_THREADS = 4;
  public static final int DEFAULT_READ_THREADS = 4;
  /** Sluice's own bookkeeping: topic metadata and offsets ({@code __topics}, {@code __offsets}), queue config and journals. */
  public static final List<String> DEFAULT_BOOKKEEPING_LOG_PREFIXES = List.of("__", "qc.");

  private String dataDir;
  private CorruptionPolicy onCorruption = CorruptionPolicy.FAIL;
  private int ioThreads = DEFAULT_IO_THREADS;
  private int readThreads = DEFAULT_READ_THREADS;
  private long maxDataBytes;
  private List<String> bookkeepingLogPrefixes = DEFAULT_BOOKKEEPING_LOG_PREFIXES;

  public FileStoreOptions() {
  }

  public FileStoreOptions(FileStoreOptions other) {
    this.dataDir = other.dataDir;
    this.onCorruption = other.onCorruption;
    this.ioThreads = other.ioThreads;
    this.readThreads = other.readThreads;
    this.maxDataBytes = other.maxDataBytes;
    this.bookkeepingLogPrefixes = other.bookkeepingLogPrefixes;
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
      if (json.containsKey("maxDataBytes")) {
        setMaxDataBytes(json.getLong("maxDataBytes"));
      }
      if (json.containsKey("bookkeepingLogPrefixes")) {
        List<String> prefixes = new ArrayList<>();
        for (Object o : json.getJsonArray("bookkeepingLogPrefixes")) {
          prefixes.add((String) o);
        }
        setBookkeepingLogPrefixes(prefixes);
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
        .put("readThreads", readThreads).put("maxDataBytes", maxDataBytes)
        .put("bookkeepingLogPrefixes", new JsonArray(bookkeepingLogPrefixes));
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

  /**
   * The most bytes of log data (segment files) the data directory may hold; 0 (the default) for no limit
   * but the disk's. An append that would go past it fails with {@code disk_full}
   * ({@link io.sluice.api.ErrorCode#DISK_FULL}, HTTP 507) before anything of it is written, and appends
   * succeed again once trims (retention, acknowledged queue messages) or dropped logs have made room.
   * A guard worth setting on a shared disk: a full disk fails the whole machine's writers (and this
   * store's checkpoints), while this limit fails only this store's appends, cleanly, and leaves
   * reads, trims and drops working. Indexes and checkpoints (well under 1% of the data) are not counted.
   */
  public long getMaxDataBytes() {
    return maxDataBytes;
  }

  public FileStoreOptions setMaxDataBytes(long maxDataBytes) {
    if (maxDataBytes < 0) {
      throw new InvalidArgumentException("maxDataBytes must be >= 0 (0: no limit), got " + maxDataBytes);
    }
    this.maxDataBytes = maxDataBytes;
    return this;
  }

  /**
   * Name prefixes of the logs that may go past {@link #getMaxDataBytes()} by a headroom of
   * {@code max(maxDataBytes / 16, 1 MiB)}: the small writes that make room (recording a topic's deletion,
   * a queue's acknowledgements) must not be refused by a full store. Default
   * {@link #DEFAULT_BOOKKEEPING_LOG_PREFIXES}; unused without a limit.
   */
  public List<String> getBookkeepingLogPrefixes() {
    return bookkeepingLogPrefixes;
  }

  public FileStoreOptions setBookkeepingLogPrefixes(List<String> bookkeepingLogPrefixes) {
    for (String p : Objects.requireNonNull(bookkeepingLogPrefixes, "bookkeepingLogPrefixes")) {
      if (p == null || p.isEmpty()) {
        throw new InvalidArgumentException("bookkeepingLogPrefixes must not hold an empty prefix");
      }
    }
    this.bookkeepingLogPrefixes = List.copyOf(bookkeepingLogPrefixes);
    return this;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
