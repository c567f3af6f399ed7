package io.sluice.broker;

import static io.sluice.broker.testing.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The member stream over Server-Sent Events and WebSocket, against an embedded node on the memory store. */
class StreamRoutesTest extends NodeRoutesTestBase {

  private final List<HttpClient> clients = new ArrayList<>();
  private final List<WebSocketClient> wsClients = new ArrayList<>();

  @Override
  protected NodeOptions nodeOptions() {
    return super.nodeOptions().setStreamHeartbeatMs(50);
  }

  @AfterEach
  void closeClients() {
    clients.forEach(c -> await(c.close()));
    wsClients.forEach(c -> await(c.close()));
  }

  private void topic(String name, int partitions) {
    assertEquals(201, req(HttpMethod.PUT, "/v1/topics/" + name, "{\"partitions\":" + partitions + "}").status());
  }

  private void produce(String topic, String... records) {
    JsonArray items = new JsonArray();
    for (String r : records) {
      items.add(new JsonObject(r));
    }
    Response r = req(HttpMethod.POST, "/v1/topics/" + topic + "/records", new JsonObject().put("records", items).encode());
    assertEquals(200, r.status(), r.body());
  }

  private String join(String group, String topic) {
    Response r = req(HttpMethod.POST, "/v1/groups/" + group + "/members",
        "{\"topics\":[\"" + topic + "\"],\"autoOffsetReset\":\"earliest\"}");
    assertEquals(201, r.status(), r.body());
    return r.json().getString("memberId");
  }

  /** A new one-partition topic and a member of group {@code g} reading it from the beginning. */
  private String memberOfNewTopic(String topic) {
    topic(topic, 1);
    return join("g", topic);
  }

  private static String streamPath(String group, String member) {
    return "/v1/groups/" + group + "/members/" + member + "/stream";
  }

  /** An open SSE response whose body chunks are collected as text. */
  private record Sse(HttpClientResponse response, StringBuffer text, Future<Void> ended) {
    /** Waits (bounded) until the collected text contains {@code part}. */
    void awaitText(String part) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!text.toString().contains(part)) {
        assertTrue(System.nanoTime() < deadline, "no '" + part + "' within 10 s in: " + text);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
  }

