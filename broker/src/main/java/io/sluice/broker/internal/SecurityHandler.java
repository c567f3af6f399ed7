package io.sluice.broker.internal;

import io.sluice.api.ErrorCode;
import io.sluice.broker.SecurityOptions.Operation;
import io.sluice.broker.internal.AccessControl.ResourceType;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/*
 * Where the rules meet HTTP.
 *
 * Every request is classified by method and path alone, before its body is read: what resource it touches
 * (topic, queue or group, by name), which operation it is (produce, consume, admin), or that it is open
 * (health, the OpenAPI document, the static pages) or needs only a valid token (lists, metrics, the
 * event-bus bridge, which checks each address itself). So an unauthenticated client cannot make the node
 * read, parse or buffer a body, and an unknown path under a resource asks for admin, the strictest answer.
 * The one decision that needs the body, the topics a group member wants to subscribe to, is made by a
 * second handler once the body has been read.
 *
 * Order of checks: token (401), rate (429 with Retry-After), rule (403). Each refusal and every admin
 * request is written to the audit log with the principal, the path and the status it got.
 */

/**
 * Authenticates, rate-limits and authorizes HTTP requests, and audits admin actions and refusals.
 *
 * <p>Stateless apart from {@link AccessControl}'s buckets; runs on the HTTP verticle's event loop.
 */
final class SecurityHandler {

  /** Where the authenticated principal is kept in the routing context, for streams and the bridge. */
  static final String PRINCIPAL = "sluice.principal";
  static final String ANONYMOUS = "anonymous";

  /** What a request needs. {@code type == null} and {@code open == false}: a valid token is enough. */
  record Target(boolean open, ResourceType type, String name, Operation op) {
    static final Target OPEN = new Target(true, null, null, null);
    static final Target TOKEN = new Target(false, null, null, null);

    boolean admin() {
      return op == Operation.ADMIN;
    }
  }

  private final AccessControl access;
  private final AuditLog audit;

  SecurityHandler(AccessControl access, AuditLog audit) {
    this.access = access;
    this.audit = audit;
  }

