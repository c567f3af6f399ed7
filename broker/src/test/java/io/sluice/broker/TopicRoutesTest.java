package io.sluice.broker;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.testing.TestHttp;
import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The topic routes over HTTP, against an embedded node on the memory store. */
class TopicRoutesTest extends NodeRoutesTestBase {

  @Test
  void createDescribeListDelete() {
    Response created = req(HttpMethod.PUT, "/v1/topics/orders", "{\"partitions\":4,\"retentionMs\":3600000}");
    assertEquals(201, created.status(), created.body());
    assertEquals(4, created.json().getJsonArray("partitions").size());
    assertEquals(200, req(HttpMethod.PUT, "/v1/topics/orders", "{\"partitions\":4,\"retentionMs\":3600000}").status());
    assertError(409, "already_exists", req(HttpMethod.PUT, "/v1/topics/orders", "{\"partitions\":2}"));
    assertEquals(201, req(HttpMethod.PUT, "/v1/topics/plain", null).status());
    // A single node keeps one copy whatever the replication settings say; they are kept and shown.
    Response replicated = req(HttpMethod.PUT, "/v1/topics/replicated", "{\"replicationFactor\":3,\"minInSync\":2}");
    assertEquals(201, replicated.status(), replicated.body());
    assertEquals(3, replicated.json().getJsonObject("config").getInteger("replicationFactor"));
    assertEquals(2, get(vertx, node.httpPort(), "/v1/topics/replicated").json().getJsonObject("config").getInteger("minInSync"));
    assertEquals(204, req(HttpMethod.DELETE, "/v1/topics/replicated", null).status());
    assertEquals(new JsonArray().add("orders").add("plain"), get(vertx, node.httpPort(), "/v1/topics").json().getJsonArray("topics"));
    JsonObject described = get(vertx, node.httpPort(), "/v1/topics/orders").json();
    assertEquals(3600000, described.getJsonObject("config").getLong("retentionMs"));
    assertEquals(new JsonObject().put("partition", 3).put("startOffset", 0).put("endOffset", 0),
        described.getJsonArray("partitions").getJsonObject(3));
    assertEquals(4, await(node.topics().describe("orders")).partitions().size(), "the node's Java API sees it");
    assertEquals(204, req(HttpMethod.DELETE, "/v1/topics/orders", null).status());
    assertError(404, "unknown_topic", req(HttpMethod.GET, "/v1/topics/orders", null));
    assertError(404, "unknown_topic", req(HttpMethod.DELETE, "/v1/topics/orders", null));
  }

