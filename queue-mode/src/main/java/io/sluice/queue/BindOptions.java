package io.sluice.queue;

import io.sluice.api.InvalidArgumentException;

/**
 * Settings of a binding of a queue to a plain event-bus address ({@link Queues#bindToAddress}).
 * Fluent and mutable; not thread-safe.
 */
public final class BindOptions {

  private int prefetch = 64;
  private long replyTimeoutMs = 30_000;
  private long nackDelayMs;

  public BindOptions() {
  }

  /** How many messages may wait for a reply at once (default 64). */
  public int getPrefetch() {
    return prefetch;
  }

  public BindOptions setPrefetch(int prefetch) {
    if (prefetch < 1 || prefetch > ConsumerOptions.MAX_PREFETCH) {
      throw new InvalidArgumentException("prefetch must be between 1 and " + ConsumerOptions.MAX_PREFETCH);
    }
    this.prefetch = prefetch;
    return this;
  }

  /** A handler that neither replies nor fails within this time nacks the message (default 30 s). */
  public long getReplyTimeoutMs() {
    return replyTimeoutMs;
  }

  public BindOptions setReplyTimeoutMs(long replyTimeoutMs) {
    if (replyTimeoutMs < 1 || replyTimeoutMs > QueueConfig.MAX_VISIBILITY_TIMEOUT_MS / 2) {
      throw new InvalidArgumentException("replyTimeoutMs must be between 1 and "
          + QueueConfig.MAX_VISIBILITY_TIMEOUT_MS / 2 + ", got " + replyTimeoutMs);
    }
    this.replyTimeoutMs = replyTimeoutMs;
    return this;
  }

  /** Redelivery delay after {@code fail()} or a timeout (default 0). */
  public long getNackDelayMs() {
    return nackDelayMs;
  }

  public BindOptions setNackDelayMs(long nackDelayMs) {
    if (nackDelayMs < 0 || nackDelayMs > SendOptions.MAX_DELAY_MS) {
      throw new InvalidArgumentException("nackDelayMs must be between 0 and " + SendOptions.MAX_DELAY_MS);
    }
    this.nackDelayMs = nackDelayMs;
    return this;
  }
}