  /** The first check, before the body is read. */
  void authorize(RoutingContext ctx) {
    String method = ctx.request().method().name();
    String path = ctx.normalizedPath();
    Target target = classify(ctx.request().method(), path);
    if (target.open()) {
      ctx.next();
      return;
    }
    if (!access.authEnabled()) {
      ctx.put(PRINCIPAL, ANONYMOUS);
      auditAdmin(ctx, target, ANONYMOUS);
      ctx.next();
      return;
    }
    String principal = access.authenticate(bearer(ctx));
    if (principal == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"sluice\"");
      refuse(ctx, null, 401, ErrorCode.UNAUTHORIZED.code(), "a valid bearer token is required (Authorization: Bearer <token>)");
      return;
    }
    long waitNanos = access.acquire(principal, System.nanoTime());
    if (waitNanos > 0) {
      long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
      ctx.response().putHeader("Retry-After", String.valueOf(seconds));
      refuse(ctx, principal, 429, ErrorCode.RATE_LIMITED.code(), "'" + principal + "' is over its request rate; retry after " + seconds + " s");
      return;
    }
    if (target.type() != null && !permits(principal, target)) {
      refuse(ctx, principal, 403, ErrorCode.FORBIDDEN.code(), "'" + principal + "' may not " + describe(target) + " (method " + method + ")");
      return;
    }
    ctx.put(PRINCIPAL, principal);
    auditAdmin(ctx, target, principal);
    ctx.next();
  }

  /** The second check, after the body is read: a group member may subscribe only to topics it may consume. */
  void checkSubscription(RoutingContext ctx) {
    String principal = ctx.get(PRINCIPAL);
    if (ctx.request().method() != HttpMethod.POST || !access.authEnabled() || principal == null) {
      ctx.next();
      return;
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      ctx.next(); // the route itself answers malformed JSON with 400
      return;
    }
    Object topics = body == null ? null : body.getValue("topics");
    if (topics instanceof JsonArray array) {
      for (Object t : array) {
        if (t instanceof String topic && !access.allows(principal, ResourceType.TOPIC, topic, Operation.CONSUME)) {
          refuse(ctx, principal, 403, ErrorCode.FORBIDDEN.code(), "'" + principal + "' may not consume topic '" + topic + "'");
          return;
        }
      }
    }
    ctx.next();
  }

  AccessControl access() {
    return access;
  }

  private boolean permits(String principal, Target target) {
    return target.op() == null
        ? access.allowsAny(principal, target.type(), target.name())
        : access.allows(principal, target.type(), target.name(), target.op());
  }

  private void auditAdmin(RoutingContext ctx, Target target, String principal) {
    if (target.admin()) {
      String method = ctx.request().method().name();
      String path = ctx.request().path();
      String remote = remote(ctx);
      ctx.addEndHandler(ar -> audit.record("admin", principal, method, path, ctx.response().getStatusCode(), remote, null));
    }
  }

  private void refuse(RoutingContext ctx, String principal, int status, String code, String message) {
    audit.record("denied", principal, ctx.request().method().name(), ctx.request().path(), status, remote(ctx), code);
    HttpErrors.send(ctx, status, code, message);
  }

  private static String remote(RoutingContext ctx) {
    SocketAddress a = ctx.request().remoteAddress();
    return a == null ? null : a.hostAddress();
  }

  /**
   * The token from {@code Authorization: Bearer}, or, on the event-bus bridge only (browsers cannot set
   * headers on a WebSocket), from the {@code access_token} query parameter (RFC 6750 section 2.3).
   */
  private static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    if (ctx.normalizedPath().startsWith("/eventbus")) {
      return ctx.request().getParam("access_token");
    }
    return null;
  }

  private static String describe(Target t) {
    String what = t.type().name().toLowerCase(java.util.Locale.ROOT) + " '" + t.name() + "'";
    return t.op() == null ? "see " + what : t.op().name().toLowerCase(java.util.Locale.ROOT) + " on " + what;
  }

  /** What {@code method path} needs; see the comment at the top of this file. */
  static Target classify(HttpMethod method, String path) {
    List<String> s = segments(path);
    if (s == null) {
      return Target.TOKEN; // undecodable: the router answers 400 once the token is checked
    }
    if (s.isEmpty() || s.equals(List.of("health")) || s.equals(List.of("v1", "openapi.yaml")) || s.get(0).equals("ui")) {
      return Target.OPEN;
    }
    if (!s.get(0).equals("v1") || s.size() < 3) {
      return Target.TOKEN; // metrics, the bridge, lists, and paths that will be 404
    }
    String kind = s.get(1);
    String name = s.get(2);
    String sub = s.size() > 3 ? s.get(3) : null;
    boolean write = method == HttpMethod.PUT || method == HttpMethod.DELETE;
    switch (kind) {
      case "topics" -> {
        if (sub == null) {
          return write ? new Target(false, ResourceType.TOPIC, name, Operation.ADMIN) : new Target(false, ResourceType.TOPIC, name, null);
        }
        if (sub.equals("records") && method == HttpMethod.POST) {
          return new Target(false, ResourceType.TOPIC, name, Operation.PRODUCE);
        }
        if (sub.equals("partitions") && method == HttpMethod.GET) {
          return new Target(false, ResourceType.TOPIC, name, Operation.CONSUME);
        }
        return new Target(false, ResourceType.TOPIC, name, Operation.ADMIN);
      }
      case "queues" -> {
        if (sub == null) {
          return write ? new Target(false, ResourceType.QUEUE, name, Operation.ADMIN) : new Target(false, ResourceType.QUEUE, name, null);
        }
        return switch (sub) {
          case "messages" -> new Target(false, ResourceType.QUEUE, name, method == HttpMethod.POST ? Operation.PRODUCE : Operation.CONSUME);
          case "receive", "ack", "nack", "extend" -> new Target(false, ResourceType.QUEUE, name, Operation.CONSUME);
          default -> new Target(false, ResourceType.QUEUE, name, Operation.ADMIN);
        };
      }
      case "groups" -> {
        if (sub == null) {
          return write ? new Target(false, ResourceType.GROUP, name, Operation.ADMIN) : new Target(false, ResourceType.GROUP, name, null);
        }
        return new Target(false, ResourceType.GROUP, name, sub.equals("members") ? Operation.CONSUME : Operation.ADMIN);
      }
      default -> {
        return Target.TOKEN;
      }
    }
  }

  /** The path's segments, percent-decoded, or {@code null} when a segment does not decode. */
  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String raw : path.split("/")) {
      if (raw.isEmpty()) {
        continue;
      }
      String decoded = percentDecode(raw);
      if (decoded == null) {
        return null;
      }
      out.add(decoded);
    }
    return out;
  }

  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
