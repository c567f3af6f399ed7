package io.sluice.broker.internal;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.sluice.api.Header;
import io.sluice.api.Record;
import io.sluice.api.Records;
import io.sluice.topic.RecordMetadata;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The topic routes' large answers (a page of records, the offsets of a produce request) written straight into
 * one {@link Buffer} with Jackson's streaming generator.
 *
 * <p>Why: a read of 1000 records built a JsonObject per record (a LinkedHashMap, a decoded String per value,
 * a headers object even when there are none), then Vert.x encoded the tree through a char Writer into a String
 * and the String into bytes. Profiled under read-back that was about 60% of the node's CPU. Here a valid UTF-8
 * value goes from the record's bytes to the answer's bytes with no String in between, and nothing per record
 * outlives the call.
 *
 * <p>The JSON is byte for byte what {@code JsonObject.encode()} gave for the same tree (same field order,
 * escaping, base64 alphabet and padding; the tests compare both); the byte conventions are
 * {@link JsonFields}'s: valid UTF-8 as text in {@code key}/{@code value}, anything else as
 * {@code keyBase64}/{@code valueBase64}.
 *
 * <p>Stateless and thread-safe (Jackson's factory is).
 */
final class RecordJson {

  private static final JsonFactory JSON = new JsonFactory();
  // Field names written per record, encoded once (Jackson caches their quoted UTF-8 bytes).
  private static final SerializableString PARTITION = new SerializedString("partition");
  private static final SerializableString OFFSET = new SerializedString("offset");
  private static final SerializableString TIMESTAMP = new SerializedString("timestamp");
  private static final SerializableString KEY = new SerializedString("key");
  private static final SerializableString KEY_BASE64 = new SerializedString("keyBase64");
  private static final SerializableString VALUE = new SerializedString("value");
  private static final SerializableString VALUE_BASE64 = new SerializedString("valueBase64");
  private static final SerializableString HEADERS = new SerializedString("headers");

  private RecordJson() {
  }

  /** The records from {@code from} on, at most {@code max} (a read returns whole batches, which may start earlier). */
  static Buffer page(Records records, int partition, long from, int max) {
    Buffer out = Buffer.buffer(Math.max(256, Math.min(records.encoded().length() * 2, TopicRoutes.MAX_READ_BYTES * 2)));
    byte[] scratch = new byte[256];
    try (JsonGenerator json = JSON.createGenerator(new BufferOutput(out))) {
      json.writeStartObject();
      json.writeArrayFieldStart("records");
      long next = from;
      int written = 0;
      for (Record r : records) {
        if (r.offset() < from) {
          continue;
        }
        if (written == max) {
          break;
        }
        json.writeStartObject();
        json.writeFieldName(PARTITION);
        json.writeNumber(partition);
        json.writeFieldName(OFFSET);
        json.writeNumber(r.offset());
        json.writeFieldName(TIMESTAMP);
        json.writeNumber(r.timestamp());
        scratch = writeBytes(json, KEY, KEY_BASE64, r.key(), scratch);
        scratch = writeBytes(json, VALUE, VALUE_BASE64, r.value(), scratch);
        writeHeaders(json, r.headers());
        json.writeEndObject();
        written++;
        next = r.offset() + 1;
      }
      json.writeEndArray();
      json.writeNumberField("nextOffset", next);
      json.writeEndObject();
    } catch (IOException e) {
      // Only the output could throw, and appending to a Buffer does not.
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** A produce request's answer: where each record went, in request order. */
  static Buffer offsets(List<Future<RecordMetadata>> sends) {
    Buffer out = Buffer.buffer(64 + sends.size() * 32);
    try (JsonGenerator json = JSON.createGenerator(new BufferOutput(out))) {
      json.writeStartObject();
      json.writeArrayFieldStart("offsets");
      for (Future<RecordMetadata> f : sends) {
        json.writeStartObject();
        json.writeFieldName(PARTITION);
        json.writeNumber(f.result().partition());
        json.writeFieldName(OFFSET);
        json.writeNumber(f.result().offset());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Answers 200 with {@code json}, already encoded. */
  static void respond(RoutingContext ctx, Buffer json) {
    ctx.response()
        .setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .end(json);
  }

  /** Writes {@code bytes} as {@code name} (valid UTF-8) or {@code base64Name}; returns the scratch array, maybe grown. */
  private static byte[] writeBytes(JsonGenerator json, SerializableString name, SerializableString base64Name, Buffer bytes,
      byte[] scratch) throws IOException {
    if (bytes == null) {
      json.writeFieldName(name);
      json.writeNull();
      return scratch;
    }
    int length = bytes.length();
    byte[] b = scratch.length >= length ? scratch : new byte[Math.max(length, scratch.length * 2)];
    bytes.getBytes(0, length, b, 0);
    if (Utf8.isValid(b, 0, length)) {
      json.writeFieldName(name);
      json.writeUTF8String(b, 0, length);
    } else {
      json.writeFieldName(base64Name);
      json.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, b, 0, length);
    }
    return b;
  }

  /**
   * Headers as an object, non-UTF-8 values base64 in {@code headersBase64}; a name given twice keeps its first
   * place and its last value in each object, as {@link JsonFields#putHeaders} has always answered.
   */
  private static void writeHeaders(JsonGenerator json, List<Header> headers) throws IOException {
    json.writeFieldName(HEADERS);
    json.writeStartObject();
    if (headers.isEmpty()) {
      json.writeEndObject();
      return;
    }
    Map<String, String> text = new LinkedHashMap<>();
    Map<String, String> binary = new LinkedHashMap<>();
    for (Header h : headers) {
      byte[] value = h.value() == null ? new byte[0] : h.value().getBytes();
      if (Utf8.isValid(value, 0, value.length)) {
        text.put(h.name(), new String(value, StandardCharsets.UTF_8));
      } else {
        binary.put(h.name(), Base64.getEncoder().encodeToString(value));
      }
    }
    for (Map.Entry<String, String> e : text.entrySet()) {
      json.writeStringField(e.getKey(), e.getValue());
    }
    json.writeEndObject();
    if (!binary.isEmpty()) {
      json.writeObjectFieldStart("headersBase64");
      for (Map.Entry<String, String> e : binary.entrySet()) {
        json.writeStringField(e.getKey(), e.getValue());
      }
      json.writeEndObject();
    }
  }

  /** Jackson's output, appended to a Buffer (Jackson buffers itself, so these calls come in chunks). */
  private static final class BufferOutput extends OutputStream {
    private final Buffer out;

    BufferOutput(Buffer out) {
      this.out = out;
    }

    @Override
    public void write(int b) {
      out.appendByte((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      out.appendBytes(b, off, len);
    }
  }
}
