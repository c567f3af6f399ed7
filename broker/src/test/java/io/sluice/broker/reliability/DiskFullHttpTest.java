package io.sluice.broker.reliability;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk over HTTP, on a node whose data directory is limited ({@code maxDataBytes}, the file store's
 * guard; there is no root here for a small tmpfs): produces and sends past the limit are answered 507
 * {@code disk_full} promptly and store nothing, everything acknowledged before stays readable, and once
 * acknowledged messages are deleted, or a queue is, the node takes writes again by itself.
 */
@ExtendWith(VertxExtension.class)
class DiskFullHttpTest {

  private static final long LIMIT = 2L << 20;
  private static final String VALUE = "v".repeat(8 * 1024);

  @TempDir
  Path dataDir;

  private Vertx vertx;
  private SluiceNode node;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    node = await(SluiceNode.start(vertx, new NodeOptions().setStore("file").setDataDir(dataDir.toString()).setHttpPort(0)
        .setMaxDataBytes(LIMIT)));
  }

  @AfterEach
  void stop() {
    await(node.close());
  }

  private Response req(HttpMethod method, String path, String body) {
    return call(vertx, method, node.httpPort(), path, body);
  }

  private Response produce(String topic, String value) {
    return req(HttpMethod.POST, "/v1/topics/" + topic + "/records",
        new JsonObject().put("records", new JsonArray().add(new JsonObject().put("value", value).put("partition", 0))).encode());
  }

  private static void assertDiskFull(Response r) {
    assertEquals(507, r.status(), r.body());
    assertEquals("disk_full", r.json().getString("error"), r.body());
    assertTrue(r.json().getString("message").contains("maxDataBytes"), r.body());
  }

  private Response send(String queue, String value) {
    return req(HttpMethod.POST, "/v1/queues/" + queue + "/messages",
        new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("value", value))).encode());
  }

  @Test
  void writesPastTheLimitAre507ReadsGoOnAndAckingMakesRoom() {
    assertEquals(201, req(HttpMethod.PUT, "/v1/topics/kept", "{\"partitions\":1}").status());
    assertEquals(200, produce("kept", "before").status());
    assertEquals(201, req(HttpMethod.PUT, "/v1/queues/fill", "{\"segmentBytes\":65536}").status());
    assertEquals(201, req(HttpMethod.PUT, "/v1/queues/jobs", "{}").status());

    List<String> acked = new ArrayList<>();
    Response refused = null;
    for (int i = 0; i < 1000 && refused == null; i++) {
      String v = i + VALUE;
      Response r = send("fill", v);
      if (r.status() == 200) {
        acked.add(v);
      } else {
        refused = r;
      }
    }
    assertTrue(refused != null, "the limit was reached");
    assertDiskFull(refused);
    assertTrue(acked.size() * (long) VALUE.length() > LIMIT * 8 / 10, "most of the limit was used: " + acked.size() + " messages");

    // Every send that does not fit is refused alike, and nothing refused was stored.
    assertDiskFull(send("jobs", "j" + VALUE));
    assertDiskFull(send("fill", "f" + VALUE));
    assertEquals(acked.size(), req(HttpMethod.GET, "/v1/queues/fill", null).json().getLong("depth"));
    assertEquals(0L, req(HttpMethod.GET, "/v1/queues/jobs", null).json().getLong("depth"));

    // Reads go on: the topic's record, and every acknowledged message, in order; their acks are taken too.
    Response page = req(HttpMethod.GET, "/v1/topics/kept/partitions/0/records?offset=0", null);
    assertEquals("before", page.json().getJsonArray("records").getJsonObject(0).getString("value"), page.body());
    List<String> received = new ArrayList<>();
    while (received.size() < acked.size()) {
      Response r = req(HttpMethod.POST, "/v1/queues/fill/receive", "{\"max\":100}");
      assertEquals(200, r.status(), r.body());
      JsonArray messages = r.json().getJsonArray("messages");
      assertTrue(!messages.isEmpty(), "received " + received.size() + " of " + acked.size());
      JsonArray receipts = new JsonArray();
      for (int i = 0; i < messages.size(); i++) {
        received.add(messages.getJsonObject(i).getString("value"));
        receipts.add(messages.getJsonObject(i).getString("receipt"));
      }
      Response ack = req(HttpMethod.POST, "/v1/queues/fill/ack", new JsonObject().put("receipts", receipts).encode());
      assertEquals(204, ack.status(), ack.body());
    }
    assertEquals(acked, received);

    // Acknowledged messages are deleted (whole segments), which makes room: writes succeed again, no restart.
    long deadline = System.nanoTime() + 10_000_000_000L;
    Response again = send("jobs", "j" + VALUE);
    while (again.status() == 507 && System.nanoTime() < deadline) {
      again = send("jobs", "j" + VALUE);
    }
    assertEquals(200, again.status(), again.body());
    assertEquals(200, send("fill", "f" + VALUE).status());
    Response job = req(HttpMethod.POST, "/v1/queues/jobs/receive", "{\"max\":1}");
    assertEquals("j" + VALUE, job.json().getJsonArray("messages").getJsonObject(0).getString("value"), job.body());
  }

  @Test
  void deletingATopicMakesRoom() {
    assertEquals(201, req(HttpMethod.PUT, "/v1/queues/fill", "{}").status());
    int sent = 0;
    while (send("fill", sent + VALUE).status() == 200) {
      sent++;
    }
    assertDiskFull(send("fill", "x" + VALUE));
    assertEquals(204, req(HttpMethod.DELETE, "/v1/queues/fill", null).status());
    assertEquals(201, req(HttpMethod.PUT, "/v1/queues/jobs", "{}").status());
    assertEquals(200, send("jobs", "j" + VALUE).status());
  }

  @Test
  void aProduceToAFullStoreIs507Promptly() {
    assertEquals(201, req(HttpMethod.PUT, "/v1/topics/fill", "{\"partitions\":1}").status());
    Response r;
    int i = 0;
    do {
      r = produce("fill", i++ + VALUE);
    } while (r.status() == 200);
    assertDiskFull(r);
  }
}
