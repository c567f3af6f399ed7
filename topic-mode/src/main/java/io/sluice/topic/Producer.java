package io.sluice.topic;

import io.sluice.api.Message;
import io.vertx.core.Future;

/**
 * Sends messages to topics, batched per partition (see {@link ProducerOptions} for batching,
 * back-pressure and retries). Messages sent to one partition are stored in the order {@code send} was
 * called, also across retries.
 *
 * <p>Errors (typed {@link io.sluice.api.SluiceException}s): {@code invalid_name}, {@code unknown_topic},
 * {@code unknown_partition}, {@code record_too_large} (larger than the topic's {@code maxMessageBytes} or
 * the whole buffer), {@code queue_full} (no buffer space within {@code maxBlockMs}), {@code timeout}
 * (not acknowledged within {@code deliveryTimeoutMs}), {@code store_closed} (producer closed). A failed
 * send was not stored, except after {@code timeout}, when it may have been.
 *
 * <p>Thread contract: thread-safe. The producer runs on one event-loop context; futures complete on the
 * caller's context.
 */
public interface Producer {

  /** Sends to the partition the partitioner picks. */
  Future<RecordMetadata> send(String topic, Message message);

  /** Sends to an explicit partition. */
  Future<RecordMetadata> send(String topic, int partition, Message message);

  /** Sends every batch now and completes when everything sent before this call is acknowledged (or failed). */
  Future<Void> flush();

  /** Flushes, then refuses new sends with {@code store_closed}. Idempotent. */
  Future<Void> close();
}
