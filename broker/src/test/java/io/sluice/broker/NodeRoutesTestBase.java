package io.sluice.broker;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** Base of the HTTP route tests: an embedded node on the memory store and a free port, closed after each test. */
@ExtendWith(VertxExtension.class)
abstract class NodeRoutesTestBase {

  protected Vertx vertx;
  protected SluiceNode node;

  /** The node's options; a test class overrides this for its own limits. */
  protected NodeOptions nodeOptions() {
    return new NodeOptions().setStore("memory").setHttpPort(0);
  }

  @BeforeEach
  void startNode(Vertx vertx) {
    this.vertx = vertx;
    node = await(SluiceNode.start(vertx, nodeOptions()));
  }

  @AfterEach
  void stopNode() {
    if (node != null) {
      await(node.close());
    }
  }

  protected Response req(HttpMethod method, String path, String body) {
    return call(vertx, method, node.httpPort(), path, body);
  }

  /** Every error is {@code {"error": code, "message": ...}} with the code's status. */
  protected static void assertError(int status, String code, Response r) {
    assertEquals(status, r.status(), r.body());
    assertEquals(code, r.json().getString("error"), r.body());
    assertTrue(r.json().containsKey("message"), r.body());
  }
}
