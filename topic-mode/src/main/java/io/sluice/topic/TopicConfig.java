package io.sluice.topic;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogOptions;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The settings of a topic: partition count, retention by time and by size, segment size and age, the
 * durability (fsync) policy, the largest message accepted, and on a replicated store the replication
 * factor and in-sync minimum of each partition. Fluent and mutable; a topic stores a copy.
 *
 * <p>Two configs are equal when every setting is equal: creating an existing topic with an equal config
 * succeeds, with another config it fails with {@code already_exists}.
 *
 * <p>Not thread-safe: configure it on one thread, then hand it over.
 */
public final class TopicConfig {

  public static final long DEFAULT_RETENTION_MS = 7L * 24 * 3600 * 1000;
  /** Retention setting meaning "no limit". */
  public static final long UNLIMITED = -1L;

  private int partitions = 1;
  private long retentionMs = DEFAULT_RETENTION_MS;
  private long retentionBytes = UNLIMITED;
  private int segmentBytes = LogOptions.DEFAULT_SEGMENT_BYTES;
  private long segmentMs = LogOptions.DEFAULT_SEGMENT_MS;
  private FsyncPolicy fsync = FsyncPolicy.always();
  private int maxMessageBytes = LogOptions.DEFAULT_MAX_RECORD_BYTES;
  private int replicationFactor = LogOptions.STORE_DEFAULT;
  private int minInSync = LogOptions.STORE_DEFAULT;

  public TopicConfig() {
  }

  public TopicConfig(TopicConfig other) {
    this.partitions = other.partitions;
    this.retentionMs = other.retentionMs;
    this.retentionBytes = other.retentionBytes;
    this.segmentBytes = other.segmentBytes;
    this.segmentMs = other.segmentMs;
    this.fsync = other.fsync;
    this.maxMessageBytes = other.maxMessageBytes;
    this.replicationFactor = other.replicationFactor;
    this.minInSync = other.minInSync;
  }

  /** Reads the fields present in {@code json} over the defaults (keys as the getters are named). */
  public TopicConfig(JsonObject json) {
    this();
    try {
      if (json.containsKey("partitions")) {
        setPartitions(json.getInteger("partitions"));
      }
      if (json.containsKey("retentionMs")) {
        setRetentionMs(json.getLong("retentionMs"));
      }
      if (json.containsKey("retentionBytes")) {
        setRetentionBytes(json.getLong("retentionBytes"));
      }
      if (json.containsKey("segmentBytes")) {
        setSegmentBytes(json.getInteger("segmentBytes"));
      }
      if (json.containsKey("segmentMs")) {
        setSegmentMs(json.getLong("segmentMs"));
      }
      if (json.containsKey("fsync")) {
        setFsync(FsyncPolicy.parse(json.getString("fsync")));
      }
      if (json.containsKey("maxMessageBytes")) {
        setMaxMessageBytes(json.getInteger("maxMessageBytes"));
      }
      if (json.containsKey("replicationFactor")) {
        setReplicationFactor(json.getInteger("replicationFactor"));
      }
      if (json.containsKey("minInSync")) {
        setMinInSync(json.getInteger("minInSync"));
      }
    } catch (ClassCastException | NullPointerException e) {
      throw new InvalidArgumentException("bad topic config " + json.encode() + ": " + e.getMessage(), e);
    }
  }

  /** The replication settings appear only when set (absent: the store's default). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("partitions", partitions).put("retentionMs", retentionMs)
        .put("retentionBytes", retentionBytes).put("segmentBytes", segmentBytes).put("segmentMs", segmentMs)
        .put("fsync", fsync.toString()).put("maxMessageBytes", maxMessageBytes);
    if (replicationFactor != LogOptions.STORE_DEFAULT) {
      json.put("replicationFactor", replicationFactor);
    }
    if (minInSync != LogOptions.STORE_DEFAULT) {
      json.put("minInSync", minInSync);
    }
    return json;
  }

  /** The log settings of each partition of a topic with this config. */
  public LogOptions toLogOptions() {
    return new LogOptions().setSegmentBytes(segmentBytes).setSegmentMs(segmentMs).setFsync(fsync)
        .setMaxRecordBytes(maxMessageBytes).setMaxBatchBytes(Math.max(LogOptions.DEFAULT_MAX_BATCH_BYTES, maxMessageBytes * 2))
        .setReplicationFactor(replicationFactor).setMinInSync(minInSync);
  }

  /** Number of partitions (default 1). Can only grow, by {@code Topics.increasePartitions}. */
  public int getPartitions() {
    return partitions;
  }

  public TopicConfig setPartitions(int partitions) {
    if (partitions < 1) {
      throw new InvalidArgumentException("partitions must be >= 1, got " + partitions);
    }
    this.partitions = partitions;
    return this;
  }

