package io.sluice.broker.internal;

import io.sluice.api.Header;
import io.sluice.api.InvalidArgumentException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict reading of request fields and the byte conventions of the HTTP API, shared by the topic and queue
 * routes: every wrong type, out-of-range number or unknown field is an {@link InvalidArgumentException}
 * (400) naming the field, so a typo never silently falls back to a default.
 *
 * <p>Bytes travel as UTF-8 text in {@code value} (or {@code key}) when they are valid UTF-8, else as
 * {@code valueBase64}; a request may use either, not both. Header values are UTF-8 strings.
 *
 * <p>Stateless.
 */
final class JsonFields {

  private JsonFields() {
  }

  /** The request body as a JSON object, or an empty object when there is no body. */
  static JsonObject optionalBody(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    return raw == null || raw.length() == 0 ? new JsonObject() : HttpJson.body(ctx);
  }

  /** Refuses fields outside {@code allowed}: a misspelt setting must not be ignored. */
  static void onlyKeys(JsonObject json, Set<String> allowed, String what) {
    for (String key : json.fieldNames()) {
      if (!allowed.contains(key)) {
        throw new InvalidArgumentException("unknown field '" + key + "' in " + what + "; allowed: " + new java.util.TreeSet<>(allowed));
      }
    }
  }

  /** A whole number in {@code [min, max]}, or {@code absent} when the field is missing or null. */
  static long wholeNumber(JsonObject json, String key, long absent, long min, long max) {
    Object v = json.getValue(key);
    if (v == null) {
      return absent;
    }
    if (!(v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof BigInteger)) {
      throw new InvalidArgumentException("'" + key + "' must be a whole number, got " + describe(v));
    }
    if (v instanceof BigInteger big && big.bitLength() > 63) {
      throw new InvalidArgumentException("'" + key + "' must be between " + min + " and " + max + ", got " + big);
    }
    long n = ((Number) v).longValue();
    if (n < min || n > max) {
      throw new InvalidArgumentException("'" + key + "' must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  /** A string, or null when the field is missing or null. */
  static String string(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new InvalidArgumentException("'" + key + "' must be a string, got " + describe(v));
    }
    return s;
  }

  /** A non-empty array of at most {@code max} elements. */
  static JsonArray array(JsonObject json, String key, int max) {
    Object v = json.getValue(key);
    if (!(v instanceof JsonArray a)) {
      throw new InvalidArgumentException("'" + key + "' must be an array, got " + describe(v));
    }
    if (a.isEmpty() || a.size() > max) {
      throw new InvalidArgumentException("'" + key + "' must hold 1 to " + max + " elements, got " + a.size());
    }
    return a;
  }

  /** Element {@code i} of {@code array}, which must be an object. */
  static JsonObject objectAt(JsonArray array, int i, String what) {
    Object v = array.getValue(i);
    if (!(v instanceof JsonObject o)) {
      throw new InvalidArgumentException(what + "[" + i + "] must be an object, got " + describe(v));
    }
    return o;
  }

  /** Element {@code i} of {@code array}, which must be a string. */
  static String stringAt(JsonArray array, int i, String what) {
    Object v = array.getValue(i);
    if (!(v instanceof String s)) {
      throw new InvalidArgumentException(what + "[" + i + "] must be a string, got " + describe(v));
    }
    return s;
  }

  /**
   * Bytes given as text ({@code textKey}, sent as UTF-8) or as base64 ({@code textKey + "Base64"}); null
   * when neither is present (or the given one is null).
   */
  static Buffer bytes(JsonObject json, String textKey) {
    String base64Key = textKey + "Base64";
    String text = string(json, textKey);
    String base64 = string(json, base64Key);
    if (text != null && base64 != null) {
      throw new InvalidArgumentException("give '" + textKey + "' or '" + base64Key + "', not both");
    }
    if (text != null) {
      return Buffer.buffer(text.getBytes(StandardCharsets.UTF_8));
    }
    if (base64 != null) {
      try {
        return Buffer.buffer(Base64.getDecoder().decode(base64));
      } catch (IllegalArgumentException e) {
        throw new InvalidArgumentException("'" + base64Key + "' is not valid base64: " + e.getMessage(), e);
      }
    }
    return null;
  }

  /** Headers given as an object of string values, in the order given; empty when absent. */
  static List<Header> headers(JsonObject json) {
    Object v = json.getValue("headers");
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonObject h)) {
      throw new InvalidArgumentException("'headers' must be an object of strings, got " + describe(v));
    }
    List<Header> out = new ArrayList<>(h.size());
    for (Map.Entry<String, Object> e : h) {
      if (!(e.getValue() instanceof String s)) {
        throw new InvalidArgumentException("header '" + e.getKey() + "' must be a string, got " + describe(e.getValue()));
      }
      if (e.getKey().isEmpty()) {
        throw new InvalidArgumentException("a header name must not be empty");
      }
      out.add(Header.of(e.getKey(), s));
    }
    return out;
  }

  /** Puts {@code bytes} as {@code key} (valid UTF-8) or {@code key + "Base64"}; null bytes as a JSON null {@code key}. */
  static void putBytes(JsonObject out, String key, Buffer bytes) {
    if (bytes == null) {
      out.putNull(key);
      return;
    }
    String text = utf8(bytes);
    if (text != null) {
      out.put(key, text);
    } else {
      out.put(key + "Base64", Base64.getEncoder().encodeToString(bytes.getBytes()));
    }
  }

  /**
   * Headers as an object; a value that is not valid UTF-8 goes, base64, to {@code headersBase64}. A name
   * given twice keeps its last value (JSON objects have unique names).
   */
  static void putHeaders(JsonObject out, List<Header> headers) {
    JsonObject text = new JsonObject();
    JsonObject binary = null;
    for (Header h : headers) {
      String s = h.value() == null ? "" : utf8(h.value());
      if (s != null) {
        text.put(h.name(), s);
      } else {
        if (binary == null) {
          binary = new JsonObject();
        }
        binary.put(h.name(), Base64.getEncoder().encodeToString(h.value().getBytes()));
      }
    }
    out.put("headers", text);
    if (binary != null) {
      out.put("headersBase64", binary);
    }
  }

  /** The text, or null if the bytes are not valid UTF-8 (a lossy decode would corrupt binary values). */
  private static String utf8(Buffer bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.getBytes()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Number) {
      return "the number " + v;
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    return v.getClass().getSimpleName();
  }
}
