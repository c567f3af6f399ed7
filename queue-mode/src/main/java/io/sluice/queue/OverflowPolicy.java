package io.sluice.queue;

/** What a queue at its {@code maxLength} or {@code maxBytes} does with new messages. */
public enum OverflowPolicy {
  /** Refuse the send with {@code queue_full}; nothing of the refused batch is stored. */
  REJECT_NEW,
  /**
   * Accept the send and drop the oldest messages that are not in flight until the queue fits again;
   * dropped messages go to the dead-letter queue (reason {@code overflow}) when one is configured.
   */
  DROP_OLDEST
}
