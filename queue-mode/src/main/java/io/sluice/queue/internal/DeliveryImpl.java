package io.sluice.queue.internal;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Record;
import io.sluice.queue.Delivery;
import io.sluice.queue.internal.Wire.DeliveryFrame;
import io.vertx.core.Future;

/**
 * A delivery as a client holds it: its own ack, nack and extend go to the owner straight from the
 * frame's offset and token, without formatting and parsing back its receipt. Immutable but for the
 * receipt text, formatted on first use (safe from any thread).
 */
final class DeliveryImpl implements Delivery {

  private final QueuesImpl queues;
  private final String queue;
  private final DeliveryFrame frame;
  /** Formatted on first use: a consumer that settles with {@link #ack()} never needs the text. */
  private String receipt;

  DeliveryImpl(QueuesImpl queues, String queue, DeliveryFrame frame) {
    this.queues = queues;
    this.queue = queue;
    this.frame = frame;
  }

  @Override
  public String queue() {
    return queue;
  }

  @Override
  public long id() {
    return frame.offset();
  }

  @Override
  public String receipt() {
    // Racy single-check: a String is safely published, so at worst two threads format it twice.
    String r = receipt;
    if (r == null && frame.token() != 0) {
      r = Receipts.format(queue, frame.offset(), frame.token());
      receipt = r;
    }
    return r;
  }

  @Override
  public int deliveryCount() {
    return frame.deliveryCount();
  }

  @Override
  public long firstDeliveryTime() {
    return frame.firstDeliveredAt();
  }

  @Override
  public long leaseExpiresAt() {
    return frame.leaseExpiresAt();
  }

  @Override
  public Record record() {
    return frame.record();
  }

  private Future<Void> needsLease() {
    return Future.failedFuture(new InvalidArgumentException("delivery " + queue + ":" + id()
        + " was auto-acked: it has no lease to settle"));
  }

  @Override
  public Future<Void> ack() {
    return frame.token() == 0 ? needsLease() : queues.settleLease(Wire.ACK, queue, frame.offset(), frame.token(), 0);
  }

  @Override
  public Future<Void> nack() {
    return nack(0);
  }

  @Override
  public Future<Void> nack(long delayMs) {
    return frame.token() == 0 ? needsLease()
        : queues.settleLease(Wire.NACK, queue, frame.offset(), frame.token(), delayMs);
  }

  @Override
  public Future<Void> extend(long ms) {
    return frame.token() == 0 ? needsLease() : queues.settleLease(Wire.EXTEND, queue, frame.offset(), frame.token(), ms);
  }

  @Override
  public String toString() {
    return "Delivery{queue=" + queue + ", id=" + id() + ", deliveryCount=" + deliveryCount() + "}";
  }
}
