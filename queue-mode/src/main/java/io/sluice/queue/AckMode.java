package io.sluice.queue;

/** How deliveries to a consumer are settled. */
public enum AckMode {
  /**
   * Settled when read: the queue durably forgets a message before it hands it out (at-most-once).
   * Deliveries carry no receipt.
   */
  AUTO,
  /**
   * Settled by the client: a delivery is leased for the visibility timeout; {@code ack} deletes it,
   * {@code nack} or an expired lease returns it to the queue (at-least-once).
   */
  CLIENT
}
