package io.sluice.broker.internal;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.call;
import static io.sluice.broker.testing.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.NodeOptions;
import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SockJS event-bus bridge at {@code /eventbus}, spoken to the way a browser does (SockJS's raw
 * WebSocket transport, one JSON frame per bridge message), and the {@code /ui/} pages.
 */
@ExtendWith(VertxExtension.class)
class EventBusBridgeTest {

  private Vertx vertx;
  private SluiceNodeImpl node;
  private WebSocketClient client;

  private void start(Vertx vertx, NodeOptions options) {
    this.vertx = vertx;
    node = (SluiceNodeImpl) await(SluiceNodeImpl.start(vertx, options.setStore("memory").setHttpPort(0)));
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      await(client.close());
    }
    if (node != null) {
      await(node.close());
    }
  }

  /** A browser's bridge connection: frames it received, in order. */
  private record Browser(WebSocket socket, BlockingQueue<JsonObject> frames) {
    void send(JsonObject frame) {
      await(socket.writeTextMessage(frame.encode()));
    }

    JsonObject next() throws InterruptedException {
      JsonObject frame = frames.poll(10, TimeUnit.SECONDS);
      assertNotNull(frame, "no bridge frame within 10 s");
      return frame;
    }
  }

  private Browser browser() {
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    WebSocket ws = await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort())
        .setURI("/eventbus/websocket")));
    // SockJS's raw transport sends the bridge's JSON in binary frames: take every data frame as text.
    ws.handler(data -> frames.add(new JsonObject(data.toString())));
    return new Browser(ws, frames);
  }

  private Response http(HttpMethod method, String path, String body) {
    return call(vertx, method, node.httpPort(), path, body);
  }

  private static JsonObject register(String address) {
    return new JsonObject().put("type", "register").put("address", address);
  }

  private static void waitFor(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private void produce(String topic, String record) {
    Response r = http(HttpMethod.POST, "/v1/topics/" + topic + "/records", "{\"records\":[" + record + "]}");
    assertEquals(200, r.status(), r.body());
  }

  /**
   * Produces probes until the browser receives one: the feed starts at the topic's end when the browser
   * registers, so the first probes may precede it. Returns the first probe received.
   */
  private JsonObject awaitFeed(Browser b, String topic) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      produce(topic, "{\"value\":\"probe-" + i + "\"}");
      JsonObject frame = b.frames().poll(100, TimeUnit.MILLISECONDS);
      if (frame != null) {
        return frame;
      }
    }
    throw new AssertionError("the live feed of '" + topic + "' delivered nothing");
  }

  @Test
  void aBrowserReceivesATopicsNewRecordsLiveAndTheFeedStopsWhenItLeaves(Vertx vertx) throws InterruptedException {
    start(vertx, new NodeOptions());
    EventBusBridge bridge = node.service(TopicRoutes.class).bridge();
    assertEquals(201, http(HttpMethod.PUT, "/v1/topics/news", "{\"partitions\":1}").status());
    produce("news", "{\"value\":\"before anyone watched\"}");

    Browser first = browser();
    first.send(register("sluice.live.news"));
    JsonObject probe = awaitFeed(first, "news");
    assertEquals("rec", probe.getString("type"), probe.encode());
    assertEquals("sluice.live.news", probe.getString("address"));
    assertTrue(probe.getJsonObject("body").getString("value").startsWith("probe-"), "starts at the end: " + probe.encode());
    while (first.frames().poll(200, TimeUnit.MILLISECONDS) != null) {
      // later probes
    }

    Browser second = browser();
    second.send(register("sluice.live.news"));
    second.send(register("sluice.live.news"));   // a repeated registration counts once
    awaitFeed(second, "news");
    while (first.frames().poll(200, TimeUnit.MILLISECONDS) != null || second.frames().poll(1, TimeUnit.MILLISECONDS) != null) {
      // both got the probes
    }
    assertEquals(java.util.Set.of("news"), bridge.liveTopics(), "one feed for both browsers");

    produce("news", "{\"key\":\"k1\",\"value\":\"hello\",\"headers\":{\"lang\":\"en\"}}");
    for (Browser b : List.of(first, second)) {
      JsonObject body = b.next().getJsonObject("body");
      assertEquals("news", body.getString("topic"));
      assertEquals(0, body.getInteger("partition"));
      assertTrue(body.getLong("offset") > 1, body.encode());
      assertTrue(body.getLong("timestamp") > 0, body.encode());
      assertEquals("k1", body.getString("key"));
      assertEquals("hello", body.getString("value"));
      assertEquals(new JsonObject().put("lang", "en"), body.getJsonObject("headers"));
    }

    first.send(new JsonObject().put("type", "unregister").put("address", "sluice.live.news"));
    await(second.socket().close());
    waitFor("the feed stops when the last browser leaves", () -> bridge.liveTopics().isEmpty());
  }

  @Test
  void unknownTopicsAndAddressesNotPermittedAreRefused(Vertx vertx) throws InterruptedException {
    start(vertx, new NodeOptions());
    EventBusBridge bridge = node.service(TopicRoutes.class).bridge();
    Browser b = browser();
    b.send(register("sluice.live.no-such-topic"));
    assertEquals(new JsonObject().put("type", "err").put("body", "rejected"), b.next());
    b.send(register("some.other.address"));
    assertEquals("access_denied", b.next().getString("body"));
    // Inbound is off by default.
    assertEquals(201, http(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":1}").status());
    b.send(new JsonObject().put("type", "send").put("address", "sluice.in.t").put("body", "x"));
    assertEquals("access_denied", b.next().getString("body"));
    assertEquals(0, http(HttpMethod.GET, "/v1/topics/t/partitions/0/records?offset=0", null).json().getJsonArray("records").size());
    assertTrue(bridge.liveTopics().isEmpty(), bridge.liveTopics().toString());
  }

  @Test
  void configuredInboundAddressesAppendWhatBrowsersSendToTheTopic(Vertx vertx) throws InterruptedException {
    start(vertx, new NodeOptions().setBridgeInbound(List.of("sluice\\.in\\..+")).setBridgeOutbound(List.of()));
    assertEquals(201, http(HttpMethod.PUT, "/v1/topics/chat", "{\"partitions\":1}").status());
    Browser b = browser();
    b.send(new JsonObject().put("type", "send").put("address", "sluice.in.chat").put("body", "hi from a browser")
        .put("headers", new JsonObject().put("sluice.key", "alice").put("room", "1")).put("replyAddress", "reply-1"));
    JsonObject reply = b.next();
    assertEquals("reply-1", reply.getString("address"), reply.encode());
    assertEquals(new JsonObject().put("partition", 0).put("offset", 0), reply.getJsonObject("body"));
    JsonObject stored = http(HttpMethod.GET, "/v1/topics/chat/partitions/0/records?offset=0", null).json()
        .getJsonArray("records").getJsonObject(0);
    assertEquals("hi from a browser", stored.getString("value"));
    assertEquals("alice", stored.getString("key"));
    assertEquals(new JsonObject().put("room", "1"), stored.getJsonObject("headers"));

    b.send(new JsonObject().put("type", "send").put("address", "sluice.in.no-such-topic").put("body", "x"));
    assertEquals("rejected", b.next().getString("body"));
    // Outbound set to nothing: not even the live feeds.
    b.send(register("sluice.live.chat"));
    assertEquals("access_denied", b.next().getString("body"));
  }

  @Test
  void aStoppingNodeClosesBrowserConnectionsAtOnce(Vertx vertx) throws InterruptedException {
    start(vertx, new NodeOptions());
    assertEquals(201, http(HttpMethod.PUT, "/v1/topics/news", "{\"partitions\":1}").status());
    Browser b = browser();
    b.send(register("sluice.live.news"));
    awaitFeed(b, "news");
    io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
    b.socket().closeHandler(v -> closed.tryComplete());
    long start = System.nanoTime();
    await(node.close());
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    node = null;
    await(closed.future());
    assertTrue(tookMs < 3_000, "the node took " + tookMs + " ms to stop with a browser connected (shutdown timeout 10 s)");
  }

  @Test
  void theLivePageAndItsScriptsAreServedAndNothingElse(Vertx vertx) {
    start(vertx, new NodeOptions());
    Response page = get(vertx, node.httpPort(), "/ui/live.html");
    assertEquals(200, page.status());
    assertEquals("text/html; charset=utf-8", page.contentType());
    assertTrue(page.body().contains("sluice.live.") && page.body().contains("vertx-eventbus.js"), "the live page");
    for (String script : List.of("sockjs.min.js", "vertx-eventbus.js")) {
      Response js = get(vertx, node.httpPort(), "/ui/" + script);
      assertEquals(200, js.status(), script);
      assertEquals("text/javascript; charset=utf-8", js.contentType());
      assertTrue(js.body().length() > 5_000, script);
    }
    assertEquals(200, get(vertx, node.httpPort(), "/eventbus/info").status(), "SockJS answers at /eventbus");
    String metrics = get(vertx, node.httpPort(), "/metrics").body();
    assertTrue(metrics.contains("route=\"/ui/:file\"") && metrics.contains("route=\"/eventbus/*\""), "routes named in the metrics");
    for (String bad : List.of("/ui/nope.html", "/ui/.hidden.html", "/ui/..%2Fio%2Fsluice%2Fbroker%2Fopenapi.yaml", "/ui/live", "/ui/x.class")) {
      Response r = get(vertx, node.httpPort(), bad);
      assertEquals(404, r.status(), bad + ": " + r.body());
      assertEquals("not_found", r.json().getString("error"), bad);
    }
  }
}
