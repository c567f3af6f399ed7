package io.sluice.api;

import java.util.List;

/**
 * How many headers one record may carry, and how many bytes they may take together (names in UTF-8 plus
 * values). Every entry point applies the node's limits before anything is stored: a producer's send, a
 * queue send, the HTTP API and the event-bus bridge. Too many headers is {@code invalid_argument} (HTTP
 * 400); too many header bytes is {@code record_too_large} (HTTP 413), as the record's own size limit is.
 *
 * <p>The defaults, {@value #DEFAULT_MAX_HEADERS} headers and {@value #DEFAULT_MAX_HEADER_BYTES} bytes, are
 * far above what tracing, routing and schema headers need (Kafka and Pulsar set no separate header limit,
 * only the record size, 1 MiB here), and low enough that headers cannot be used to make a node decode and
 * index thousands of tiny fields per record.
 *
 * <p>Immutable and thread-safe.
 */
public record HeaderLimits(int maxHeaders, int maxHeaderBytes) {

  public static final int DEFAULT_MAX_HEADERS = 64;
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
  /** The record format stores the header count in 16 bits. */
  public static final int MAX_HEADERS_CEILING = Short.MAX_VALUE;

  public static final HeaderLimits DEFAULT = new HeaderLimits(DEFAULT_MAX_HEADERS, DEFAULT_MAX_HEADER_BYTES);

  /** Limits of {@code maxHeaders} (0..32767) headers and {@code maxHeaderBytes} (&gt;= 0) header bytes per record. */
  public HeaderLimits {
    if (maxHeaders < 0 || maxHeaders > MAX_HEADERS_CEILING) {
      throw new InvalidArgumentException("maxHeaders must be 0.." + MAX_HEADERS_CEILING + ", got " + maxHeaders);
    }
    if (maxHeaderBytes < 0) {
      throw new InvalidArgumentException("maxHeaderBytes must be >= 0, got " + maxHeaderBytes);
    }
  }

  public static HeaderLimits of(int maxHeaders, int maxHeaderBytes) {
    return new HeaderLimits(maxHeaders, maxHeaderBytes);
  }

  /** Fails with {@code invalid_argument} or {@code record_too_large} when {@code message}'s headers exceed the limits. */
  public void check(Message message) {
    check(message.headers());
  }

  /** Fails with {@code invalid_argument} or {@code record_too_large} when {@code headers} exceed the limits. */
  public void check(List<Header> headers) {
    if (headers.size() > maxHeaders) {
      throw new InvalidArgumentException(headers.size() + " headers exceed the limit of " + maxHeaders + " per record");
    }
    long bytes = 0;
    for (Header h : headers) {
      bytes += utf8Length(h.name()) + h.value().length();
    }
    if (bytes > maxHeaderBytes) {
      throw new RecordTooLargeException("headers of " + bytes + " bytes exceed the limit of " + maxHeaderBytes + " per record");
    }
  }

  /** The UTF-8 length of {@code s}, without encoding it. */
  public static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
