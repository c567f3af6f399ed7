/**
 * Queues: point-to-point messaging over the storage API. Each message goes to exactly one of many
 * competing consumers under a lease; {@code ack} deletes it, {@code nack} or an expired lease returns
 * it, and after {@code maxDeliveries} it moves to a dead-letter queue. Entry point: {@link io.sluice.queue.Queues}.
 */
package io.sluice.queue;
