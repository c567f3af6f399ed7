package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.http.HttpMethod;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The node's configured ceilings over HTTP: topics, partitions, queues, groups, and request headers (431). */
class LimitsRoutesTest extends NodeRoutesTestBase {

  @Override
  protected NodeOptions nodeOptions() {
    return super.nodeOptions().setMaxTopics(1).setMaxPartitionsPerTopic(2).setMaxQueues(1).setMaxGroups(1);
  }

  @Test
  void beyondEachLimitIsATypedRefusalAndNothingIsCreated() {
    assertError(400, "invalid_argument", req(HttpMethod.PUT, "/v1/topics/wide", "{\"partitions\":3}"));
    assertEquals(201, req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":2}").status());
    assertError(429, "limit_exceeded", req(HttpMethod.PUT, "/v1/topics/u", "{\"partitions\":1}"));
    assertEquals(1, req(HttpMethod.GET, "/v1/topics", null).json().getJsonArray("topics").size());

    assertEquals(201, req(HttpMethod.PUT, "/v1/queues/q", "{}").status());
    assertError(429, "limit_exceeded", req(HttpMethod.PUT, "/v1/queues/r", "{}"));

    Response joined = req(HttpMethod.POST, "/v1/groups/g1/members", "{\"topics\":[\"t\"]}");
    assertEquals(201, joined.status(), joined.body());
    assertError(429, "limit_exceeded", req(HttpMethod.POST, "/v1/groups/g2/members", "{\"topics\":[\"t\"]}"));
    assertEquals(201, req(HttpMethod.POST, "/v1/groups/g1/members", "{\"topics\":[\"t\"]}").status(), "the same group still takes members");
  }

  @Test
  void oversizedRequestHeadersAre431() throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET /v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 431", status);
    }
  }
}
