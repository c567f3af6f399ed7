package io.sluice.broker.internal;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.call;
import static io.sluice.broker.testing.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.NotFoundException;
import io.sluice.api.SluiceException;
import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every way a route can fail ends as the documented JSON error, never a stack trace or a hang. */
@ExtendWith(VertxExtension.class)
class HttpErrorsTest {

  private Vertx vertx;
  private SluiceNode node;

  /** A route group that fails in each of the ways real groups will. */
  private static RouteGroup failingRoutes() {
    return router -> {
      router.get("/v1/test/thrown").handler(ctx -> {
        throw new NotFoundException(ErrorCode.UNKNOWN_TOPIC, "unknown topic 'nope'");
      });
      router.get("/v1/test/failed").handler(ctx -> ctx.fail(new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "offset 9 is past the end (3)")));
      router.get("/v1/test/async").handler(ctx -> Future.failedFuture(new SluiceException(ErrorCode.ALREADY_EXISTS, "exists"))
          .onFailure(e -> HttpErrors.respond(ctx, e)));
      router.get("/v1/test/bug").handler(ctx -> {
        throw new IllegalStateException("secret internal detail");
      });
      router.get("/v1/test/status").handler(ctx -> ctx.fail(400));
      router.post("/v1/test/echo").handler(ctx -> HttpJson.respond(ctx, 200, new JsonObject().put("got", HttpJson.body(ctx))));
      router.get("/v1/test/query").handler(ctx -> HttpJson.respond(ctx, 200,
          new JsonObject().put("n", HttpJson.queryLong(ctx, "n", 7, 0, 100))));
    };
  }

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    NodeOptions options = new NodeOptions().setStore("memory").setHttpPort(0).setHttpMaxBodyBytes(2048);
    node = await(SluiceNodeImpl.start(vertx, options, List.of(n -> Future.succeededFuture(failingRoutes()))));
  }

  @AfterEach
  void stop() {
    await(node.close());
  }

  private void assertError(Response r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    JsonObject json = r.json();
    assertEquals(code, json.getString("error"), r.body());
    assertFalse(json.getString("message").isEmpty());
    assertEquals(2, json.size(), "only error and message: " + r.body());
  }

  @Test
  void aThrownSluiceExceptionGetsTheStatusOfItsCode() {
    Response r = get(vertx, node.httpPort(), "/v1/test/thrown");
    assertError(r, 404, "unknown_topic");
    assertEquals("unknown topic 'nope'", r.json().getString("message"));
  }

  @Test
  void aFailedContextAndAFailedFutureToo() {
    assertError(get(vertx, node.httpPort(), "/v1/test/failed"), 416, "offset_out_of_range");
    assertError(get(vertx, node.httpPort(), "/v1/test/async"), 409, "already_exists");
    assertError(get(vertx, node.httpPort(), "/v1/test/status"), 400, "invalid_argument");
  }

  @Test
  void aBugIsA500WithoutItsDetails() {
    Response r = get(vertx, node.httpPort(), "/v1/test/bug");
    assertError(r, 500, "internal_error");
    assertFalse(r.body().contains("secret internal detail"));
    assertFalse(r.body().contains("at io."));
  }

  @Test
  void badBodiesAre400AndTooLargeOnes413() {
    Response ok = call(vertx, HttpMethod.POST, node.httpPort(), "/v1/test/echo", "{\"a\":1}");
    assertEquals(200, ok.status());
    assertEquals(new JsonObject().put("got", new JsonObject().put("a", 1)), ok.json());

    Response malformed = call(vertx, HttpMethod.POST, node.httpPort(), "/v1/test/echo", "{\"a\":");
    assertError(malformed, 400, "invalid_argument");
    assertTrue(malformed.json().getString("message").startsWith("malformed JSON"), malformed.body());
    assertError(call(vertx, HttpMethod.POST, node.httpPort(), "/v1/test/echo", "[1,2]"), 400, "invalid_argument");
    assertError(call(vertx, HttpMethod.POST, node.httpPort(), "/v1/test/echo", null), 400, "invalid_argument");

    String big = "{\"v\":\"" + "x".repeat(4096) + "\"}";
    assertError(call(vertx, HttpMethod.POST, node.httpPort(), "/v1/test/echo", big), 413, "batch_too_large");
    assertEquals(200, call(vertx, HttpMethod.POST, node.httpPort(), "/v1/test/echo", "{\"a\":2}").status(), "still serving");
  }

  @Test
  void queryParametersAreCheckedAndBounded() {
    assertEquals(7, get(vertx, node.httpPort(), "/v1/test/query").json().getInteger("n"));
    assertEquals(5, get(vertx, node.httpPort(), "/v1/test/query?n=5").json().getInteger("n"));
    assertError(get(vertx, node.httpPort(), "/v1/test/query?n=abc"), 400, "invalid_argument");
    assertError(get(vertx, node.httpPort(), "/v1/test/query?n=101"), 400, "invalid_argument");
    assertError(get(vertx, node.httpPort(), "/v1/test/query?n=99999999999999999999"), 400, "invalid_argument");
  }

  @Test
  void wrongMethodsOnGroupRoutesAre405() {
    assertError(call(vertx, HttpMethod.DELETE, node.httpPort(), "/v1/test/echo", null), 405, "method_not_allowed");
    assertError(call(vertx, HttpMethod.POST, node.httpPort(), "/v1/openapi.yaml", "{}"), 405, "method_not_allowed");
  }

  @Test
  void failedRequestsAreTimedUnderTheRouteThatFailed() {
    get(vertx, node.httpPort(), "/v1/test/thrown");
    get(vertx, node.httpPort(), "/v1/test/async");
    call(vertx, HttpMethod.POST, node.httpPort(), "/v1/test/echo", "{\"v\":\"" + "x".repeat(4096) + "\"}");
    String metrics = get(vertx, node.httpPort(), "/metrics").body();
    assertTrue(metrics.contains("sluice_http_server_requests_seconds_count{method=\"GET\",route=\"/v1/test/thrown\",status=\"404\"} 1"), metrics);
    assertTrue(metrics.contains("sluice_http_server_requests_seconds_count{method=\"GET\",route=\"/v1/test/async\",status=\"409\"} 1"), metrics);
    assertTrue(metrics.contains("sluice_http_server_requests_seconds_count{method=\"POST\",route=\"/v1/test/echo\",status=\"413\"} 1"), metrics);
  }
}
