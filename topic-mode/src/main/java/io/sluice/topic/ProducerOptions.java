package io.sluice.topic;

import io.sluice.api.InvalidArgumentException;
import java.util.Objects;

/**
 * Producer settings. Batching: a partition's batch is sent when it reaches {@link #getBatchBytes()} or
 * when {@link #getLingerMs()} has passed since its first message, whichever comes first. An idempotent
 * producer keeps up to {@link #getMaxInFlightPerPartition()} batches of a partition in flight (Kafka's
 * {@code max.in.flight.requests.per.connection}); its sequences and the owner's one-append-at-a-time rule keep
 * the partition in order through retries. Without idempotence one batch per partition is in flight.
 *
 * <p>Back-pressure: messages waiting to be acknowledged may hold at most {@link #getBufferMemory()}
 * bytes. A {@code send} that does not fit waits (in order) up to {@link #getMaxBlockMs()} for space, then
 * fails with {@code queue_full} (retriable). Nothing is ever buffered without bound.
 *
 * <p>Not thread-safe; a producer copies it when created.
 */
public final class ProducerOptions {

  /** The most batches per partition an idempotent producer may keep in flight: what an owner remembers. */
  public static final int MAX_IN_FLIGHT_LIMIT = 5;

  private String clientId = "producer";
  private long lingerMs = 5;
  private int batchBytes = 64 * 1024;
  private long bufferMemory = 32L * 1024 * 1024;
  private long maxBlockMs = 60_000;
  private long requestTimeoutMs = 30_000;
  private long deliveryTimeoutMs = 120_000;
  private long retryBackoffMs = 100;
  private long metadataMaxAgeMs = 30_000;
  private boolean idempotence = true;
  private int maxInFlightPerPartition = MAX_IN_FLIGHT_LIMIT;
  private Partitioner partitioner;

  public ProducerOptions() {
  }

  public ProducerOptions(ProducerOptions other) {
    this.clientId = other.clientId;
    this.lingerMs = other.lingerMs;
    this.batchBytes = other.batchBytes;
    this.bufferMemory = other.bufferMemory;
    this.maxBlockMs = other.maxBlockMs;
    this.requestTimeoutMs = other.requestTimeoutMs;
    this.deliveryTimeoutMs = other.deliveryTimeoutMs;
    this.retryBackoffMs = other.retryBackoffMs;
    this.metadataMaxAgeMs = other.metadataMaxAgeMs;
    this.idempotence = other.idempotence;
    this.maxInFlightPerPartition = other.maxInFlightPerPartition;
    this.partitioner = other.partitioner;
  }

  /** A name for logs and errors. */
  public String getClientId() {
    return clientId;
  }

  public ProducerOptions setClientId(String clientId) {
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    return this;
  }

  /** How long a batch waits for more messages before it is sent (default 5 ms; 0: send at once when idle). */
  public long getLingerMs() {
    return lingerMs;
  }

  public ProducerOptions setLingerMs(long lingerMs) {
    if (lingerMs < 0) {
      throw new InvalidArgumentException("lingerMs must be >= 0, got " + lingerMs);
    }
    this.lingerMs = lingerMs;
    return this;
  }

  /** A batch is sent once it holds this many bytes (default 64 KiB). A larger message gets a batch of its own. */
  public int getBatchBytes() {
    return batchBytes;
  }

  public ProducerOptions setBatchBytes(int batchBytes) {
    if (batchBytes < 128) {
      throw new InvalidArgumentException("batchBytes must be >= 128, got " + batchBytes);
    }
    this.batchBytes = batchBytes;
    return this;
  }

  /** Bytes of messages the producer holds until they are acknowledged (default 32 MiB). */
  public long getBufferMemory() {
    return bufferMemory;
  }

  public ProducerOptions setBufferMemory(long bufferMemory) {
    if (bufferMemory < 1024) {
      throw new InvalidArgumentException("bufferMemory must be >= 1024, got " + bufferMemory);
    }
    this.bufferMemory = bufferMemory;
    return this;
  }

  /** How long a send waits for buffer space before failing with {@code queue_full} (default 60 s; 0: fail at once). */
  public long getMaxBlockMs() {
    return maxBlockMs;
  }

  public ProducerOptions setMaxBlockMs(long maxBlockMs) {
    if (maxBlockMs < 0) {
      throw new InvalidArgumentException("maxBlockMs must be >= 0, got " + maxBlockMs);
    }
    this.maxBlockMs = maxBlockMs;
    return this;
  }

  /** How long one request to a partition owner may take before it is retried (default 30 s). */
  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  public ProducerOptions setRequestTimeoutMs(long ms) {
    if (ms <= 0) {
      throw new InvalidArgumentException("requestTimeoutMs must be > 0, got " + ms);
    }
    this.requestTimeoutMs = ms;
    return this;
  }

  /** How long a batch may be retried (retriable errors) before its sends fail (default 120 s). */
  public long getDeliveryTimeoutMs() {
    return deliveryTimeoutMs;
  }

  public ProducerOptions setDeliveryTimeoutMs(long ms) {
    if (ms <= 0) {
      throw new InvalidArgumentException("deliveryTimeoutMs must be > 0, got " + ms);
    }
    this.deliveryTimeoutMs = ms;
    return this;
  }

  /** Pause between retries of a batch (default 100 ms). */
  public long getRetryBackoffMs() {
    return retryBackoffMs;
  }

  public ProducerOptions setRetryBackoffMs(long ms) {
    if (ms < 0) {
      throw new InvalidArgumentException("retryBackoffMs must be >= 0, got " + ms);
    }
    this.retryBackoffMs = ms;
    return this;
  }

  /** Cached partition counts are refreshed after this long, so added partitions are used (default 30 s). */
  public long getMetadataMaxAgeMs() {
    return metadataMaxAgeMs;
  }

  public ProducerOptions setMetadataMaxAgeMs(long ms) {
    if (ms < 0) {
      throw new InvalidArgumentException("metadataMaxAgeMs must be >= 0, got " + ms);
    }
    this.metadataMaxAgeMs = ms;
    return this;
  }

  /**
   * Whether batches carry a producer id and per-partition sequence so a retried batch is appended once
   * (default true). Like Kafka, the guarantee holds for the life of a producer instance.
   */
  public boolean isIdempotence() {
    return idempotence;
  }

  public ProducerOptions setIdempotence(boolean idempotence) {
    this.idempotence = idempotence;
    return this;
  }

  /**
   * How many batches of one partition an idempotent producer sends before the first is acknowledged
   * (default and most {@value #MAX_IN_FLIGHT_LIMIT}: a partition owner remembers that many batches per producer
   * to recognise retries). More overlaps the round trips of a slow path (fsync, replication); 1 sends one at a
   * time. Ignored without idempotence, which always sends one batch per partition at a time.
   */
  public int getMaxInFlightPerPartition() {
    return maxInFlightPerPartition;
  }

  public ProducerOptions setMaxInFlightPerPartition(int batches) {
    if (batches < 1 || batches > MAX_IN_FLIGHT_LIMIT) {
      throw new InvalidArgumentException("maxInFlightPerPartition must be 1.." + MAX_IN_FLIGHT_LIMIT + ", got " + batches);
    }
    this.maxInFlightPerPartition = batches;
    return this;
  }

  /** The partitioner; null (the default) means a fresh {@link Partitioner#sticky()} per producer. */
  public Partitioner getPartitioner() {
    return partitioner;
  }

  public ProducerOptions setPartitioner(Partitioner partitioner) {
    this.partitioner = partitioner;
    return this;
  }
}
