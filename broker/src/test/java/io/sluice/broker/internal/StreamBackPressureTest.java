package io.sluice.broker.internal;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.NodeOptions;
import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that stops reading an SSE stream stops the stream: the node writes until the connection's
 * write queue is full, then waits for it to drain without polling the member's consumer, and carries on,
 * losing nothing and keeping the order, once the client reads again.
 */
@ExtendWith(VertxExtension.class)
class StreamBackPressureTest {

  private static final int RECORDS = 4_000;
  private static final int VALUE_BYTES = 4_096;

  private static void waitFor(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 20 s: " + what);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  @Test
  void aStalledClientPausesTheStreamAndAResumedOneGetsEveryRecordInOrder(Vertx vertx) {
    SluiceNodeImpl node = (SluiceNodeImpl) await(SluiceNodeImpl.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0)));
    // Small socket buffers on the client side only, so the kernel cannot absorb the whole backlog.
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(16 * 1024));
    try {
      int port = node.httpPort();
      assertEquals(201, call(vertx, HttpMethod.PUT, port, "/v1/topics/big", "{\"partitions\":1}").status());
      Response joined = call(vertx, HttpMethod.POST, port, "/v1/groups/g/members", "{\"topics\":[\"big\"],\"autoOffsetReset\":\"earliest\"}");
      String member = joined.json().getString("memberId");
      String value = "x".repeat(VALUE_BYTES);
      for (int sent = 0; sent < RECORDS; sent += 500) {
        JsonArray batch = new JsonArray();
        for (int i = 0; i < 500; i++) {
          batch.add(new JsonObject().put("value", value));
        }
        assertEquals(200, call(vertx, HttpMethod.POST, port, "/v1/topics/big/records",
            new JsonObject().put("records", batch).encode()).status());
      }

      AtomicLong events = new AtomicLong();
      AtomicLong nextOffset = new AtomicLong();
      StringBuilder carry = new StringBuilder();
      Promise<Void> ordered = Promise.promise();
      HttpClientResponse response = await(client.request(new RequestOptions().setHost("127.0.0.1").setPort(port)
              .setURI("/v1/groups/g/members/" + member + "/stream?maxRecords=" + RECORDS))
          .compose(req -> req.send())
          .map(resp -> {
            resp.pause();
            resp.handler(chunk -> {
              // Counts "id: big/0/<offset>" lines, checking the offsets run 0, 1, 2, ... (chunks may split a line).
              carry.append(chunk.toString());
              int nl;
              while ((nl = carry.indexOf("\n")) >= 0) {
                String line = carry.substring(0, nl);
                carry.delete(0, nl + 1);
                if (line.startsWith("id: ")) {
                  long offset = Long.parseLong(line.substring("id: big/0/".length()));
                  if (offset != nextOffset.getAndIncrement()) {
                    ordered.tryFail("offset " + offset + " where " + (nextOffset.get() - 1) + " was due");
                  }
                  events.incrementAndGet();
                }
              }
            });
            resp.endHandler(v -> ordered.tryComplete());
            return resp;
          }));

      GroupRoutes groups = node.service(TopicRoutes.class).groups();
      // Either the stream holds back (waits for the drain), or it wrote everything into the heap.
      waitFor("the stream waits for the stalled client or wrote everything", () -> {
        MemberStream s = groups.stream(member);
        return s != null && (s.waitingForDrain() || s.written() == RECORDS);
      });
      long written = groups.stream(member).written();
      assertTrue(written < RECORDS / 2, "a stalled client had " + written + " of " + RECORDS + " records written to it");

      response.resume();
      await(ordered.future());
      assertEquals(RECORDS, events.get());
    } finally {
      await(client.close());
      await(node.close());
    }
  }
}
