package io.sluice.api;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A message on its way in: an optional key, a value (may be null, a tombstone), ordered headers and a
 * timestamp. Immutable; the {@code with*} methods return copies.
 *
 * <p>A timestamp below zero means "not set": the producer stamps the message with the current time when
 * it is encoded into a batch.
 */
public final class Message {

  public static final long NO_TIMESTAMP = -1L;

  private final Buffer key;
  private final Buffer value;
  private final List<Header> headers;
  private final long timestamp;

  private Message(Buffer key, Buffer value, List<Header> headers, long timestamp) {
    this.key = key;
    this.value = value;
    this.headers = headers;
    this.timestamp = timestamp;
  }

  public static Message of(Buffer value) {
    return new Message(null, value, List.of(), NO_TIMESTAMP);
  }

  public static Message of(String value) {
    return of(value == null ? null : Buffer.buffer(value));
  }

  public static Message of(Buffer key, Buffer value) {
    return new Message(key, value, List.of(), NO_TIMESTAMP);
  }

  public static Message of(String key, String value) {
    return of(key == null ? null : Buffer.buffer(key), value == null ? null : Buffer.buffer(value));
  }

  public Message withKey(Buffer newKey) {
    return new Message(newKey, value, headers, timestamp);
  }

  public Message withValue(Buffer newValue) {
    return new Message(key, newValue, headers, timestamp);
  }

  public Message withTimestamp(long newTimestamp) {
    return new Message(key, value, headers, newTimestamp);
  }

  public Message withHeaders(List<Header> newHeaders) {
    return new Message(key, value, List.copyOf(newHeaders), timestamp);
  }

  public Message withHeader(String name, Buffer headerValue) {
    List<Header> copy = new ArrayList<>(headers.size() + 1);
    copy.addAll(headers);
    copy.add(new Header(name, headerValue));
    return new Message(key, value, Collections.unmodifiableList(copy), timestamp);
  }

  public Message withHeader(String name, String headerValue) {
    return withHeader(name, Buffer.buffer(headerValue));
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

  /** Milliseconds since the epoch, or {@link #NO_TIMESTAMP}. */
  public long timestamp() {
    return timestamp;
  }

  @Override
  public String toString() {
    return "Message{key=" + key + ", value=" + (value == null ? null : value.length() + " bytes")
        + ", headers=" + headers.size() + ", timestamp=" + timestamp + "}";
  }
}