  private Sse openSse(String path) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    clients.add(client);
    StringBuffer text = new StringBuffer();
    Promise<Void> ended = Promise.promise();
    HttpClientResponse response = await(client.request(new RequestOptions().setHost("127.0.0.1").setPort(node.httpPort()).setURI(path))
        .compose(req -> req.putHeader("Accept", "text/event-stream").send())
        .map(resp -> {
          resp.handler(b -> text.append(b.toString()));
          resp.endHandler(v -> ended.tryComplete());
          resp.exceptionHandler(ended::tryFail);
          return resp;
        }));
    return new Sse(response, text, ended.future());
  }

  /** The events of an SSE text: each a map of field to value (comments left out). */
  private static List<JsonObject> events(String text) {
    List<JsonObject> out = new ArrayList<>();
    for (String block : text.split("\n\n")) {
      JsonObject event = new JsonObject();
      for (String line : block.split("\n")) {
        int colon = line.indexOf(": ");
        if (!line.isEmpty() && !line.startsWith(":") && colon > 0) {
          event.put(line.substring(0, colon), line.substring(colon + 2));
        }
      }
      if (!event.isEmpty()) {
        out.add(event);
      }
    }
    return out;
  }

  private JsonArray committed(String group) {
    Response r = req(HttpMethod.GET, "/v1/groups/" + group, null);
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("committed");
  }

  @Test
  void sseWritesOneEventPerRecordWithItsCoordinatesAndThePollRoutesJson() {
    topic("orders", 2);
    String m = join("billing", "orders");
    produce("orders", "{\"value\":\"a\",\"partition\":0,\"key\":\"k1\",\"headers\":{\"h\":\"v\"}}",
        "{\"value\":\"b\",\"partition\":1}", "{\"value\":\"c\",\"partition\":0}");

    Sse sse = openSse(streamPath("billing", m) + "?maxRecords=3");
    assertEquals(200, sse.response().statusCode());
    assertTrue(sse.response().getHeader("content-type").startsWith("text/event-stream"), sse.response().getHeader("content-type"));
    await(sse.ended());

    List<JsonObject> events = events(sse.text().toString());
    assertEquals(3, events.size(), sse.text().toString());
    List<String> ids = new ArrayList<>();
    for (JsonObject e : events) {
      assertEquals("record", e.getString("event"), e.encode());
      JsonObject record = new JsonObject(e.getString("data"));
      assertEquals("orders", record.getString("topic"));
      assertEquals("orders/" + record.getInteger("partition") + "/" + record.getLong("offset"), e.getString("id"));
      assertTrue(record.containsKey("timestamp"), record.encode());
      ids.add(e.getString("id"));
      if (record.getString("value").equals("a")) {
        assertEquals("k1", record.getString("key"));
        assertEquals(new JsonObject().put("h", "v"), record.getJsonObject("headers"));
      }
    }
    assertTrue(ids.containsAll(List.of("orders/0/0", "orders/0/1", "orders/1/0")), ids.toString());
    assertTrue(ids.indexOf("orders/0/0") < ids.indexOf("orders/0/1"), "partition order kept: " + ids);

    // The commit route without a body commits what the stream wrote: nothing left to read.
    Response commit = req(HttpMethod.POST, "/v1/groups/billing/members/" + m + "/commit", null);
    assertEquals(204, commit.status(), commit.body());
    JsonArray committed = committed("billing");
    assertEquals(2, committed.size(), committed.encode());
    committed.forEach(c -> assertEquals(0L, ((JsonObject) c).getLong("lag"), committed.encode()));
  }

  @Test
  void anIdleStreamSendsKeepAliveCommentsAndThenRecordsAsTheyArrive() {
    String m = memberOfNewTopic("quiet");
    Sse sse = openSse(streamPath("g", m));
    sse.awaitText(": keepalive\n\n");
    produce("quiet", "{\"value\":\"late\"}");
    sse.awaitText("\"value\":\"late\"");
    assertTrue(sse.text().toString().contains("id: quiet/0/0\nevent: record\ndata: {"), sse.text().toString());
  }

  @Test
  void oneStreamPerMemberAndClosingTheConnectionReleasesItButKeepsTheMember() {
    String m = memberOfNewTopic("t");
    Sse first = openSse(streamPath("g", m));
    first.awaitText(": records of member");

    assertError(409, "conflict", req(HttpMethod.GET, streamPath("g", m), null));
    assertError(409, "conflict", req(HttpMethod.GET, "/v1/groups/g/members/" + m + "/records", null));

    await(first.response().request().connection().close());
    // Released once the stream's poll in flight (up to 1 s) is over; the member is still there.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Response poll;
    do {
      poll = req(HttpMethod.GET, "/v1/groups/g/members/" + m + "/records", null);
      assertTrue(System.nanoTime() < deadline, "the member stayed busy after its stream closed: " + poll.body());
    } while (poll.status() == 409);
    assertEquals(200, poll.status(), poll.body());

    produce("t", "{\"value\":\"after\"}");
    Sse second = openSse(streamPath("g", m) + "?maxRecords=1");
    await(second.ended());
    assertEquals("after", new JsonObject(events(second.text().toString()).get(0).getString("data")).getString("value"));
  }

  @Test
  void badStreamRequestsGetJsonErrors() {
    String m = memberOfNewTopic("t");
    assertError(404, "unknown_member", req(HttpMethod.GET, streamPath("g", "no-such-member"), null));
    assertError(404, "unknown_member", req(HttpMethod.GET, streamPath("other", m), null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, streamPath("g", m) + "?maxRecords=0", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, streamPath("g", m) + "?maxRecords=x", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, streamPath("g", m) + "?autoCommit=yes", null));
    assertError(400, "invalid_name", req(HttpMethod.GET, streamPath("a%24b", m), null));
    // None of them took the member.
    assertEquals(200, req(HttpMethod.GET, "/v1/groups/g/members/" + m + "/records", null).status());
  }

  @Test
  void deletingTheMemberEndsItsStreamWithAnErrorEvent() {
    String m = memberOfNewTopic("t");
    Sse sse = openSse(streamPath("g", m));
    sse.awaitText(": records of member");
    assertEquals(204, req(HttpMethod.DELETE, "/v1/groups/g/members/" + m, null).status());
    await(sse.ended());
    List<JsonObject> events = events(sse.text().toString());
    JsonObject last = events.get(events.size() - 1);
    assertEquals("error", last.getString("event"), sse.text().toString());
    assertTrue(new JsonObject(last.getString("data")).containsKey("error"), last.encode());
  }

  @Test
  void autoCommitCommitsWhatWasWritten() {
    String m = memberOfNewTopic("t");
    produce("t", "{\"value\":\"1\"}", "{\"value\":\"2\"}");
    Sse sse = openSse(streamPath("g", m) + "?autoCommit=true");
    sse.awaitText("\"value\":\"2\"");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (committed("g").isEmpty() || committed("g").getJsonObject(0).getLong("offset") < 2) {
      assertTrue(System.nanoTime() < deadline, "not committed: " + committed("g").encode());
    }
  }

  private WebSocket openWebSocket(String path, BlockingQueue<String> frames) {
    WebSocketClient client = vertx.createWebSocketClient();
    wsClients.add(client);
    return await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort()).setURI(path))
        .map(ws -> {
          ws.textMessageHandler(frames::add);
          return ws;
        }));
  }

  private static JsonObject next(BlockingQueue<String> frames) throws InterruptedException {
    String frame = frames.poll(10, TimeUnit.SECONDS);
    assertTrue(frame != null, "no frame within 10 s");
    return new JsonObject(frame);
  }

  @Test
  void webSocketSendsOneTextFramePerRecordAndCommitsOnRequest() throws InterruptedException {
    String m = memberOfNewTopic("t");
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket ws = openWebSocket(streamPath("g", m), frames);
    produce("t", "{\"value\":\"one\"}", "{\"value\":\"two\",\"key\":\"k\"}");
    JsonObject first = next(frames);
    JsonObject second = next(frames);
    assertEquals("t", first.getString("topic"));
    assertEquals(0L, first.getLong("offset"));
    assertEquals("one", first.getString("value"));
    assertEquals(1L, second.getLong("offset"));
    assertEquals("k", second.getString("key"));
    assertTrue(committed("g").isEmpty(), "nothing committed before the client asks");

    await(ws.writeTextMessage("{\"commit\":true}"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (committed("g").isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the commit frame committed nothing");
    }
    assertEquals(2L, committed("g").getJsonObject(0).getLong("offset"));

    await(ws.writeTextMessage("not json"));
    assertEquals("invalid_argument", next(frames).getString("error"));
    await(ws.writeTextMessage("{\"commit\":true,\"extra\":1}"));
    assertEquals("invalid_argument", next(frames).getString("error"));
    assertEquals(409, req(HttpMethod.GET, "/v1/groups/g/members/" + m + "/records", null).status(), "the socket holds the member");
    assertNull(frames.poll(), "no other frame");
  }

  @Test
  void aWebSocketUpgradeForAnUnknownMemberIsRefused() {
    WebSocketClient client = vertx.createWebSocketClient();
    wsClients.add(client);
    Future<WebSocket> connect = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort())
        .setURI(streamPath("g", "nobody")));
    Throwable failure = await(connect.transform(ar -> Future.succeededFuture(ar.cause())));
    assertTrue(failure != null && failure.getMessage().contains("404"), String.valueOf(failure));
  }

  @Test
  void aStoppingNodeEndsOpenStreamsAtOnce() {
    topic("t", 2);
    // Two groups: a second member of one group would wait for a rebalance, which is not what is tested here.
    String a = join("g1", "t");
    String b = join("g2", "t");
    Sse sse = openSse(streamPath("g1", a));
    sse.awaitText(": records of member");
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket ws = openWebSocket(streamPath("g2", b), frames);
    Promise<Void> wsClosed = Promise.promise();
    ws.closeHandler(v -> wsClosed.complete());

    long start = System.nanoTime();
    await(node.close());
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    node = null;
    await(sse.ended());
    await(wsClosed.future());
    assertTrue(tookMs < 3_000, "the node took " + tookMs + " ms to stop with open streams (shutdown timeout 10 s)");
  }

  @Test
  void webSocketFramesCarryBinaryValuesAsBase64() throws InterruptedException {
    String m = memberOfNewTopic("t");
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    openWebSocket(streamPath("g", m), frames);
    produce("t", "{\"valueBase64\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0, 1}) + "\"}");
    JsonObject record = next(frames);
    assertEquals(Buffer.buffer(new byte[] {(byte) 0xff, 0, 1}),
        Buffer.buffer(java.util.Base64.getDecoder().decode(record.getString("valueBase64"))));
  }
}
