package io.sluice.queue;

import io.sluice.api.InvalidArgumentException;
import java.util.Objects;

/**
 * Settings of one push consumer. Fluent and mutable; setters reject bad values with
 * {@code invalid_argument}; not thread-safe.
 */
public final class ConsumerOptions {

  public static final int DEFAULT_PREFETCH = 256;
  public static final int MAX_PREFETCH = 100_000;

  private AckMode ackMode = AckMode.CLIENT;
  private int prefetch = DEFAULT_PREFETCH;
  private long visibilityTimeoutMs;
  private long closeTimeoutMs = 10_000;

  public ConsumerOptions() {
  }

  public ConsumerOptions(ConsumerOptions other) {
    this.ackMode = other.ackMode;
    this.prefetch = other.prefetch;
    this.visibilityTimeoutMs = other.visibilityTimeoutMs;
    this.closeTimeoutMs = other.closeTimeoutMs;
  }

  public AckMode getAckMode() {
    return ackMode;
  }

  /** Default {@link AckMode#CLIENT}. */
  public ConsumerOptions setAckMode(AckMode ackMode) {
    this.ackMode = Objects.requireNonNull(ackMode, "ackMode");
    return this;
  }

  /**
   * Credit: the most deliveries this consumer holds at once, buffered and (in CLIENT mode) unacked
   * together (default 256). A slow consumer never holds more; the rest go to other consumers.
   */
  public int getPrefetch() {
    return prefetch;
  }

  public ConsumerOptions setPrefetch(int prefetch) {
    if (prefetch < 1 || prefetch > MAX_PREFETCH) {
      throw new InvalidArgumentException("prefetch must be between 1 and " + MAX_PREFETCH + ", got " + prefetch);
    }
    this.prefetch = prefetch;
    return this;
  }

  /**
   * The most {@code close()} waits for the owner to take back what this consumer held (default 10 s). Past it
   * the consumer is closed anyway and what it held comes back when its lease runs out. This bounds a close
   * that races the node's own shutdown, where the owner may never answer.
   */
  public long getCloseTimeoutMs() {
    return closeTimeoutMs;
  }

  public ConsumerOptions setCloseTimeoutMs(long closeTimeoutMs) {
    if (closeTimeoutMs < 1) {
      throw new InvalidArgumentException("closeTimeoutMs must be positive, got " + closeTimeoutMs);
    }
    this.closeTimeoutMs = closeTimeoutMs;
    return this;
  }

  /** Lease length of this consumer's deliveries in CLIENT mode (0: the queue's visibility timeout). */
  public long getVisibilityTimeoutMs() {
    return visibilityTimeoutMs;
  }

  public ConsumerOptions setVisibilityTimeoutMs(long visibilityTimeoutMs) {
    if (visibilityTimeoutMs < 0 || visibilityTimeoutMs > QueueConfig.MAX_VISIBILITY_TIMEOUT_MS) {
      throw new InvalidArgumentException("visibilityTimeoutMs must be between 0 and "
          + QueueConfig.MAX_VISIBILITY_TIMEOUT_MS + ", got " + visibilityTimeoutMs);
    }
    this.visibilityTimeoutMs = visibilityTimeoutMs;
    return this;
  }
}
