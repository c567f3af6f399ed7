package io.sluice.queue.internal;

import io.sluice.api.InvalidArgumentException;

/**
 * Lease receipts: {@code <queue>:<message id>:<lease token in hex>}. Queue names cannot hold ':', so the
 * queue part routes the receipt to its owner; the token names one lease, so a receipt of an expired or
 * superseded lease (and of an earlier run of the owner) matches nothing.
 *
 * <p>Every delivery formats one and every settled message parses one, so both are hand-written (no
 * regex, no concatenation chain) and {@link #parse(String, String)} can reuse the queue name of the
 * previous receipt instead of copying it out of each one. Stateless; thread-safe.
 */
final class Receipts {

  private Receipts() {
  }

  record Receipt(String queue, long offset, long token) {
  }

  static String format(String queue, long offset, long token) {
    // queue, ':', up to 19 digits, ':', up to 16 hex digits
    return new StringBuilder(queue.length() + 37).append(queue).append(':').append(offset).append(':')
        .append(Long.toHexString(token)).toString();
  }

  /** @throws InvalidArgumentException if {@code text} is not a receipt */
  static Receipt parse(String text) {
    return parse(text, null);
  }

  /**
   * Parses a receipt; when its queue part equals {@code likelyQueue} (the queue of the previous receipt
   * of a batch), that same string is its queue, so a batch of one queue copies no names.
   *
   * @throws InvalidArgumentException if {@code text} is not a receipt
   */
  static Receipt parse(String text, String likelyQueue) {
    if (text == null) {
      throw new InvalidArgumentException("receipt is null");
    }
    int second = text.lastIndexOf(':');
    int first = second <= 0 ? -1 : text.lastIndexOf(':', second - 1);
    if (first <= 0) {
      throw malformed(text);
    }
    long offset;
    long token;
    try {
      offset = Long.parseLong(text, first + 1, second, 10);
      token = Long.parseUnsignedLong(text, second + 1, text.length(), 16);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw malformed(text);
    }
    if (offset < 0 || token == 0) {
      throw malformed(text);
    }
    String queue = likelyQueue != null && likelyQueue.length() == first && text.startsWith(likelyQueue)
        ? likelyQueue : text.substring(0, first);
    return new Receipt(queue, offset, token);
  }

  private static InvalidArgumentException malformed(String text) {
    return new InvalidArgumentException("malformed receipt '" + text + "'");
  }
}
