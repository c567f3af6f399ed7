package io.sluice.broker.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP calls the reliability tests make to one node ({@code http://127.0.0.1:<port>}), recording what
 * they learn into a {@link DeliveryHistory}: a queue receive and the ack of what it got, the whole of a
 * partition read back, a queue drained of what it still owes. A call whose answer is lost (the node was
 * killed under it) throws {@link IOException}; {@link #post} first records the request as in doubt.
 *
 * <p>Thread-safe (the JDK client is); each worker thread may share one.
 */
final class NodeClient {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final int port;

  NodeClient(int port) {
    this.port = port;
  }

  int port() {
    return port;
  }

  HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(REQUEST_TIMEOUT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A POST whose answer may be lost: then {@code inDoubt} records that, and the failure goes on. */
  HttpResponse<String> post(String path, JsonObject body, Runnable inDoubt) throws IOException, InterruptedException {
    try {
      return send("POST", path, body.encode());
    } catch (IOException e) {
      inDoubt.run();
      throw e;
    }
  }

  /**
   * One receive from {@code queue} and the ack of what it got; returns the values received (empty also when
   * the node answered 503 while a leadership moved). An ack answered 404 (the lease expired meanwhile)
   * settles nothing; one whose answer was lost is in doubt; one answered 503 settled nothing.
   */
  List<String> receiveOnce(String queue, DeliveryHistory history, int max, long waitMs, long leaseMs)
      throws IOException, InterruptedException {
    JsonObject request = new JsonObject().put("max", max).put("waitMs", waitMs);
    if (leaseMs > 0) {
      request.put("visibilityTimeoutMs", leaseMs);
    }
    HttpResponse<String> r = send("POST", "/v1/queues/" + queue + "/receive", request.encode());
    if (r.statusCode() == 503) {
      return List.of();
    }
    assertEquals(200, r.statusCode(), r.body());
    JsonArray messages = new JsonObject(r.body()).getJsonArray("messages");
    Map<String, String> byId = new LinkedHashMap<>();
    JsonArray receipts = new JsonArray();
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      byId.put(m.getString("id"), m.getString("value"));
      receipts.add(m.getString("receipt"));
      history.received(m.getString("id"), m.getString("value"));
    }
    List<String> values = List.copyOf(byId.values());
    if (values.isEmpty()) {
      return values;
    }
    HttpResponse<String> ack = post("/v1/queues/" + queue + "/ack", new JsonObject().put("receipts", receipts),
        () -> history.settleInDoubt(values));
    if (ack.statusCode() == 204) {
      history.settled(byId);
    } else if (ack.statusCode() == 503) {
      // Refused while the queue's owner moved: it may have been applied before the refusal.
      history.settleInDoubt(values);
    } else {
      assertEquals(404, ack.statusCode(), "an ack is settled or its lease is gone: " + ack.body());
    }
    return values;
  }

  /** Reads partition {@code p} of {@code topic} whole: offset → value, dense from the start offset. */
  Map<Long, String> readPartition(String topic, int p) throws IOException, InterruptedException {
    HttpResponse<String> d = send("GET", "/v1/topics/" + topic, null);
    assertEquals(200, d.statusCode(), d.body());
    JsonObject partition = new JsonObject(d.body()).getJsonArray("partitions").getJsonObject(p);
    long end = partition.getLong("endOffset");
    Map<Long, String> held = new HashMap<>();
    long next = partition.getLong("startOffset");
    while (next < end) {
      JsonObject page = readPage(topic, p, next, 1000, 0);
      JsonArray records = page.getJsonArray("records");
      assertTrue(!records.isEmpty(), "progress reading partition " + p + " at " + next);
      for (int i = 0; i < records.size(); i++) {
        JsonObject rec = records.getJsonObject(i);
        assertEquals(next + i, rec.getLong("offset"), "dense offsets");
        held.put(rec.getLong("offset"), rec.getString("value"));
      }
      next = page.getLong("nextOffset");
    }
    return held;
  }

  /** One read of up to {@code max} records from {@code offset}, waiting up to {@code waitMs} for some. */
  JsonObject readPage(String topic, int p, long offset, int max, long waitMs) throws IOException, InterruptedException {
    HttpResponse<String> r = send("GET",
        "/v1/topics/" + topic + "/partitions/" + p + "/records?offset=" + offset + "&max=" + max + "&waitMs=" + waitMs, null);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  /** Reads every partition whole and compares it with the acknowledgements; returns the records lost. */
  long checkTopic(String topic, int partitions, DeliveryHistory history) throws IOException, InterruptedException {
    long lost = 0;
    for (int p = 0; p < partitions; p++) {
      lost += history.checkPartition(p, readPartition(topic, p));
    }
    return lost;
  }

  /**
   * Receives (and acks) until every message the queue owes has come, or 30 s; records those that did not
   * as lost and returns their number.
   */
  long drainQueue(String queue, DeliveryHistory history) throws IOException, InterruptedException {
    Set<String> owed = history.owedByQueue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!owed.isEmpty() && System.nanoTime() < deadline) {
      new ArrayList<>(receiveOnce(queue, history, 1000, 1000, 60_000)).forEach(owed::remove);
    }
    history.queueLost(owed);
    return owed.size();
  }
}
