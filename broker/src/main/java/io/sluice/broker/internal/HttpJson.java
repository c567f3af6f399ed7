package io.sluice.broker.internal;

import io.sluice.api.InvalidArgumentException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Reading requests and writing JSON answers the same way in every route group, so bad input always
 * becomes an {@link InvalidArgumentException} (400) and never a 500.
 *
 * <p>Stateless; call on the request's context.
 */
public final class HttpJson {

  private HttpJson() {
  }

  /** The request body as a JSON object; a missing, malformed or non-object body is a 400. */
  public static JsonObject body(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      throw new InvalidArgumentException("the request needs a JSON object body");
    }
    Object parsed;
    try {
      parsed = raw.toJsonValue();
    } catch (DecodeException e) {
      throw new InvalidArgumentException("malformed JSON: " + firstLine(e.getMessage()), e);
    }
    if (parsed instanceof JsonObject json) {
      return json;
    }
    throw new InvalidArgumentException("the request body must be a JSON object");
  }

  /** A whole-number query parameter within {@code [min, max]}, or {@code absent} when it is not given. */
  public static long queryLong(RoutingContext ctx, String name, long absent, long min, long max) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) {
      return absent;
    }
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("query parameter '" + name + "' must be a whole number, got '" + v + "'", e);
    }
    if (n < min || n > max) {
      throw new InvalidArgumentException("query parameter '" + name + "' must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  /** A {@code true}/{@code false} query parameter, or {@code absent} when it is not given. */
  public static boolean queryBoolean(RoutingContext ctx, String name, boolean absent) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) {
      return absent;
    }
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new InvalidArgumentException("query parameter '" + name + "' must be true or false, got '" + v + "'");
  }

  /** Answers with {@code status} and {@code json}. */
  public static void respond(RoutingContext ctx, int status, JsonObject json) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .end(json.encode());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
