package io.sluice.broker;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The queue routes over HTTP, against an embedded node on the memory store. */
class QueueRoutesTest extends NodeRoutesTestBase {

  @Test
  void createIsIdempotentAndConflictsOnOtherSettings() {
    Response created = req(HttpMethod.PUT, "/v1/queues/orders", "{\"visibilityTimeoutMs\":5000,\"maxDeliveries\":3}");
    assertEquals(201, created.status(), created.body());
    assertEquals(5000, created.json().getJsonObject("config").getLong("visibilityTimeoutMs"));
    assertEquals(200, req(HttpMethod.PUT, "/v1/queues/orders", "{\"visibilityTimeoutMs\":5000,\"maxDeliveries\":3}").status());
    assertError(409, "already_exists", req(HttpMethod.PUT, "/v1/queues/orders", "{\"visibilityTimeoutMs\":6000}"));
    assertEquals(201, req(HttpMethod.PUT, "/v1/queues/empty-body", null).status());
    Response replicated = req(HttpMethod.PUT, "/v1/queues/replicated", "{\"replicationFactor\":2,\"minInSync\":1}");
    assertEquals(201, replicated.status(), replicated.body());
    JsonObject described = get(vertx, node.httpPort(), "/v1/queues/replicated").json();
    assertEquals(2, described.getJsonObject("config").getInteger("replicationFactor"));
    assertEquals(1, described.getJsonObject("config").getInteger("minInSync"));
    assertEquals(null, described.getJsonObject("replication"), "a single node has no replicas to show");
    assertEquals(204, req(HttpMethod.DELETE, "/v1/queues/replicated", null).status());
    assertEquals(new JsonArray().add("empty-body").add("orders"), get(vertx, node.httpPort(), "/v1/queues").json().getJsonArray("queues"));
    assertEquals(5000, await(node.queues().describe("orders")).config().getVisibilityTimeoutMs(), "the node's Java API sees it");

    Response dlq = req(HttpMethod.PUT, "/v1/queues/with-dlq", "{\"maxDeliveries\":1,\"deadLetterQueue\":\"orders\"}");
    assertEquals(201, dlq.status(), dlq.body());
    assertError(409, "conflict", req(HttpMethod.DELETE, "/v1/queues/orders", null));
    assertEquals(204, req(HttpMethod.DELETE, "/v1/queues/with-dlq", null).status());
    assertEquals(204, req(HttpMethod.DELETE, "/v1/queues/orders", null).status());
    assertError(404, "unknown_queue", req(HttpMethod.GET, "/v1/queues/orders", null));
  }

