package io.sluice.broker.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code GET /ui/{file}}: small web pages and their scripts from the class path's {@code webroot/} folder
 * ({@code live.html}, which shows a topic live through the event-bus bridge, with the SockJS and
 * event-bus client scripts it loads). Only plain file names are served (no folders, no dot files), so a
 * request can never reach another resource; a file is read once, off the event loop, and kept
 * (names that do not exist are not remembered, so the cache holds only real files).
 *
 * <p>Thread-safe: the cache is concurrent; handlers run on the HTTP server's event loop.
 */
final class WebUiRoutes implements RouteGroup {

  static final String WEBROOT = "webroot/";
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "json", "application/json; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "txt", "text/plain; charset=utf-8");

  private final Vertx vertx;
  private final Map<String, Optional<Buffer>> files = new ConcurrentHashMap<>();

  private WebUiRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  static Future<RouteGroup> open(NodeResources node) {
    return Future.succeededFuture(new WebUiRoutes(node.vertx()));
  }

  @Override
  public void mount(Router router) {
    router.get("/ui/:file").handler(this::serve);
  }

  private void serve(RoutingContext ctx) {
    String name = ctx.pathParam("file");
    String type = type(name);
    if (type == null) {
      HttpErrors.respond(ctx, new HttpException(404));
      return;
    }
    Optional<Buffer> cached = files.get(name);
    Future<Optional<Buffer>> file = cached != null ? Future.succeededFuture(cached)
        : vertx.executeBlocking(() -> read(name)).onSuccess(f -> f.ifPresent(b -> files.putIfAbsent(name, f)));
    file.onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.respond(ctx, ar.cause());
      } else if (ar.result().isEmpty()) {
        HttpErrors.respond(ctx, new HttpException(404));
      } else {
        ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, type)
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
            .end(ar.result().get());
      }
    });
  }

  /** The content type of a servable file name, or null for a name that is never served. */
  static String type(String name) {
    if (name == null || !FILE_NAME.matcher(name).matches()) {
      return null;
    }
    int dot = name.lastIndexOf('.');
    return dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** Blocking: the file's bytes, or empty when the class path has no such file. */
  private static Optional<Buffer> read(String name) throws IOException {
    try (InputStream in = WebUiRoutes.class.getClassLoader().getResourceAsStream(WEBROOT + name)) {
      return in == null ? Optional.empty() : Optional.of(Buffer.buffer(in.readAllBytes()));
    }
  }
}
