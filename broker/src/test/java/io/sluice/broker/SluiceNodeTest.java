package io.sluice.broker;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.call;
import static io.sluice.broker.testing.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.SluiceException;
import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embedded node, through its public API only. */
@ExtendWith(VertxExtension.class)
class SluiceNodeTest {

  private static NodeOptions memoryNode() {
    return new NodeOptions().setStore("memory").setHttpPort(0);
  }

  @Test
  void startsInsideAnExistingVertxAndAnswersHealth(Vertx vertx) {
    SluiceNode node = await(SluiceNode.start(vertx, memoryNode()));
    try {
      assertTrue(node.httpPort() > 0);
      Response health = get(vertx, node.httpPort(), "/health");
      assertEquals(200, health.status());
      assertEquals(new JsonObject().put("status", "UP").put("store", "memory"), health.json());
      assertTrue(health.contentType().startsWith("application/json"));
      assertEquals("memory", node.store().type());
    } finally {
      await(node.close());
    }
  }

  @Test
  void unknownRoutesAndWrongMethodsGetJsonErrors(Vertx vertx) {
    SluiceNode node = await(SluiceNode.start(vertx, memoryNode()));
    try {
      Response missing = get(vertx, node.httpPort(), "/v1/nothing-here");
      assertEquals(404, missing.status());
      assertEquals("not_found", missing.json().getString("error"));
      assertTrue(missing.json().getString("message").contains("/v1/nothing-here"));

      Response wrongMethod = call(vertx, HttpMethod.POST, node.httpPort(), "/health", "{}");
      assertEquals(405, wrongMethod.status());
      assertEquals("method_not_allowed", wrongMethod.json().getString("error"));

      Response undecodable = get(vertx, node.httpPort(), "/v1/%zz");
      assertEquals(400, undecodable.status());
      assertEquals("invalid_argument", undecodable.json().getString("error"));

      Response outsideV1 = call(vertx, HttpMethod.DELETE, node.httpPort(), "/nope", null);
      assertEquals(404, outsideV1.status());
      assertEquals("not_found", outsideV1.json().getString("error"));
    } finally {
      await(node.close());
    }
  }

  @Test
  void servesItsOpenApiDocument(Vertx vertx) {
    SluiceNode node = await(SluiceNode.start(vertx, memoryNode()));
    try {
      Response doc = get(vertx, node.httpPort(), "/v1/openapi.yaml");
      assertEquals(200, doc.status());
      assertTrue(doc.contentType().startsWith("application/yaml"));
      assertTrue(doc.body().startsWith("openapi: 3."));
    } finally {
      await(node.close());
    }
  }

  @Test
  void publishesRequestLatencyHistogramsInPrometheusFormat(Vertx vertx) {
    SluiceNode node = await(SluiceNode.start(vertx, memoryNode()));
    try {
      get(vertx, node.httpPort(), "/health");
      get(vertx, node.httpPort(), "/v1/nothing-here");
      Response metrics = get(vertx, node.httpPort(), "/metrics");
      assertEquals(200, metrics.status());
      assertTrue(metrics.contentType().startsWith("text/plain"), metrics.contentType());
      String text = metrics.body();
      assertTrue(text.contains("# TYPE sluice_http_server_requests_seconds histogram"), text);
      assertTrue(text.matches("(?s).*sluice_http_server_requests_seconds_bucket\\{[^}]*route=\"/health\"[^}]*\\} 1(\\.0)?\n.*"), text);
      assertTrue(text.matches("(?s).*sluice_http_server_requests_seconds_count\\{method=\"GET\",route=\"unmatched\",status=\"404\"\\} 1(\\.0)?\n.*"), text);
    } finally {
      await(node.close());
    }
  }

  @Test
  void closeReleasesThePortClosesTheStoreAndIsIdempotent(Vertx vertx) throws IOException {
    SluiceNode node = await(SluiceNode.start(vertx, memoryNode()));
    int port = node.httpPort();
    Future<Void> first = node.close();
    assertSame(first, node.close());
    await(first);
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
    SluiceException closed = assertThrows(SluiceException.class, () -> await(node.store().open("after-close")));
    assertEquals(ErrorCode.STORE_CLOSED, closed.code());
  }

  @Test
  void aTakenPortFailsTheStartWithAClearMessageAndLeavesNothingOpen(Vertx vertx) throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      NodeOptions options = memoryNode().setHttpPort(taken.getLocalPort());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> await(SluiceNode.start(vertx, options)));
      assertEquals("port " + taken.getLocalPort() + " on 127.0.0.1 is in use", e.getMessage());
    }
    assertEquals(0, vertx.deploymentIDs().size(), "the HTTP verticle is gone");
  }

  @Test
  void twoNodesAreIndependent(Vertx vertx) {
    // Each node needs its own Vertx: the queue and topic services own fixed event-bus addresses
    // (sluice.queue.*, sluice.topic.*), so a second node on the same event bus is refused with a conflict.
    Vertx other = Vertx.vertx();
    try {
      SluiceNode a = await(SluiceNode.start(vertx, memoryNode()));
      SluiceNode b = await(SluiceNode.start(other, memoryNode()));
      try {
        assertNotEquals(a.httpPort(), b.httpPort());
        await(a.close());
        assertEquals(200, get(vertx, b.httpPort(), "/health").status());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", a.httpPort()).close());
      } finally {
        await(b.close());
      }
    } finally {
      await(other.close());
    }
  }

  @Test
  void optionsAreCopiedIn(Vertx vertx) {
    NodeOptions options = memoryNode();
    SluiceNode node = await(SluiceNode.start(vertx, options));
    try {
      options.setStore("file");
      assertEquals("memory", node.options().getStore());
      node.options().setHttpPort(1);
      assertEquals(0, node.options().getHttpPort());
    } finally {
      await(node.close());
    }
  }

  @Test
  void nullArgumentsAreRefused(Vertx vertx) {
    assertInstanceOf(InvalidArgumentException.class, SluiceNode.start(vertx, null).cause());
  }
}