  @Test
  void badCreateRequestsAre4xxAndCreateNothing() {
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":0}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":-3}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":\"4\"}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":4000000000}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"retentionMs\":-7}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"partition\":4}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"replicationFactor\":0}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"replicationFactor\":4294967297}"));
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/t", "{\"replicationFactor\":1,\"minInSync\":2}"));
    assertError(400, "invalid_name", req(HttpMethod.PUT, "/v1/topics/" + "x".repeat(300), "{}"));
    assertError(400, "invalid_name", req(HttpMethod.PUT, "/v1/topics/a%24b", "{}"));
    assertEquals(new JsonArray(), get(vertx, node.httpPort(), "/v1/topics").json().getJsonArray("topics"));
  }

  @Test
  void produceThenReadByOffset() {
    req(HttpMethod.PUT, "/v1/topics/events", "{\"partitions\":2}");
    byte[] binary = {(byte) 0xc3, 0x28};
    Response produced = req(HttpMethod.POST, "/v1/topics/events/records", new JsonObject().put("records", new JsonArray()
        .add(new JsonObject().put("key", "k").put("value", "v0").put("partition", 1).put("headers", new JsonObject().put("h", "x")))
        .add(new JsonObject().put("valueBase64", Base64.getEncoder().encodeToString(binary)).put("partition", 1))
        .add(new JsonObject().put("value", "v2").put("partition", 0))
        .add(new JsonObject().put("key", "some-key").put("value", "v3"))).encode());
    assertEquals(200, produced.status(), produced.body());
    JsonArray offsets = produced.json().getJsonArray("offsets");
    assertEquals(new JsonObject().put("partition", 1).put("offset", 0), offsets.getJsonObject(0));
    assertEquals(new JsonObject().put("partition", 1).put("offset", 1), offsets.getJsonObject(1));
    assertEquals(new JsonObject().put("partition", 0).put("offset", 0), offsets.getJsonObject(2));
    assertEquals(4, offsets.size());

    JsonObject page = get(vertx, node.httpPort(), "/v1/topics/events/partitions/1/records?offset=0&max=2").json();
    JsonArray records = page.getJsonArray("records");
    assertEquals(2, records.size(), page.encode());
    JsonObject r0 = records.getJsonObject(0);
    assertEquals("k", r0.getString("key"));
    assertEquals("v0", r0.getString("value"));
    assertEquals("x", r0.getJsonObject("headers").getString("h"));
    assertEquals(1, r0.getInteger("partition"));
    assertTrue(r0.getLong("timestamp") > 0);
    assertEquals(Base64.getEncoder().encodeToString(binary), records.getJsonObject(1).getString("valueBase64"));
    assertEquals(2, page.getLong("nextOffset"));

    JsonObject from1 = get(vertx, node.httpPort(), "/v1/topics/events/partitions/1/records?offset=1&max=1").json();
    assertEquals(1, from1.getJsonArray("records").getJsonObject(0).getLong("offset"), "a read starts at the offset asked, not at its batch");
    assertEquals(1, from1.getJsonArray("records").size());

    JsonObject end = get(vertx, node.httpPort(), "/v1/topics/events/partitions/0/records?offset=" + 
        (offsets.getJsonObject(3).getInteger("partition") == 0 ? 2 : 1)).json();
    assertEquals(new JsonArray(), end.getJsonArray("records"));
  }

  @Test
  void readWaitsForTheNextRecord() {
    req(HttpMethod.PUT, "/v1/topics/live", "{}");
    Future<Response> pending = TestHttp.send(vertx, HttpMethod.GET, node.httpPort(), "/v1/topics/live/partitions/0/records?offset=0&waitMs=10000", null);
    assertEquals(200, req(HttpMethod.POST, "/v1/topics/live/records", "{\"records\":[{\"value\":\"now\"}]}").status());
    Response got = await(pending);
    assertEquals(200, got.status(), got.body());
    assertEquals("now", got.json().getJsonArray("records").getJsonObject(0).getString("value"));
    assertEquals(1, got.json().getLong("nextOffset"));

    Response timedOut = get(vertx, node.httpPort(), "/v1/topics/live/partitions/0/records?offset=1&waitMs=50");
    assertEquals(new JsonArray(), timedOut.json().getJsonArray("records"));
    assertEquals(1, timedOut.json().getLong("nextOffset"));
  }

  @Test
  void badProduceAndReadRequestsAre4xxAndStoreNothing() {
    req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":2}");
    String p = "/v1/topics/t/records";
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "nope"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"records\":[]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"records\":[{\"value\":\"a\",\"partition\":-1}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"records\":[{\"value\":\"a\",\"partition\":\"1\"}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"records\":[{\"value\":\"a\",\"key\":\"k\",\"keyBase64\":\"aw==\"}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"records\":[{\"value\":7}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, p, "{\"records\":[{\"value\":\"a\",\"colour\":\"red\"}]}"));
    assertError(404, "unknown_partition", req(HttpMethod.POST, p, "{\"records\":[{\"value\":\"a\",\"partition\":0},{\"value\":\"b\",\"partition\":2}]}"));
    assertError(413, "record_too_large", req(HttpMethod.POST, p,
        new JsonObject().put("records", new JsonArray().add(new JsonObject().put("value", "x".repeat(2 * 1024 * 1024)).put("partition", 0))).encode()));
    assertError(404, "unknown_topic", req(HttpMethod.POST, "/v1/topics/none/records", "{\"records\":[{\"value\":\"a\"}]}"));
    assertError(400, "invalid_name", req(HttpMethod.POST, "/v1/topics/a%26b/records", "{\"records\":[{\"value\":\"a\"}]}"));
    JsonObject described = get(vertx, node.httpPort(), "/v1/topics/t").json();
    for (int i = 0; i < 2; i++) {
      assertEquals(0, described.getJsonArray("partitions").getJsonObject(i).getLong("endOffset"), "nothing was stored: " + described);
    }

    String r = "/v1/topics/t/partitions/";
    assertError(416, "offset_out_of_range", req(HttpMethod.GET, r + "0/records?offset=5", null));
    assertError(404, "unknown_partition", req(HttpMethod.GET, r + "2/records", null));
    assertError(404, "unknown_topic", req(HttpMethod.GET, "/v1/topics/none/partitions/0/records", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, r + "x/records", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, r + "-1/records", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, r + "0/records?offset=-1", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, r + "0/records?max=0", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, r + "0/records?max=abc", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, r + "0/records?waitMs=999999", null));
  }
}
