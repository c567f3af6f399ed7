package io.sluice.queue.internal;

import io.sluice.api.InvalidArgumentException;

/**
 * Lease receipts: {@code <queue>:<message id>:<lease token in hex>}. Queue names cannot hold ':', so the
 * queue part routes the receipt to its owner; the token names one lease, so a receipt of an expired or
 * superseded lease (and of an earlier run of the owner) matches nothing.
 */
final class Receipts {

  private Receipts() {
  }

  record Receipt(String queue, long offset, long token, String text) {
  }

  static String format(String queue, long offset, long token) {
    return queue + ":" + offset + ":" + Long.toHexString(token);
  }

  /** @throws InvalidArgumentException if {@code text} is not a receipt */
  static Receipt parse(String text) {
    if (text == null) {
      throw new InvalidArgumentException("receipt is null");
    }
    int second = text.lastIndexOf(':');
    int first = second <= 0 ? -1 : text.lastIndexOf(':', second - 1);
    if (first <= 0) {
      throw new InvalidArgumentException("malformed receipt '" + text + "'");
    }
    try {
      long offset = Long.parseLong(text, first + 1, second, 10);
      long token = Long.parseUnsignedLong(text, second + 1, text.length(), 16);
      if (offset < 0 || token == 0) {
        throw new NumberFormatException();
      }
      return new Receipt(text.substring(0, first), offset, token, text);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw new InvalidArgumentException("malformed receipt '" + text + "'");
    }
  }
}
