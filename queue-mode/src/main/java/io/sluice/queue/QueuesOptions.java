package io.sluice.queue;

import io.sluice.api.HeaderLimits;
import io.sluice.api.InvalidArgumentException;
import java.util.Objects;

/** Settings of a {@link Queues} instance. Fluent and mutable; not thread-safe ({@code Queues.create} copies them). */
public final class QueuesOptions {

  public static final String DEFAULT_ADDRESS = "sluice.queue";

  private String address = DEFAULT_ADDRESS;
  private long requestTimeoutMs = 30_000;
  private int readAhead = 4096;
  private long heldBytes = 64L * 1024 * 1024;
  private int maxQueues = 10_000;
  private HeaderLimits headerLimits = HeaderLimits.DEFAULT;

  public QueuesOptions() {
  }

  public QueuesOptions(QueuesOptions other) {
    this.address = other.address;
    this.requestTimeoutMs = other.requestTimeoutMs;
    this.readAhead = other.readAhead;
    this.heldBytes = other.heldBytes;
    this.maxQueues = other.maxQueues;
    this.headerLimits = other.headerLimits;
  }

  /**
   * How many headers, and how many header bytes, one record may carry (default {@link HeaderLimits#DEFAULT}:
   * 64 headers, 16 KiB). A send over them (the queue's reserved headers, such as a delay, count too) fails with {@code invalid_argument} or {@code record_too_large}
   * before anything is stored.
   */
  public HeaderLimits getHeaderLimits() {
    return headerLimits;
  }

  public QueuesOptions setHeaderLimits(HeaderLimits headerLimits) {
    this.headerLimits = Objects.requireNonNull(headerLimits, "headerLimits");
    return this;
  }

  /** The most queues, dead-letter queues included (default 10 000); one more is refused with {@code limit_exceeded}. */
  public int getMaxQueues() {
    return maxQueues;
  }

  public QueuesOptions setMaxQueues(int maxQueues) {
    if (maxQueues < 1) {
      throw new InvalidArgumentException("maxQueues must be >= 1");
    }
    this.maxQueues = maxQueues;
    return this;
  }

  /**
   * Event-bus address prefix (default {@code sluice.queue}). A queue's owner listens on
   * {@code <address>.<queue>}: sending a plain {@code Buffer}, {@code String} or {@code JsonObject} there
   * enqueues it (event-bus headers become message headers) and replies with the message id.
   */
  public String getAddress() {
    return address;
  }

  public QueuesOptions setAddress(String address) {
    if (address == null || address.isEmpty() || address.contains(":")) {
      throw new InvalidArgumentException("address must be non-empty and without ':'");
    }
    this.address = address;
    return this;
  }

  /** Timeout of each request to a queue owner (default 30 s). */
  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  public QueuesOptions setRequestTimeoutMs(long requestTimeoutMs) {
    if (requestTimeoutMs < 1) {
      throw new InvalidArgumentException("requestTimeoutMs must be >= 1");
    }
    this.requestTimeoutMs = requestTimeoutMs;
    return this;
  }

  /** Ready messages each queue reads ahead of its consumers and keeps in memory (default 4096). */
  public int getReadAhead() {
    return readAhead;
  }

  public QueuesOptions setReadAhead(int readAhead) {
    if (readAhead < 1) {
      throw new InvalidArgumentException("readAhead must be >= 1");
    }
    this.readAhead = readAhead;
    return this;
  }

  /**
   * Bytes of delayed and group-blocked messages each queue keeps in memory so they can be delivered the
   * moment they are due without a read (default 64 MiB); beyond it they are read back from the log.
   */
  public long getHeldBytes() {
    return heldBytes;
  }

  public QueuesOptions setHeldBytes(long heldBytes) {
    if (heldBytes < 0) {
      throw new InvalidArgumentException("heldBytes must be >= 0");
    }
    this.heldBytes = heldBytes;
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QueuesOptions q && q.address.equals(address) && q.requestTimeoutMs == requestTimeoutMs
        && q.readAhead == readAhead && q.heldBytes == heldBytes && q.maxQueues == maxQueues;
  }

  @Override
  public int hashCode() {
    return Objects.hash(address, requestTimeoutMs, readAhead, heldBytes, maxQueues);
  }
}
