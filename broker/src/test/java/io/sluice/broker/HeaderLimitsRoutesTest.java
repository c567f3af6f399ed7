package io.sluice.broker;

import static io.sluice.broker.testing.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.api.ErrorCode;
import io.sluice.api.HeaderLimits;
import io.sluice.api.Message;
import io.sluice.api.SluiceException;
import io.sluice.topic.Producer;
import io.sluice.topic.ProducerOptions;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The node's header limits (here 3 headers, 64 bytes) on every entry point: HTTP produce and queue send
 * (400 invalid_argument for the count, 413 record_too_large for the bytes, and a request with one bad
 * record stores none), the Java API the node hands out, and frames sent through the SockJS bridge.
 */
class HeaderLimitsRoutesTest extends NodeRoutesTestBase {

  private static final String FOUR = "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\"}";
  private static final String BIG = "{\"big\":\"" + "x".repeat(62) + "\"}";

  @Override
  protected NodeOptions nodeOptions() {
    return super.nodeOptions().setHeaderLimits(HeaderLimits.of(3, 64)).setBridgeInbound(List.of("sluice\\.in\\..+"));
  }

  private long endOffset(String topic) {
    return await(node.topics().describe(topic)).partitions().get(0).endOffset();
  }

  @Test
  void httpRequestsOverTheLimitsAreRefusedAndStoreNothing() {
    req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":1}");
    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/topics/t/records",
        "{\"records\":[{\"value\":\"ok\"},{\"value\":\"v\",\"headers\":" + FOUR + "}]}"));
    assertError(413, "record_too_large", req(HttpMethod.POST, "/v1/topics/t/records",
        "{\"records\":[{\"value\":\"ok\"},{\"value\":\"v\",\"headers\":" + BIG + "}]}"));
    assertEquals(0, endOffset("t"), "a request with one bad record stores none");
    assertEquals(200, req(HttpMethod.POST, "/v1/topics/t/records",
        "{\"records\":[{\"value\":\"v\",\"headers\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}}]}").status());

    req(HttpMethod.PUT, "/v1/queues/q", "{}");
    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/queues/q/messages",
        "{\"messages\":[{\"value\":\"ok\"},{\"value\":\"v\",\"headers\":" + FOUR + "}]}"));
    assertError(413, "record_too_large", req(HttpMethod.POST, "/v1/queues/q/messages",
        "{\"messages\":[{\"value\":\"v\",\"headers\":" + BIG + "}]}"));
    assertEquals(0, await(node.queues().describe("q")).depth());
  }

  @Test
  void theJavaApiOfTheNodeAppliesTheSameLimits() {
    req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":1}");
    req(HttpMethod.PUT, "/v1/queues/q", "{}");
    Message four = Message.of("v").withHeader("a", "1").withHeader("b", "2").withHeader("c", "3").withHeader("d", "4");
    Producer p = node.topics().createProducer(new ProducerOptions());
    try {
      assertEquals(ErrorCode.INVALID_ARGUMENT, failure(p.send("t", four)).code());
      assertEquals(ErrorCode.RECORD_TOO_LARGE, failure(p.send("t", Message.of("v").withHeader("big", "x".repeat(62)))).code());
    } finally {
      await(p.close());
    }
    assertEquals(ErrorCode.INVALID_ARGUMENT, failure(node.queues().send("q", four)).code());
    assertEquals(0, endOffset("t"));
    assertEquals(0, await(node.queues().describe("q")).depth());
  }

  @Test
  void bridgeFramesOverTheLimitsAreRejectedAndStoreNothing() throws Exception {
    req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":1}");
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort())
          .setURI("/eventbus/websocket")).await(10, TimeUnit.SECONDS);
      ws.handler(data -> frames.add(new JsonObject(data.toString())));
      for (String headers : List.of(FOUR, BIG)) {
        ws.writeTextMessage("{\"type\":\"send\",\"address\":\"sluice.in.t\",\"body\":\"v\",\"replyAddress\":\"r1\",\"headers\":"
            + headers + "}").await(10, TimeUnit.SECONDS);
        JsonObject refused = frames.poll(10, TimeUnit.SECONDS);
        assertNotNull(refused, "an answer to a frame over the limits");
        assertEquals("err", refused.getString("type"), refused.encode());
      }
      ws.writeTextMessage("{\"type\":\"send\",\"address\":\"sluice.in.t\",\"body\":\"v\",\"replyAddress\":\"r2\",\"headers\":{\"a\":\"1\"}}")
          .await(10, TimeUnit.SECONDS);
      JsonObject stored = frames.poll(10, TimeUnit.SECONDS);
      assertNotNull(stored, "a reply to the valid frame");
      assertEquals(0L, stored.getJsonObject("body").getLong("offset"), stored.encode());
      assertEquals(1, endOffset("t"), "only the valid frame was appended");
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static SluiceException failure(Future<?> f) {
    return assertThrows(SluiceException.class, () -> await(f));
  }
}
