package io.sluice.queue;

import io.sluice.api.Header;
import io.sluice.api.Record;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * One message handed to one consumer. Immutable; the settle methods are shortcuts for
 * {@link Queues#ack}, {@link Queues#nack} and {@link Queues#extend} with this delivery's receipt and may
 * be called from any thread.
 */
public interface Delivery {

  /** The queue it came from. */
  String queue();

  /** The message id: its offset in the queue's log, stable across redeliveries and restarts. */
  long id();

  /**
   * The lease receipt to settle this delivery with ({@code <queue>:<id>:<lease>}). A receipt is valid
   * for this lease only: after the lease expired or the message was redelivered, settling with it fails
   * with {@code unknown_receipt}. Null for AUTO deliveries, which need no settling.
   */
  String receipt();

  /** 1 on the first delivery; counts every delivery, across restarts. */
  int deliveryCount();

  /** When the message was first delivered (ms since the epoch). */
  long firstDeliveryTime();

  /** When the lease ends (ms since the epoch), or 0 for AUTO deliveries. */
  long leaseExpiresAt();

  /** The stored message: its timestamp is the enqueue time. */
  Record record();

  default Buffer key() {
    return record().key();
  }

  default Buffer value() {
    return record().value();
  }

  default String valueAsString() {
    return record().valueAsString();
  }

  default List<Header> headers() {
    return record().headers();
  }

  /** When the message was enqueued (ms since the epoch). */
  default long timestamp() {
    return record().timestamp();
  }

  /** Deletes the message. Fails with {@code unknown_receipt} if the lease is gone. */
  Future<Void> ack();

  /** Returns the message to the queue for redelivery now. */
  Future<Void> nack();

  /** Returns the message to the queue for redelivery after {@code delayMs}. */
  Future<Void> nack(long delayMs);

  /** Extends the lease to end {@code ms} from now. */
  Future<Void> extend(long ms);
}
