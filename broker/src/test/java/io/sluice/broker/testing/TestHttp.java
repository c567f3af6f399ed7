package io.sluice.broker.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One-shot HTTP calls to a node on 127.0.0.1, awaited on the (non-Vert.x) test thread with a bound. */
public final class TestHttp {

  /** A response, read whole. */
  public record Response(int status, String contentType, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private TestHttp() {
  }

  public static Response get(Vertx vertx, int port, String path) {
    return call(vertx, HttpMethod.GET, port, path, null);
  }

  public static Response call(Vertx vertx, HttpMethod method, int port, String path, String body) {
    return await(send(vertx, method, port, path, body));
  }

  /**
   * The same call, not awaited: for requests a test wants in flight while it does something else. The chain
   * is built on an event loop: built from the test thread, a response could arrive before its body handler
   * was attached, and its body would be lost (seen about once in a hundred calls under load).
   */
  public static Future<Response> send(Vertx vertx, HttpMethod method, int port, String path, String body) {
    Promise<Response> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
      RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path);
      client.request(options)
          .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
          .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.getHeader("content-type"), b.toString())))
          .eventually(() -> client.close())
          .onComplete(done);
    });
    return done.future();
  }

  /**
   * The future's result, within 10 s. A failure is rethrown as is when unchecked; a checked one (say a
   * {@code ConnectException}) is wrapped in a {@link CompletionException}.
   */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 10 s", e);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }
}
