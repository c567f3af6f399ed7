package io.sluice.broker.reliability;

import static io.sluice.broker.testing.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Found by {@link HttpFuzzIT}: a form or multipart content type made the body handler fail (on a GET, or
 * with a long form field) and the node answered 500. The API takes JSON: such a request is a 415 with the
 * usual error body, and nothing is stored.
 */
@ExtendWith(VertxExtension.class)
class FormBodiesTest {

  private Vertx vertx;
  private SluiceNode node;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    node = await(SluiceNode.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0)));
  }

  @AfterEach
  void stop() {
    await(node.close());
  }

  private JsonObject expect415(HttpMethod method, String path, String contentType, String body) {
    HttpClient client = vertx.createHttpClient();
    try {
      RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(node.httpPort()).setURI(path)
          .putHeader("content-type", contentType);
      return await(client.request(o).compose(req -> req.send(Buffer.buffer(body))).compose(resp -> resp.body().map(b -> {
        assertEquals(415, resp.statusCode(), b.toString());
        assertEquals("application/json; charset=utf-8", resp.getHeader("content-type"));
        return new JsonObject(b);
      })));
    } finally {
      await(client.close());
    }
  }

  @Test
  void aGetWithAMultipartContentTypeIs415NotA500() {
    JsonObject e = expect415(HttpMethod.GET, "/v1/queues", "multipart/form-data; boundary=xyz", "{}");
    assertEquals("invalid_argument", e.getString("error"));
    assertEquals(2, e.size());
  }

  @Test
  void aGetWithAFormContentTypeIs415NotA500() {
    expect415(HttpMethod.GET, "/v1/topics", "application/x-www-form-urlencoded", "a=b");
  }

  @Test
  void aPostOfAFormWithAHugeFieldIs415AndStoresNothing() {
    await(node.queues().createQueue("jobs"));
    expect415(HttpMethod.POST, "/v1/queues/jobs/messages", "application/x-www-form-urlencoded", "messages=" + "x".repeat(200_000));
    assertEquals(0, await(node.queues().describe("jobs")).depth());
  }
}