  /** Whole segments whose newest record is older than this are deleted (default 7 days; -1: keep forever). */
  public long getRetentionMs() {
    return retentionMs;
  }

  public TopicConfig setRetentionMs(long retentionMs) {
    if (retentionMs < 0 && retentionMs != UNLIMITED) {
      throw new InvalidArgumentException("retentionMs must be >= 0 or -1 (unlimited), got " + retentionMs);
    }
    this.retentionMs = retentionMs;
    return this;
  }

  /**
   * Oldest whole segments of a partition are deleted while the partition stays at or above this size
   * without them (per partition, like Kafka's {@code retention.bytes}; default -1: no size limit).
   */
  public long getRetentionBytes() {
    return retentionBytes;
  }

  public TopicConfig setRetentionBytes(long retentionBytes) {
    if (retentionBytes < 0 && retentionBytes != UNLIMITED) {
      throw new InvalidArgumentException("retentionBytes must be >= 0 or -1 (unlimited), got " + retentionBytes);
    }
    this.retentionBytes = retentionBytes;
    return this;
  }

  /** A partition's segment is rolled at this size (default 128 MiB): the unit retention deletes. */
  public int getSegmentBytes() {
    return segmentBytes;
  }

  public TopicConfig setSegmentBytes(int segmentBytes) {
    if (segmentBytes < 1024) {
      throw new InvalidArgumentException("segmentBytes must be >= 1024, got " + segmentBytes);
    }
    this.segmentBytes = segmentBytes;
    return this;
  }

  /** A non-empty segment is rolled once its first batch is this old (default 7 days). */
  public long getSegmentMs() {
    return segmentMs;
  }

  public TopicConfig setSegmentMs(long segmentMs) {
    if (segmentMs <= 0) {
      throw new InvalidArgumentException("segmentMs must be > 0, got " + segmentMs);
    }
    this.segmentMs = segmentMs;
    return this;
  }

  /** The durability policy of the partitions (default {@link FsyncPolicy#always()} with group commit). */
  public FsyncPolicy getFsync() {
    return fsync;
  }

  public TopicConfig setFsync(FsyncPolicy fsync) {
    this.fsync = Objects.requireNonNull(fsync, "fsync");
    return this;
  }

  /** The largest message (key, value, headers and framing) accepted (default 1 MiB). */
  public int getMaxMessageBytes() {
    return maxMessageBytes;
  }

  public TopicConfig setMaxMessageBytes(int maxMessageBytes) {
    if (maxMessageBytes < 64) {
      throw new InvalidArgumentException("maxMessageBytes must be >= 64, got " + maxMessageBytes);
    }
    this.maxMessageBytes = maxMessageBytes;
    return this;
  }

  /**
   * Replicas of each partition on a replicated store, on distinct nodes (0, the default: the store's default,
   * 2 in a cluster of two nodes or more). A local store keeps one copy whatever this says. Creating the topic
   * fails with {@code invalid_argument} when fewer nodes are live. Fixed at creation.
   */
  public int getReplicationFactor() {
    return replicationFactor;
  }

  /** Fails with {@code invalid_argument} below 1, or below the {@link #getMinInSync() in-sync minimum} set. */
  public TopicConfig setReplicationFactor(int replicationFactor) {
    return setReplication(LogOptions.requireReplicationSetting("replicationFactor", replicationFactor), minInSync);
  }

  /**
   * In-sync replicas (the leader included) a partition needs to acknowledge an {@code acks=all} append; with
   * fewer it refuses it ({@code not_enough_replicas}). 0, the default: the store's default, at most the factor.
   */
  public int getMinInSync() {
    return minInSync;
  }

  /** Fails with {@code invalid_argument} below 1 or above the {@link #getReplicationFactor() factor} set. */
  public TopicConfig setMinInSync(int minInSync) {
    return setReplication(replicationFactor, LogOptions.requireReplicationSetting("minInSync", minInSync));
  }

  private TopicConfig setReplication(int replicationFactor, int minInSync) {
    LogOptions.checkReplication(replicationFactor, minInSync);
    this.replicationFactor = replicationFactor;
    this.minInSync = minInSync;
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicConfig c && c.partitions == partitions && c.retentionMs == retentionMs
        && c.retentionBytes == retentionBytes && c.segmentBytes == segmentBytes && c.segmentMs == segmentMs
        && c.fsync.equals(fsync) && c.maxMessageBytes == maxMessageBytes && c.replicationFactor == replicationFactor
        && c.minInSync == minInSync;
  }

  @Override
  public int hashCode() {
    return Objects.hash(partitions, retentionMs, retentionBytes, segmentBytes, segmentMs, fsync, maxMessageBytes,
        replicationFactor, minInSync);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
