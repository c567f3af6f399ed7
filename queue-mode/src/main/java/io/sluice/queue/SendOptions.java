package io.sluice.queue;

import io.sluice.api.InvalidArgumentException;

/**
 * Per-send settings: delay, time to live, deduplication id and message group. They travel as the
 * {@link QueueHeaders reserved headers}, so the same settings can be given as headers by clients
 * without this class. Fluent and mutable; setters reject bad values with {@code invalid_argument}; not thread-safe.
 */
public final class SendOptions {

  /** The longest delay accepted (30 days). */
  public static final long MAX_DELAY_MS = 30L * 24 * 3600 * 1000;

  private long delayMs;
  private long ttlMs;
  private String dedupId;
  private String group;

  public SendOptions() {
  }

  public long getDelayMs() {
    return delayMs;
  }

  /** Deliver no earlier than this many ms after the message is enqueued (0: at once). */
  public SendOptions setDelayMs(long delayMs) {
    checkDelay(delayMs);
    this.delayMs = delayMs;
    return this;
  }

  public long getTtlMs() {
    return ttlMs;
  }

  /** Expire the message if it was not delivered within this many ms (0: the queue's default). */
  public SendOptions setTtlMs(long ttlMs) {
    if (ttlMs < 0) {
      throw new InvalidArgumentException("ttlMs must be >= 0, got " + ttlMs);
    }
    this.ttlMs = ttlMs;
    return this;
  }

  public String getDedupId() {
    return dedupId;
  }

  /** Within the queue's dedup window, a second message with this id is accepted once (and not stored again). */
  public SendOptions setDedupId(String dedupId) {
    if (dedupId != null && (dedupId.isEmpty() || dedupId.length() > 256)) {
      throw new InvalidArgumentException("dedupId must be 1 to 256 characters");
    }
    this.dedupId = dedupId;
    return this;
  }

  public String getGroup() {
    return group;
  }

  /** Message group key: messages of one group are delivered one at a time, in order. */
  public SendOptions setGroup(String group) {
    if (group != null && (group.isEmpty() || group.length() > 256)) {
      throw new InvalidArgumentException("group must be 1 to 256 characters");
    }
    this.group = group;
    return this;
  }

  private static void checkDelay(long delayMs) {
    if (delayMs < 0 || delayMs > MAX_DELAY_MS) {
      throw new InvalidArgumentException("delay must be between 0 and " + MAX_DELAY_MS + " ms, got " + delayMs);
    }
  }
}
