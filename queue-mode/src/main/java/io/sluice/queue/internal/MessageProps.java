package io.sluice.queue.internal;

import io.sluice.api.Header;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.queue.QueueHeaders;
import io.sluice.queue.SendOptions;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The queue properties a message carries in its reserved headers (delay, TTL, dedup id, group), parsed
 * once when a message is sent and again when the owner's cursor reaches it. Immutable.
 */
record MessageProps(long delayMs, long ttlMs, String dedupId, String group) {

  static final MessageProps NONE = new MessageProps(0, 0, null, null);

  /** @throws InvalidArgumentException if a reserved header has a bad value */
  static MessageProps of(Record r) {
    List<Header> headers = r.headers();
    if (headers.isEmpty()) {
      return NONE;
    }
    long delay = 0;
    long ttl = 0;
    String dedup = null;
    String group = null;
    boolean any = false;
    for (Header h : headers) {
      String n = h.name();
      if (!n.startsWith("sluice.")) {
        continue;
      }
      switch (n) {
        case QueueHeaders.DELAY_MS -> {
          delay = number(n, h.value(), SendOptions.MAX_DELAY_MS);
          any = true;
        }
        case QueueHeaders.TTL_MS -> {
          ttl = number(n, h.value(), Long.MAX_VALUE / 4);
          any = true;
        }
        case QueueHeaders.DEDUP_ID -> {
          dedup = text(n, h.value());
          any = true;
        }
        case QueueHeaders.GROUP -> {
          group = text(n, h.value());
          any = true;
        }
        default -> {
        }
      }
    }
    return any ? new MessageProps(delay, ttl, dedup, group) : NONE;
  }

  private static long number(String name, Buffer value, long max) {
    String s = value.toString();
    try {
      long v = Long.parseLong(s.trim());
      if (v < 0 || v > max) {
        throw new InvalidArgumentException("header " + name + " must be between 0 and " + max + ", got " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("header " + name + " must be a number of ms, got '" + s + "'");
    }
  }

  private static String text(String name, Buffer value) {
    if (value.length() == 0 || value.length() > 1024) {
      throw new InvalidArgumentException("header " + name + " must be 1 to 1024 bytes");
    }
    return value.toString();
  }

  /** The message with the headers for {@code options} added (replacing any reserved ones it had). */
  static Message withOptions(Message m, SendOptions options) {
    if (options == null) {
      return m;
    }
    List<Header> headers = new ArrayList<>(m.headers().size() + 4);
    for (Header h : m.headers()) {
      String n = h.name();
      boolean replaced = (n.equals(QueueHeaders.DELAY_MS) && options.getDelayMs() > 0)
          || (n.equals(QueueHeaders.TTL_MS) && options.getTtlMs() > 0)
          || (n.equals(QueueHeaders.DEDUP_ID) && options.getDedupId() != null)
          || (n.equals(QueueHeaders.GROUP) && options.getGroup() != null);
      if (!replaced) {
        headers.add(h);
      }
    }
    if (options.getDelayMs() > 0) {
      headers.add(Header.of(QueueHeaders.DELAY_MS, Long.toString(options.getDelayMs())));
    }
    if (options.getTtlMs() > 0) {
      headers.add(Header.of(QueueHeaders.TTL_MS, Long.toString(options.getTtlMs())));
    }
    if (options.getDedupId() != null) {
      headers.add(Header.of(QueueHeaders.DEDUP_ID, options.getDedupId()));
    }
    if (options.getGroup() != null) {
      headers.add(Header.of(QueueHeaders.GROUP, options.getGroup()));
    }
    return m.withHeaders(headers);
  }

  /**
   * Whether no record of a verified batch has a header: then none has queue properties, and each one's
   * {@link #sizeOf} is its length field plus the field itself. Reads only the length fields.
   */
  static boolean headerless(RecordBatch batch) {
    Buffer buf = batch.buffer();
    int pos = RecordBatch.HEADER_SIZE;
    for (int i = 0, count = batch.recordCount(); i < count; i++) {
      int at = pos + 4 + 8;
      at += 4 + Math.max(0, buf.getInt(at));
      at += 4 + Math.max(0, buf.getInt(at));
      if (buf.getShort(at) != 0) {
        return false;
      }
      pos += 4 + buf.getInt(pos);
    }
    return true;
  }

  /** Bytes a record takes in a batch (its length field included): what max-bytes limits count. */
  static int sizeOf(Record r) {
    int size = RecordBatch.RECORD_OVERHEAD + len(r.key()) + len(r.value());
    for (Header h : r.headers()) {
      size += 2 + h.name().length() + 4 + h.value().length();
    }
    return size;
  }

  private static int len(Buffer b) {
    return b == null ? 0 : b.length();
  }

  /**
   * Stamps every record of a batch with the owner's clock, in place (and fixes the CRC): a queue's record
   * timestamp is its enqueue time, so delay and TTL, which count from it, are measured by one clock and
   * survive a restart inside the stored bytes. The batch must be verified first.
   */
  static void stampEnqueueTime(RecordBatch batch, long now) {
    Buffer buf = batch.buffer();
    int pos = RecordBatch.HEADER_SIZE;
    int count = batch.recordCount();
    for (int i = 0; i < count; i++) {
      buf.setLong(pos + 4, now);
      pos += 4 + buf.getInt(pos);
    }
    buf.setLong(RecordBatch.FIRST_TIMESTAMP_POS, now);
    buf.setLong(RecordBatch.MAX_TIMESTAMP_POS, now);
    buf.setInt(RecordBatch.CRC_POS, batch.computeCrc());
  }
}
