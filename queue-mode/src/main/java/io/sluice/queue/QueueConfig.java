package io.sluice.queue;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogOptions;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The settings of one queue, fixed when it is created and kept durably with it. Fluent and mutable;
 * setters reject bad values with {@code invalid_argument}; not thread-safe. Two configs are equal when
 * every setting is, which is what makes {@link Queues#createQueue} idempotent.
 */
public final class QueueConfig {

  public static final long DEFAULT_VISIBILITY_TIMEOUT_MS = 30_000;
  public static final long DEFAULT_DEDUP_WINDOW_MS = 5 * 60_000;
  /** Longest visibility timeout (12 hours, like SQS). */
  public static final long MAX_VISIBILITY_TIMEOUT_MS = 12L * 3600 * 1000;

  private FsyncPolicy fsync = FsyncPolicy.always();
  private int segmentBytes = LogOptions.DEFAULT_SEGMENT_BYTES;
  private int maxMessageBytes = LogOptions.DEFAULT_MAX_RECORD_BYTES;
  private long visibilityTimeoutMs = DEFAULT_VISIBILITY_TIMEOUT_MS;
  private int maxDeliveries;
  private String deadLetterQueue;
  private long maxLength;
  private long maxBytes;
  private OverflowPolicy overflow = OverflowPolicy.REJECT_NEW;
  private long messageTtlMs;
  private long dedupWindowMs = DEFAULT_DEDUP_WINDOW_MS;
  private int replicationFactor = LogOptions.STORE_DEFAULT;
  private int minInSync = LogOptions.STORE_DEFAULT;

  public QueueConfig() {
  }

  public QueueConfig(QueueConfig other) {
    this(other.toJson());
  }

  /** Reads the fields present in {@code json} over the defaults (keys as the getters are named). */
  public QueueConfig(JsonObject json) {
    try {
      if (json.containsKey("fsync")) {
        setFsync(FsyncPolicy.parse(json.getString("fsync")));
      }
      if (json.containsKey("segmentBytes")) {
        setSegmentBytes(json.getInteger("segmentBytes"));
      }
      if (json.containsKey("maxMessageBytes")) {
        setMaxMessageBytes(json.getInteger("maxMessageBytes"));
      }
      if (json.containsKey("visibilityTimeoutMs")) {
        setVisibilityTimeoutMs(json.getLong("visibilityTimeoutMs"));
      }
      if (json.containsKey("maxDeliveries")) {
        setMaxDeliveries(json.getInteger("maxDeliveries"));
      }
      if (json.containsKey("deadLetterQueue")) {
        setDeadLetterQueue(json.getString("deadLetterQueue"));
      }
      if (json.containsKey("maxLength")) {
        setMaxLength(json.getLong("maxLength"));
      }
      if (json.containsKey("maxBytes")) {
        setMaxBytes(json.getLong("maxBytes"));
      }
      if (json.containsKey("overflow")) {
        setOverflow(OverflowPolicy.valueOf(json.getString("overflow")));
      }
      if (json.containsKey("messageTtlMs")) {
        setMessageTtlMs(json.getLong("messageTtlMs"));
      }
      if (json.containsKey("dedupWindowMs")) {
        setDedupWindowMs(json.getLong("dedupWindowMs"));
      }
      if (json.containsKey("replicationFactor")) {
        setReplicationFactor(json.getInteger("replicationFactor"));
      }
      if (json.containsKey("minInSync")) {
        setMinInSync(json.getInteger("minInSync"));
      }
    } catch (ClassCastException | IllegalArgumentException | NullPointerException e) {
      if (e instanceof InvalidArgumentException iae) {
        throw iae;
      }
      throw new InvalidArgumentException("bad queue config " + json.encode() + ": " + e.getMessage(), e);
    }
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("fsync", fsync.toString()).put("segmentBytes", segmentBytes)
        .put("maxMessageBytes", maxMessageBytes).put("visibilityTimeoutMs", visibilityTimeoutMs)
        .put("maxDeliveries", maxDeliveries).put("maxLength", maxLength).put("maxBytes", maxBytes)
        .put("overflow", overflow.name()).put("messageTtlMs", messageTtlMs).put("dedupWindowMs", dedupWindowMs);
    if (deadLetterQueue != null) {
      json.put("deadLetterQueue", deadLetterQueue);
    }
    // Absent: the store's default.
    if (replicationFactor != LogOptions.STORE_DEFAULT) {
      json.put("replicationFactor", replicationFactor);
    }
    if (minInSync != LogOptions.STORE_DEFAULT) {
      json.put("minInSync", minInSync);
    }
    return json;
  }

  /** Durability of the queue's logs: when appends (sends, acks) are forced to disk (default always, group-committed). */
  public FsyncPolicy getFsync() {
    return fsync;
  }

  public QueueConfig setFsync(FsyncPolicy fsync) {
    this.fsync = Objects.requireNonNull(fsync, "fsync");
    return this;
  }

  /** Segment size of the queue's log; acknowledged messages free space a whole segment at a time. */
  public int getSegmentBytes() {
    return segmentBytes;
  }

  public QueueConfig setSegmentBytes(int segmentBytes) {
    if (segmentBytes < 1024) {
      throw new InvalidArgumentException("segmentBytes must be >= 1024, got " + segmentBytes);
    }
    this.segmentBytes = segmentBytes;
    return this;
  }

  /** The largest message (key, value, headers and framing) accepted (default 1 MiB). */
  public int getMaxMessageBytes() {
    return maxMessageBytes;
  }

  public QueueConfig setMaxMessageBytes(int maxMessageBytes) {
    if (maxMessageBytes < 64 || maxMessageBytes > 64 * 1024 * 1024) {
      throw new InvalidArgumentException("maxMessageBytes must be between 64 and 64 MiB, got " + maxMessageBytes);
    }
    this.maxMessageBytes = maxMessageBytes;
    return this;
  }

  /** How long a CLIENT-mode delivery stays leased before it is redelivered (default 30 s). */
  public long getVisibilityTimeoutMs() {
    return visibilityTimeoutMs;
  }

  public QueueConfig setVisibilityTimeoutMs(long visibilityTimeoutMs) {
    if (visibilityTimeoutMs < 1 || visibilityTimeoutMs > MAX_VISIBILITY_TIMEOUT_MS) {
      throw new InvalidArgumentException("visibilityTimeoutMs must be between 1 and " + MAX_VISIBILITY_TIMEOUT_MS
          + ", got " + visibilityTimeoutMs);
    }
    this.visibilityTimeoutMs = visibilityTimeoutMs;
    return this;
  }

  /**
   * Deliveries after which a message that comes back once more is dead-lettered (0: no limit, the default).
   * Without a dead-letter queue such a message is discarded.
   */
  public int getMaxDeliveries() {
    return maxDeliveries;
  }

  public QueueConfig setMaxDeliveries(int maxDeliveries) {
    if (maxDeliveries < 0) {
      throw new InvalidArgumentException("maxDeliveries must be >= 0, got " + maxDeliveries);
    }
    this.maxDeliveries = maxDeliveries;
    return this;
  }

  /** The queue that receives dead letters, or null. It must exist when this queue is created. */
  public String getDeadLetterQueue() {
    return deadLetterQueue;
  }

  public QueueConfig setDeadLetterQueue(String deadLetterQueue) {
    this.deadLetterQueue = deadLetterQueue == null ? null : Names.validate("queue", deadLetterQueue);
    return this;
  }

  /** The most messages the queue holds, in flight included (0: no limit). */
  public long getMaxLength() {
    return maxLength;
  }

  public QueueConfig setMaxLength(long maxLength) {
    if (maxLength < 0) {
      throw new InvalidArgumentException("maxLength must be >= 0, got " + maxLength);
    }
    this.maxLength = maxLength;
    return this;
  }

  /** The most message bytes the queue holds (0: no limit). */
  public long getMaxBytes() {
    return maxBytes;
  }

  public QueueConfig setMaxBytes(long maxBytes) {
    if (maxBytes < 0) {
      throw new InvalidArgumentException("maxBytes must be >= 0, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
    return this;
  }

  /** What happens at {@code maxLength} / {@code maxBytes} (default {@link OverflowPolicy#REJECT_NEW}). */
  public OverflowPolicy getOverflow() {
    return overflow;
  }

  public QueueConfig setOverflow(OverflowPolicy overflow) {
    this.overflow = Objects.requireNonNull(overflow, "overflow");
    return this;
  }

  /** Default time to live of a message that was not delivered (0: forever). */
  public long getMessageTtlMs() {
    return messageTtlMs;
  }

  public QueueConfig setMessageTtlMs(long messageTtlMs) {
    if (messageTtlMs < 0) {
      throw new InvalidArgumentException("messageTtlMs must be >= 0, got " + messageTtlMs);
    }
    this.messageTtlMs = messageTtlMs;
    return this;
  }

  /** How long a dedup id is remembered (default 5 minutes; 0 turns deduplication off). */
  public long getDedupWindowMs() {
    return dedupWindowMs;
  }

  public QueueConfig setDedupWindowMs(long dedupWindowMs) {
    if (dedupWindowMs < 0) {
      throw new InvalidArgumentException("dedupWindowMs must be >= 0, got " + dedupWindowMs);
    }
    this.dedupWindowMs = dedupWindowMs;
    return this;
  }

  /**
   * Replicas of the queue's logs on a replicated store, on distinct nodes (0, the default: the store's
   * default, 2 in a cluster of two nodes or more). A local store keeps one copy whatever this says. Creating
   * the queue fails with {@code invalid_argument} when fewer nodes are live. Fixed at creation.
   */
  public int getReplicationFactor() {
    return replicationFactor;
  }

  /** Fails with {@code invalid_argument} below 1, or below the {@link #getMinInSync() in-sync minimum} set. */
  public QueueConfig setReplicationFactor(int replicationFactor) {
    LogOptions.checkReplication(LogOptions.requireReplicationSetting("replicationFactor", replicationFactor), minInSync);
    this.replicationFactor = replicationFactor;
    return this;
  }

  /**
   * In-sync replicas (the leader included) the queue's logs need to acknowledge a send or an ack; with fewer
   * they refuse it ({@code not_enough_replicas}). 0, the default: the store's default, at most the factor.
   */
  public int getMinInSync() {
    return minInSync;
  }

  /** Fails with {@code invalid_argument} below 1 or above the {@link #getReplicationFactor() factor} set. */
  public QueueConfig setMinInSync(int minInSync) {
    LogOptions.checkReplication(replicationFactor, LogOptions.requireReplicationSetting("minInSync", minInSync));
    this.minInSync = minInSync;
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QueueConfig c && c.toJson().equals(toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
