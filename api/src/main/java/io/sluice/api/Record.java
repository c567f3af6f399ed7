package io.sluice.api;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Objects;

/**
 * A stored message: what a consumer receives. It has the partition it was read from (-1 when read
 * from a bare log), its offset in that partition, its timestamp, key, value and headers.
 *
 * <p>Key, value and header values may be slices of the buffer the record was decoded from; copy them
 * before mutating.
 */
public final class Record {

  private final int partition;
  private final long offset;
  private final long timestamp;
  private final Buffer key;
  private final Buffer value;
  private final List<Header> headers;

  public Record(int partition, long offset, long timestamp, Buffer key, Buffer value, List<Header> headers) {
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
    this.headers = Objects.requireNonNull(headers, "headers");
  }

  public int partition() {
    return partition;
  }

  public long offset() {
    return offset;
  }

  public long timestamp() {
    return timestamp;
  }

  /** The key, or null. */
  public Buffer key() {
    return key;
  }

  /** The value, or null for a tombstone. */
  public Buffer value() {
    return value;
  }

  public List<Header> headers() {
    return headers;
  }

  /** The first header with this name, or null. */
  public Header header(String name) {
    for (Header h : headers) {
      if (h.name().equals(name)) {
        return h;
      }
    }
    return null;
  }

  public String keyAsString() {
    return key == null ? null : key.toString();
  }

  public String valueAsString() {
    return value == null ? null : value.toString();
  }

  /** The same record with another partition number. */
  public Record withPartition(int newPartition) {
    return new Record(newPartition, offset, timestamp, key, value, headers);
  }

  /** This record as a message to send on (same key, value, headers and timestamp). */
  public Message toMessage() {
    return Message.of(key, value).withHeaders(headers).withTimestamp(timestamp);
  }

  @Override
  public String toString() {
    return "Record{partition=" + partition + ", offset=" + offset + ", timestamp=" + timestamp
        + ", key=" + keyAsString() + ", value=" + (value == null ? null : value.length() + " bytes") + "}";
  }
}
