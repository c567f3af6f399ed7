package io.sluice.broker.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Blocking JSON calls to one node's HTTP API ({@code /v1/...}) with the JDK's {@link HttpClient}: the CLI
 * is a plain program with one thing to do at a time, so it needs no event loop. Turns every answer that is
 * not a success into a {@link CliFailure}: the node's {@code {"error","message"}} body (exit 1), or a
 * node that cannot be reached (exit 3).
 *
 * <p>Thread-safe (the JDK client is); a call blocks its thread and is interruptible.
 */
final class NodeClient {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Beyond a request's own long poll, how long the node gets to answer before the node counts as unreachable. */
  private static final long ANSWER_MARGIN_MS = 30_000;

  private final String base;
  private final HttpClient http;

  /** {@code url} is the node's base URL, {@code http://host:port} (already checked by {@link #checkUrl}). */
  NodeClient(String url) {
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT);
    if (base.startsWith("http:")) {
      // Without an SSL context the client builds the default one, reading the JDK's trust store: over a
      // second of a short command's start on a busy machine, for TLS that plain http never uses.
      builder.sslContext(plainHttpOnly());
    }
    this.http = builder.build();
  }

  private static SSLContext plainHttpOnly() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[0], new TrustManager[0], null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /** The URL as given when it is an absolute http(s) URL; otherwise a usage error. */
  static String checkUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (Exception e) {
      throw CliFailure.usage("bad node URL '" + url + "': " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw CliFailure.usage("bad node URL '" + url + "': expected http://host:port");
    }
    return url;
  }

  String url() {
    return base;
  }

  /** A name as one path segment: names the node would refuse still reach it, and get its answer. */
  static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  JsonObject get(String path) throws InterruptedException {
    return call("GET", path, null, 0);
  }

  /** A GET that may long-poll up to {@code waitMs} on the node. */
  JsonObject get(String path, long waitMs) throws InterruptedException {
    return call("GET", path, null, waitMs);
  }

  JsonObject post(String path, JsonObject body) throws InterruptedException {
    return call("POST", path, body, 0);
  }

  /**
   * One request; answers the body (an empty object for 204).
   *
   * @param waitMs how long the node may hold the request (its long poll), on top of the usual margin
   */
  JsonObject call(String method, String path, JsonObject body, long waitMs) throws InterruptedException {
    return exchange(method, path, body, waitMs).json();
  }

  /** A whole answer: the status tells, for example, a create (201) from an identical existing one (200). */
  record Answer(int status, JsonObject json) {
  }

  Answer exchange(String method, String path, JsonObject body, long waitMs) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMillis(waitMs + ANSWER_MARGIN_MS))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .method(method, body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw CliFailure.unreachable("cannot connect to " + base + " (no answer within " + CONNECT_TIMEOUT.toSeconds() + " s)");
    } catch (HttpTimeoutException e) {
      throw CliFailure.unreachable("no answer from " + base + " within " + (waitMs + ANSWER_MARGIN_MS) / 1000 + " s");
    } catch (ConnectException e) {
      // The JDK reports a refused connection without a message (its cause is a closed channel).
      throw CliFailure.unreachable("cannot connect to " + base + (e.getMessage() != null ? " (" + e.getMessage() + ")" : "")
          + "; is a node running there? Set --url or SLUICE_URL");
    } catch (IOException e) {
      throw CliFailure.unreachable("lost the connection to " + base + " (" + reason(e) + ")");
    }
    String text = response.body();
    JsonObject json;
    try {
      json = text == null || text.isBlank() ? new JsonObject() : new JsonObject(text);
    } catch (DecodeException e) {
      throw CliFailure.node("http_" + response.statusCode(), "not a Sluice node's answer from " + base + path + ": " + firstLine(text));
    }
    if (response.statusCode() >= 400) {
      String code = json.getValue("error") instanceof String s ? s : "http_" + response.statusCode();
      String message = json.getValue("message") instanceof String s ? s : firstLine(text);
      throw CliFailure.node(code, message);
    }
    return new Answer(response.statusCode(), json);
  }

  private static String reason(IOException e) {
    Throwable t = e;
    while (t.getMessage() == null && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