  @Test
  void badCreateRequestsAre4xxAndCreateNothing() {
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/queues/q", "{\"visibilityTimeoutMs\":"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/queues/q", "[1]"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/queues/q", "{\"visibilityTimeoutMs\":\"soon\"}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/queues/q", "{\"visibilityTimeoutMs\":1.5}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/queues/q", "{\"maxDeliveries\":-1}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/queues/q", "{\"minInSync\":0}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/queues/q", "{\"replicationFactor\":2,\"minInSync\":3}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/queues/q", "{\"visibilityTimout\":100}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/queues/q", "{\"visibilityTimeoutMs\":99999999999999999999999}"));
    assertError(400, "invalid_name", req(HttpMethod.PUT, "/v1/queues/bad%20name", "{}"));
    assertError(404, "unknown_queue", req(HttpMethod.PUT, "/v1/queues/q", "{\"deadLetterQueue\":\"nope\"}"));
    assertEquals(new JsonArray(), get(vertx, node.httpPort(), "/v1/queues").json().getJsonArray("queues"));
  }

  @Test
  void sendReceiveAckAndNack() {
    req(HttpMethod.PUT, "/v1/queues/jobs", "{}");
    byte[] binary = {(byte) 0xff, 0, (byte) 0xfe};
    Response sent = req(HttpMethod.POST, "/v1/queues/jobs/messages", new JsonObject().put("messages", new JsonArray()
        .add(new JsonObject().put("value", "hello é").put("headers", new JsonObject().put("trace", "t1")))
        .add(new JsonObject().put("valueBase64", Base64.getEncoder().encodeToString(binary)))
        .add(new JsonObject().put("value", "later").put("delayMs", 60_000))).encode());
    assertEquals(200, sent.status(), sent.body());
    assertEquals(3, sent.json().getJsonArray("ids").size());

    Response got = req(HttpMethod.POST, "/v1/queues/jobs/receive", "{\"max\":10,\"waitMs\":2000}");
    assertEquals(200, got.status(), got.body());
    JsonArray messages = got.json().getJsonArray("messages");
    assertEquals(2, messages.size(), "the delayed one is not due: " + got.body());
    JsonObject first = messages.getJsonObject(0);
    assertEquals("hello é", first.getString("value"));
    assertEquals("t1", first.getJsonObject("headers").getString("trace"));
    assertEquals(1, first.getInteger("deliveryCount"));
    assertEquals(sent.json().getJsonArray("ids").getLong(0), first.getLong("id"));
    JsonObject second = messages.getJsonObject(1);
    assertEquals(Base64.getEncoder().encodeToString(binary), second.getString("valueBase64"));
    assertTrue(!second.containsKey("value"), second.encode());

    JsonObject stats = get(vertx, node.httpPort(), "/v1/queues/jobs").json();
    assertEquals(3, stats.getLong("depth"), stats.encode());
    assertEquals(2, stats.getLong("inFlight"), stats.encode());
    assertEquals(-1, stats.getLong("deadLetterDepth"), stats.encode());

    assertEquals(204, req(HttpMethod.POST, "/v1/queues/jobs/ack",
        new JsonObject().put("receipts", new JsonArray().add(first.getString("receipt"))).encode()).status());
    assertError(404, "unknown_receipt", req(HttpMethod.POST, "/v1/queues/jobs/ack",
        new JsonObject().put("receipts", new JsonArray().add(first.getString("receipt"))).encode()));
    assertEquals(204, req(HttpMethod.POST, "/v1/queues/jobs/nack",
        new JsonObject().put("receipts", new JsonArray().add(second.getString("receipt"))).encode()).status());

    JsonArray again = req(HttpMethod.POST, "/v1/queues/jobs/receive", "{\"waitMs\":2000}").json().getJsonArray("messages");
    assertEquals(1, again.size());
    assertEquals(2, again.getJsonObject(0).getInteger("deliveryCount"));
    assertEquals(second.getLong("id"), again.getJsonObject(0).getLong("id"));
  }

  @Test
  void receiveWaitsForAMessageAndHonoursItsVisibilityTimeout() {
    req(HttpMethod.PUT, "/v1/queues/poll", "{}");
    var pending = io.sluice.broker.testing.TestHttp.send(vertx, HttpMethod.POST, node.httpPort(), "/v1/queues/poll/receive",
        "{\"waitMs\":10000,\"visibilityTimeoutMs\":1}");
    assertEquals(200, req(HttpMethod.POST, "/v1/queues/poll/messages", "{\"messages\":[{\"value\":\"x\"}]}").status());
    Response got = await(pending);
    assertEquals(1, got.json().getJsonArray("messages").size(), got.body());
    // A 1 ms lease has surely ended by the time a bounded long poll asks again: the message comes back.
    Response back = req(HttpMethod.POST, "/v1/queues/poll/receive", "{\"waitMs\":5000}");
    assertEquals(1, back.json().getJsonArray("messages").size(), back.body());
    assertEquals(2, back.json().getJsonArray("messages").getJsonObject(0).getInteger("deliveryCount"));

    Response empty = req(HttpMethod.POST, "/v1/queues/poll/receive", "{\"waitMs\":0}");
    assertEquals(new JsonArray(), empty.json().getJsonArray("messages"));
  }

  @Test
  void dedupIdAndGroupKeyTravelWithTheMessage() {
    req(HttpMethod.PUT, "/v1/queues/dd", "{}");
    String one = "{\"messages\":[{\"value\":\"a\",\"dedupId\":\"k1\",\"groupKey\":\"g\"}]}";
    long id = req(HttpMethod.POST, "/v1/queues/dd/messages", one).json().getJsonArray("ids").getLong(0);
    assertEquals(id, req(HttpMethod.POST, "/v1/queues/dd/messages", one).json().getJsonArray("ids").getLong(0));
    assertEquals(1, get(vertx, node.httpPort(), "/v1/queues/dd").json().getLong("depth"));
  }

  @Test
  void badSendAndSettleRequestsAre4xxAndStoreNothing() {
    req(HttpMethod.PUT, "/v1/queues/q", "{}");
    String p = "/v1/queues/q/messages";
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, null));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"messages\":[]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"messages\":{}}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"messages\":[{\"value\":\"a\"},42]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"messages\":[{\"value\":\"a\"},{}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"messages\":[{\"value\":\"a\",\"valueBase64\":\"YQ==\"}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"messages\":[{\"valueBase64\":\"!!\"}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"messages\":[{\"value\":\"a\",\"delayMs\":-5}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"messages\":[{\"value\":\"a\",\"headers\":{\"h\":1}}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"messages\":[{\"value\":\"a\",\"dedupId\":\"\"}]}"));
    assertError(413, "record_too_large", req(HttpMethod.POST, p,
        new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("value", "x".repeat(2 * 1024 * 1024)))).encode()));
    assertError(404, "unknown_queue", req(HttpMethod.POST, "/v1/queues/nope/messages", "{\"messages\":[{\"value\":\"a\"}]}"));
    assertError(400, "invalid_name", req(HttpMethod.POST, "/v1/queues/a%2Cb/messages", "{\"messages\":[{\"value\":\"a\"}]}"));
    assertEquals(0, get(vertx, node.httpPort(), "/v1/queues/q").json().getLong("depth"), "nothing was stored");

    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/queues/q/receive", "{\"max\":0}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/queues/q/receive", "{\"waitMs\":-1}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/queues/q/receive", "{\"waitMs\":3600000}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/queues/q/receive", "{\"max\":\"all\"}"));
    assertError(404, "unknown_queue", req(HttpMethod.POST, "/v1/queues/nope/receive", "{}"));

    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/queues/q/ack", "{}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/queues/q/ack", "{\"receipts\":[1]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/queues/q/ack", "{\"receipts\":[\"q:1:1\"],\"delayMs\":5}"));
    assertError(404, "unknown_receipt", req(HttpMethod.POST, "/v1/queues/q/ack", "{\"receipts\":[\"other:1:1\"]}"));
    Response garbage = req(HttpMethod.POST, "/v1/queues/q/ack", "{\"receipts\":[\"q:garbage\"]}");
    assertTrue(garbage.status() == 400 || garbage.status() == 404, garbage.body());
    assertError(400, "invalid_argument", req(HttpMethod.POST, "/v1/queues/q/nack", "{\"receipts\":[\"q:1:1\"],\"delayMs\":-1}"));
  }
}
