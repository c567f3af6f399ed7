package io.sluice.queue;

/**
 * Reserved message headers. Names starting with {@code sluice.} belong to Sluice. Values are decimal or
 * plain UTF-8 strings, so clients without this library (HTTP, event bus) can set them too.
 *
 * <p>Set on a message to send: {@link #DELAY_MS}, {@link #TTL_MS}, {@link #DEDUP_ID}, {@link #GROUP}
 * ({@link SendOptions} sets them for you). Added to a dead-lettered message: {@link #DEAD_LETTER_REASON},
 * {@link #DEAD_LETTER_QUEUE}, {@link #DEAD_LETTER_ID}, {@link #DEAD_LETTER_DELIVERIES}.
 */
public final class QueueHeaders {

  /** Milliseconds after the enqueue time before the message may be delivered. */
  public static final String DELAY_MS = "sluice.delay-ms";
  /** Milliseconds after the enqueue time after which an undelivered message expires. */
  public static final String TTL_MS = "sluice.ttl-ms";
  /** A repeated id within the queue's dedup window is accepted once. */
  public static final String DEDUP_ID = "sluice.dedup-id";
  /** Message group: at most one message per group is in flight, so a group is processed in order. */
  public static final String GROUP = "sluice.group";

  /** Why the message was dead-lettered: {@code max_deliveries}, {@code expired} or {@code overflow}. */
  public static final String DEAD_LETTER_REASON = "sluice.dlq.reason";
  /** The queue the message was dead-lettered from. */
  public static final String DEAD_LETTER_QUEUE = "sluice.dlq.queue";
  /** The message id in that queue. */
  public static final String DEAD_LETTER_ID = "sluice.dlq.id";
  /** How many times it was delivered there. */
  public static final String DEAD_LETTER_DELIVERIES = "sluice.dlq.deliveries";

  /** Reasons in {@link #DEAD_LETTER_REASON}. */
  public static final String REASON_MAX_DELIVERIES = "max_deliveries";
  public static final String REASON_EXPIRED = "expired";
  public static final String REASON_OVERFLOW = "overflow";

  private QueueHeaders() {
  }
}
