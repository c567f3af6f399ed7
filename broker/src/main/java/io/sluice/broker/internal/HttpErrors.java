package io.sluice.broker.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Turns failures into the API's error body, {@code {"error":"<code>","message":".."}}, with the status of
 * the error's {@link ErrorCode}. A failure that is not a {@link SluiceException}, a JSON decoding error or
 * an HTTP status is a bug: it becomes a 500 {@code internal_error} with a fixed message, and its stack
 * trace goes to the node's log, never to the client.
 *
 * <p>Stateless; call on the request's context.
 */
public final class HttpErrors {

  /*
   * The router's own answers have no ErrorCode (they are not about any log, topic or queue); these
   * wire codes stand beside the enum's until the API grows matching constants.
   */
  static final String NOT_FOUND = "not_found";
  static final String METHOD_NOT_ALLOWED = "method_not_allowed";
  static final String NOT_READY = "not_ready";
  static final String INTERNAL_ERROR = "internal_error";

  private static final Logger LOG = System.getLogger(HttpErrors.class.getName());

  private HttpErrors() {
  }

  /** Answers {@code ctx} with the error body for {@code failure}. */
  public static void respond(RoutingContext ctx, Throwable failure) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      // A stream (SSE, chunked records) failed half-way: there is no way to send a status any more.
      LOG.log(Level.WARNING, "failure after the response started, resetting " + ctx.request().path(), failure);
      response.reset();
      return;
    }
    if (failure instanceof SluiceException e) {
      if (e.code().httpStatus() >= 500 && !e.retriable()) {
        LOG.log(Level.ERROR, ctx.request().method() + " " + ctx.request().path() + " failed", e);
      }
      send(ctx, e.code().httpStatus(), e.code().code(), e.getMessage());
    } else if (failure instanceof DecodeException e) {
      send(ctx, 400, ErrorCode.INVALID_ARGUMENT.code(), "malformed JSON: " + firstLine(e.getMessage()));
    } else if (failure instanceof HttpException e) {
      sendStatus(ctx, e.getStatusCode(), e.getPayload());
    } else if (isFormBody(ctx)) {
      // vertx-web's BodyHandler decodes form and multipart bodies by their content type, and fails on a GET
      // or a field over Netty's limits; the API takes JSON only, so this failure is the client's.
      send(ctx, 415, ErrorCode.INVALID_ARGUMENT.code(), "unsupported content type '"
          + ctx.request().getHeader(HttpHeaders.CONTENT_TYPE) + "': request bodies are JSON");
    } else {
      LOG.log(Level.ERROR, ctx.request().method() + " " + ctx.request().path() + " failed", failure);
      send(ctx, 500, INTERNAL_ERROR, "internal error; see the node's log");
    }
  }

  /** The router's failure handler: {@code ctx.fail(throwable)} and {@code ctx.fail(status)} end up here. */
  static void handleFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    respond(ctx, failure != null ? failure : new HttpException(ctx.statusCode() < 0 ? 500 : ctx.statusCode()));
  }

  /** Answers with a bare HTTP status (from the router or a handler such as the body limit). */
  static void sendStatus(RoutingContext ctx, int status, String detail) {
    switch (status) {
      case 400 -> send(ctx, 400, ErrorCode.INVALID_ARGUMENT.code(), detail != null ? detail : "bad request");
      case 404 -> send(ctx, 404, NOT_FOUND, "no such resource: " + ctx.request().method() + " " + ctx.request().path());
      case 405 -> send(ctx, 405, METHOD_NOT_ALLOWED, ctx.request().method() + " is not allowed on " + ctx.request().path());
      case 413 -> send(ctx, 413, ErrorCode.BATCH_TOO_LARGE.code(), "request body is larger than the node's limit (httpMaxBodyBytes)");
      case 503 -> send(ctx, 503, NOT_READY, detail != null ? detail : "the node is not ready");
      default -> {
        if (status >= 400 && status < 500) {
          send(ctx, status, ErrorCode.INVALID_ARGUMENT.code(), detail != null ? detail : "request refused (" + status + ")");
        } else {
          send(ctx, 500, INTERNAL_ERROR, "internal error; see the node's log");
        }
      }
    }
  }

  private static boolean isFormBody(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && (type.regionMatches(true, 0, "multipart/", 0, 10)
        || type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33));
  }

  static void send(RoutingContext ctx, int status, String code, String message) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      return;
    }
    String body = new JsonObject().put("error", code).put("message", message == null ? "" : message).encode();
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .end(body);
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
