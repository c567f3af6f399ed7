package io.sluice.queue.internal;

import io.sluice.api.InvalidArgumentException;
import java.nio.charset.StandardCharsets;

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

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

  private Receipts() {
  }

  record Receipt(String queue, long offset, long token) {
  }

  static String format(String queue, long offset, long token) {
    // One exact-size Latin-1 array, filled from the end: no builder to grow and no hex string to copy.
    // Queue names are [A-Za-z0-9._-] (Names), so a char is a byte; offsets are never negative.
    int q = queue.length();
    int hexDigits = Math.max(1, (67 - Long.numberOfLeadingZeros(token)) >> 2);
    int decimalDigits = 1;
    for (long rest = offset / 10; rest > 0; rest /= 10) {
      decimalDigits++;
    }
    byte[] out = new byte[q + decimalDigits + hexDigits + 2];
    for (int i = 0; i < q; i++) {
      out[i] = (byte) queue.charAt(i);
    }
    int at = out.length;
    for (long t = token; at > out.length - hexDigits; t >>>= 4) {
      out[--at] = HEX[(int) (t & 0xF)];
    }
    out[--at] = ':';
    for (long o = offset; at > q + 1; o /= 10) {
      out[--at] = (byte) ('0' + o % 10);
    }
    out[q] = ':';
    return new String(out, StandardCharsets.ISO_8859_1);
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
    // Hand-parsed from the end (token, then offset): this runs once per settled message.
    int end = text.length();
    int second = end - 1;
    long token = 0;
    while (second >= 0 && text.charAt(second) != ':') {
      int d = Character.digit(text.charAt(second), 16);
      if (d < 0 || end - second > 16) {
        throw malformed(text);
      }
      token |= (long) d << ((end - 1 - second) << 2);
      second--;
    }
    if (second < 0 || second == end - 1 || token == 0) {
      throw malformed(text);
    }
    int first = second - 1;
    long offset = 0;
    long scale = 1;
    while (first >= 0 && text.charAt(first) != ':') {
      char c = text.charAt(first);
      if (c < '0' || c > '9' || second - first > 19) {
        throw malformed(text);
      }
      offset += (c - '0') * scale;
      if (offset < 0) {
        throw malformed(text); // beyond Long.MAX_VALUE
      }
      scale *= 10;
      first--;
    }
    if (first <= 0 || first == second - 1) {
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
