package io.sluice.api.store;

import io.sluice.api.InvalidArgumentException;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Settings of one log. Fluent and mutable; a store copies the options it is given when it opens a log.
 *
 * <p>{@link #getReplicationFactor()} and {@link #getMinInSync()} are for a replicated store and apply when
 * the log is created; a local store ignores them. 0 (the default) means the store's own default.
 */
public final class LogOptions {

  public static final int DEFAULT_SEGMENT_BYTES = 128 * 1024 * 1024;
  public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 3600 * 1000;
  public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_BATCH_BYTES = 16 * 1024 * 1024;
  public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
  /** Replication setting meaning "the store's default". */
  public static final int STORE_DEFAULT = 0;

  private int segmentBytes = DEFAULT_SEGMENT_BYTES;
  private long segmentMs = DEFAULT_SEGMENT_MS;
  private FsyncPolicy fsync = FsyncPolicy.always();
  private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
  private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
  private int indexIntervalBytes = DEFAULT_INDEX_INTERVAL_BYTES;
  private boolean createIfMissing = true;
  private int replicationFactor = STORE_DEFAULT;
  private int minInSync = STORE_DEFAULT;

  public LogOptions() {
  }

  public LogOptions(LogOptions other) {
    this.segmentBytes = other.segmentBytes;
    this.segmentMs = other.segmentMs;
    this.fsync = other.fsync;
    this.maxRecordBytes = other.maxRecordBytes;
    this.maxBatchBytes = other.maxBatchBytes;
    this.indexIntervalBytes = other.indexIntervalBytes;
    this.createIfMissing = other.createIfMissing;
    this.replicationFactor = other.replicationFactor;
    this.minInSync = other.minInSync;
  }

  /** Reads the fields present in {@code json} over the defaults (keys as the getters are named). */
  public LogOptions(JsonObject json) {
    this();
    if (json.containsKey("segmentBytes")) {
      setSegmentBytes(json.getInteger("segmentBytes"));
    }
    if (json.containsKey("segmentMs")) {
      setSegmentMs(json.getLong("segmentMs"));
    }
    if (json.containsKey("fsync")) {
      setFsync(FsyncPolicy.parse(json.getString("fsync")));
    }
    if (json.containsKey("maxRecordBytes")) {
      setMaxRecordBytes(json.getInteger("maxRecordBytes"));
    }
    if (json.containsKey("maxBatchBytes")) {
      setMaxBatchBytes(json.getInteger("maxBatchBytes"));
    }
    if (json.containsKey("indexIntervalBytes")) {
      setIndexIntervalBytes(json.getInteger("indexIntervalBytes"));
    }
    if (json.containsKey("createIfMissing")) {
      setCreateIfMissing(json.getBoolean("createIfMissing"));
    }
    if (json.containsKey("replicationFactor")) {
      setReplicationFactor(json.getInteger("replicationFactor"));
    }
    if (json.containsKey("minInSync")) {
      setMinInSync(json.getInteger("minInSync"));
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("segmentBytes", segmentBytes).put("segmentMs", segmentMs).put("fsync", fsync.toString())
        .put("maxRecordBytes", maxRecordBytes).put("maxBatchBytes", maxBatchBytes)
        .put("indexIntervalBytes", indexIntervalBytes).put("createIfMissing", createIfMissing)
        .put("replicationFactor", replicationFactor).put("minInSync", minInSync);
  }

  /** A segment is rolled once it would grow past this size (default 128 MiB). */
  public int getSegmentBytes() {
    return segmentBytes;
  }

  public LogOptions setSegmentBytes(int segmentBytes) {
    if (segmentBytes < 1024) {
      throw new InvalidArgumentException("segmentBytes must be >= 1024, got " + segmentBytes);
    }
    this.segmentBytes = segmentBytes;
    return this;
  }

  /** A non-empty active segment is rolled once its first batch is this old (default 7 days). */
  public long getSegmentMs() {
    return segmentMs;
  }

  public LogOptions setSegmentMs(long segmentMs) {
    if (segmentMs <= 0) {
      throw new InvalidArgumentException("segmentMs must be > 0, got " + segmentMs);
    }
    this.segmentMs = segmentMs;
    return this;
  }

  /** Default {@link FsyncPolicy#always()} with group commit. */
  public FsyncPolicy getFsync() {
    return fsync;
  }

  public LogOptions setFsync(FsyncPolicy fsync) {
    this.fsync = Objects.requireNonNull(fsync, "fsync");
    return this;
  }

  /** The largest record (key, value, headers and framing) accepted (default 1 MiB). */
  public int getMaxRecordBytes() {
    return maxRecordBytes;
  }

  public LogOptions setMaxRecordBytes(int maxRecordBytes) {
    if (maxRecordBytes < 64) {
      throw new InvalidArgumentException("maxRecordBytes must be >= 64, got " + maxRecordBytes);
    }
    this.maxRecordBytes = maxRecordBytes;
    return this;
  }

  /** The largest batch accepted in one append (default 16 MiB). */
  public int getMaxBatchBytes() {
    return maxBatchBytes;
  }

  public LogOptions setMaxBatchBytes(int maxBatchBytes) {
    if (maxBatchBytes < 128) {
      throw new InvalidArgumentException("maxBatchBytes must be >= 128, got " + maxBatchBytes);
    }
    this.maxBatchBytes = maxBatchBytes;
    return this;
  }

  /** Bytes of log between two entries of the sparse offset index (default 4 KiB). */
  public int getIndexIntervalBytes() {
    return indexIntervalBytes;
  }

  public LogOptions setIndexIntervalBytes(int indexIntervalBytes) {
    if (indexIntervalBytes < 1) {
      throw new InvalidArgumentException("indexIntervalBytes must be >= 1, got " + indexIntervalBytes);
    }
    this.indexIntervalBytes = indexIntervalBytes;
    return this;
  }

  /** Whether {@link LogStore#open} creates a missing log (default) or fails with {@code unknown_log}. */
  public boolean isCreateIfMissing() {
    return createIfMissing;
  }

  public LogOptions setCreateIfMissing(boolean createIfMissing) {
    this.createIfMissing = createIfMissing;
    return this;
  }

  /**
   * Replicas a replicated store keeps of the log, on distinct nodes; 0 (default): the store's default.
   * A replicated store refuses to create a log with more replicas than live nodes ({@code invalid_argument}).
   */
  public int getReplicationFactor() {
    return replicationFactor;
  }

  public LogOptions setReplicationFactor(int replicationFactor) {
    this.replicationFactor = checkReplication("replicationFactor", replicationFactor);
    return this;
  }

  /**
   * In-sync replicas (the leader included) a replicated store needs before it acknowledges an append that
   * asks for every replica; 0 (default): the store's default, lowered to the factor when that is smaller.
   */
  public int getMinInSync() {
    return minInSync;
  }

  public LogOptions setMinInSync(int minInSync) {
    this.minInSync = checkReplication("minInSync", minInSync);
    return this;
  }

  /**
   * Checks a replication setting: {@link #STORE_DEFAULT} or at least 1, and {@code minInSync} at most
   * {@code replicationFactor} when both are set. Shared by the modes' configs so they say the same.
   *
   * @throws InvalidArgumentException if not
   */
  public static void checkReplication(int replicationFactor, int minInSync) {
    checkReplication("replicationFactor", replicationFactor);
    checkReplication("minInSync", minInSync);
    if (replicationFactor != STORE_DEFAULT && minInSync > replicationFactor) {
      throw new InvalidArgumentException("minInSync must be 1.." + replicationFactor + " (the replication factor), got "
          + minInSync);
    }
  }

  /**
   * Returns {@code value} if it is at least 1: a replication setting a user sets (0, the store's default,
   * is what leaving it unset means).
   *
   * @throws InvalidArgumentException if not
   */
  public static int requireReplicationSetting(String what, int value) {
    if (value < 1) {
      throw new InvalidArgumentException(what + " must be >= 1, got " + value);
    }
    return value;
  }

  private static int checkReplication(String what, int value) {
    if (value < 0) {
      throw new InvalidArgumentException(what + " must be >= 1 (or 0: the store's default), got " + value);
    }
    return value;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
