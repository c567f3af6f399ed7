package io.sluice.broker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.InvalidArgumentException;
import io.sluice.broker.NodeOptions;
import io.sluice.broker.SecurityOptions;
import io.sluice.broker.SecurityOptions.Operation;
import io.sluice.broker.SluiceNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Authentication, access rules, rate limits, the audit log and TLS, through a real node's HTTP API. */
@ExtendWith(VertxExtension.class)
class SecurityTest {

  static final String ALICE = "alice-token-0123456789";
  static final String OPS = "ops-token-0123456789abcdef";
  static final String SLOW = "slow-token-0123456789abcd";

  @TempDir
  Path dir;

  private Vertx vertx;
  private SluiceNode node;

  record Response(int status, String body, String retryAfter, String wwwAuthenticate) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  @AfterEach
  void close() throws Exception {
    if (node != null) {
      node.close().await(10, TimeUnit.SECONDS);
    }
  }

  private SecurityOptions rules() {
    return new SecurityOptions()
        .addToken("alice", ALICE)
        .addToken("ops", "sha256:" + java.util.HexFormat.of().formatHex(sha256(OPS)))
        .addToken("slow", SLOW)
        .addAcl("alice", "topic:orders*", Set.of(Operation.PRODUCE, Operation.CONSUME))
        .addAcl("alice", "group:billing", Set.of(Operation.CONSUME))
        .addAcl("ops", "*", Set.of(Operation.ADMIN, Operation.PRODUCE, Operation.CONSUME));
  }

  private void start(Vertx vertx, NodeOptions options) throws Exception {
    this.vertx = vertx;
    node = SluiceNode.start(vertx, options.setStore("memory").setHttpPort(0)).await(10, TimeUnit.SECONDS);
  }

  private Response call(HttpMethod method, String path, String token, String body) throws Exception {
    return call(new HttpClientOptions().setKeepAlive(false), method, path, token, body);
  }

  private Response call(HttpClientOptions clientOptions, HttpMethod method, String path, String token, String body) throws Exception {
    // Built on an event loop, so the body handler is attached before the response can arrive.
    io.vertx.core.Promise<Response> f = io.vertx.core.Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      HttpClient client = vertx.createHttpClient(clientOptions);
      RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(node.httpPort()).setURI(path);
      if (token != null) {
        o.putHeader("Authorization", "Bearer " + token);
      }
      client.request(o)
          .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
          .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b.toString(),
              resp.getHeader("Retry-After"), resp.getHeader("WWW-Authenticate"))))
          .eventually(() -> client.close())
          .onComplete(f);
    });
    try {
      return f.future().await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 10 s: " + method + " " + path, e);
    }
  }

  private static void assertError(int status, String code, Response r) {
    assertEquals(status, r.status(), r.body());
    assertEquals(code, r.json().getString("error"), r.body());
  }

  @Test
  void requestsWithoutAValidTokenGet401ButHealthAndTheApiDocumentStayOpen(Vertx vertx) throws Exception {
    start(vertx, new NodeOptions().setSecurity(rules()));
    Response none = call(HttpMethod.GET, "/v1/topics", null, null);
    assertError(401, "unauthorized", none);
    assertEquals("Bearer realm=\"sluice\"", none.wwwAuthenticate());
    assertError(401, "unauthorized", call(HttpMethod.GET, "/v1/topics", "not-a-token-at-all-xxxx", null));
    assertError(401, "unauthorized", call(HttpMethod.GET, "/metrics", null, null));
    // An unknown path asks for a token first: it does not tell strangers which paths exist.
    assertError(401, "unauthorized", call(HttpMethod.GET, "/v2/nothing", null, null));
    assertEquals(200, call(HttpMethod.GET, "/health", null, null).status());
    assertEquals(200, call(HttpMethod.GET, "/v1/openapi.yaml", null, null).status());
    assertEquals(200, call(HttpMethod.GET, "/v1/topics", ALICE, null).status());
    assertEquals(200, call(HttpMethod.GET, "/metrics", OPS, null).status(), "the sha256 form of a token works");
  }

  @Test
  void rulesAllowOnlyWhatTheyNameAndARefusedRequestChangesNothing(Vertx vertx) throws Exception {
    start(vertx, new NodeOptions().setSecurity(rules()));
    assertError(403, "forbidden", call(HttpMethod.PUT, "/v1/topics/orders", ALICE, "{\"partitions\":1}"));
    assertEquals(201, call(HttpMethod.PUT, "/v1/topics/orders", OPS, "{\"partitions\":1}").status());
    assertEquals(201, call(HttpMethod.PUT, "/v1/topics/payments", OPS, "{\"partitions\":1}").status());

    String record = "{\"records\":[{\"value\":\"v\"}]}";
    assertEquals(200, call(HttpMethod.POST, "/v1/topics/orders/records", ALICE, record).status());
    assertError(403, "forbidden", call(HttpMethod.POST, "/v1/topics/payments/records", ALICE, record));
    assertEquals(0L, call(HttpMethod.GET, "/v1/topics/payments", OPS, null).json()
        .getJsonArray("partitions").getJsonObject(0).getLong("endOffset"), "a refused produce stored nothing");
    assertEquals(200, call(HttpMethod.GET, "/v1/topics/orders/partitions/0/records?offset=0", ALICE, null).status());
    assertError(403, "forbidden", call(HttpMethod.GET, "/v1/topics/payments/partitions/0/records?offset=0", ALICE, null));
    assertError(403, "forbidden", call(HttpMethod.DELETE, "/v1/topics/orders", ALICE, null));
    // Encoded and dotted paths are judged by the name the router sees.
    assertError(403, "forbidden", call(HttpMethod.POST, "/v1/topics/orders/../payments/records", ALICE, record));
    assertError(403, "forbidden", call(HttpMethod.POST, "/v1/topics/%70ayments/records", ALICE, record));

    assertError(403, "forbidden", call(HttpMethod.PUT, "/v1/queues/jobs", ALICE, "{}"));
    assertEquals(201, call(HttpMethod.PUT, "/v1/queues/jobs", OPS, "{}").status());
    assertError(403, "forbidden", call(HttpMethod.POST, "/v1/queues/jobs/messages", ALICE, "{\"messages\":[{\"value\":\"x\"}]}"));
    assertError(403, "forbidden", call(HttpMethod.POST, "/v1/queues/jobs/receive", ALICE, "{\"max\":1}"));
    assertEquals(0L, call(HttpMethod.GET, "/v1/queues/jobs", OPS, null).json().getLong("depth"));
  }

  @Test
  void aGroupMemberMaySubscribeOnlyToTopicsItMayConsume(Vertx vertx) throws Exception {
    start(vertx, new NodeOptions().setSecurity(rules()));
    call(HttpMethod.PUT, "/v1/topics/orders", OPS, "{\"partitions\":1}");
    call(HttpMethod.PUT, "/v1/topics/payments", OPS, "{\"partitions\":1}");
    assertError(403, "forbidden", call(HttpMethod.POST, "/v1/groups/billing/members", ALICE, "{\"topics\":[\"orders\",\"payments\"]}"));
    assertError(403, "forbidden", call(HttpMethod.POST, "/v1/groups/other/members", ALICE, "{\"topics\":[\"orders\"]}"));
    Response joined = call(HttpMethod.POST, "/v1/groups/billing/members", ALICE, "{\"topics\":[\"orders\"]}");
    assertEquals(201, joined.status(), joined.body());
    String member = joined.json().getString("memberId");
    assertEquals(200, call(HttpMethod.GET, "/v1/groups/billing/members/" + member + "/records?waitMs=0", ALICE, null).status());
  }

  @Test
  void aPrincipalOverItsRateGets429WithRetryAfter(Vertx vertx) throws Exception {
    SecurityOptions s = rules().setRateLimit(0.5, 3);
    start(vertx, new NodeOptions().setSecurity(s));
    for (int i = 0; i < 3; i++) {
      assertEquals(200, call(HttpMethod.GET, "/v1/topics", SLOW, null).status());
    }
    Response limited = call(HttpMethod.GET, "/v1/topics", SLOW, null);
    assertError(429, "rate_limited", limited);
    assertNotNull(limited.retryAfter());
    assertTrue(Integer.parseInt(limited.retryAfter()) >= 1 && Integer.parseInt(limited.retryAfter()) <= 2, limited.retryAfter());
    assertEquals(200, call(HttpMethod.GET, "/v1/topics", ALICE, null).status(), "the limit is per principal");
  }

  @Test
  void adminActionsAndRefusalsAreAudited(Vertx vertx) throws Exception {
    Path audit = dir.resolve("audit/audit.jsonl");
    start(vertx, new NodeOptions().setSecurity(rules()).setAuditLog(audit.toString()));
    call(HttpMethod.PUT, "/v1/topics/orders", OPS, "{\"partitions\":1}");
    call(HttpMethod.DELETE, "/v1/topics/orders", ALICE, null);
    call(HttpMethod.GET, "/v1/topics", null, null);
    call(HttpMethod.POST, "/v1/topics/orders/records", ALICE, "{\"records\":[{\"value\":\"v\"}]}"); // not audited
    node.close().await(10, TimeUnit.SECONDS); // flushes the audit writer
    node = null;
    List<JsonObject> lines = Files.readAllLines(audit).stream().map(JsonObject::new).toList();
    assertEquals(3, lines.size(), lines.toString());
    assertEquals(List.of("admin", "denied", "denied"), lines.stream().map(l -> l.getString("event")).toList());
    assertEquals("ops", lines.get(0).getString("principal"));
    assertEquals(201, lines.get(0).getInteger("status"));
    assertEquals("PUT", lines.get(0).getString("method"));
    assertEquals("/v1/topics/orders", lines.get(0).getString("path"));
    assertEquals("alice", lines.get(1).getString("principal"));
    assertEquals(403, lines.get(1).getInteger("status"));
    assertEquals(401, lines.get(2).getInteger("status"));
    assertEquals("127.0.0.1", lines.get(2).getString("remote"));
  }

  @Test
  void withoutTokensTheNodeRefusesANonLoopbackAddressUnlessToldOtherwise(Vertx vertx) {
    Throwable refused = assertThrows(Exception.class,
        () -> SluiceNode.start(vertx, new NodeOptions().setStore("memory").setHttpHost("0.0.0.0").setHttpPort(0)).await(10, TimeUnit.SECONDS));
    assertTrue(refused instanceof InvalidArgumentException, refused.toString());
    assertTrue(refused.getMessage().contains("without authentication"), refused.getMessage());
    // The check alone (binding a non-loopback address in a test would break the network rule):
    io.sluice.broker.internal.SecuritySetup.checkStartable(new NodeOptions().setHttpHost("0.0.0.0").setAllowInsecure(true));
    io.sluice.broker.internal.SecuritySetup.checkStartable(new NodeOptions().setHttpHost("10.1.2.3").setSecurity(rules()));
    io.sluice.broker.internal.SecuritySetup.checkStartable(new NodeOptions().setHttpHost("::1"));
    io.sluice.broker.internal.SecuritySetup.checkStartable(new NodeOptions().setHttpHost("localhost"));
    assertThrows(InvalidArgumentException.class,
        () -> io.sluice.broker.internal.SecuritySetup.checkStartable(new NodeOptions().setHttpHost("sluice.example.com")));
  }

  @Test
  void theApiServesTlsFromAKeyStore(Vertx vertx) throws Exception {
    Path store = dir.resolve("node.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool finished");
    assertEquals(0, keytool.exitValue(), new String(keytool.getInputStream().readAllBytes()));

    start(vertx, new NodeOptions().setTlsKeyStore(store.toString(), "changeit").setSecurity(rules()));
    HttpClientOptions tls = new HttpClientOptions().setKeepAlive(false).setSsl(true)
        .setTrustOptions(new PfxOptions().setPath(store.toString()).setPassword("changeit"));
    assertEquals(200, call(tls, HttpMethod.GET, "/health", null, null).status());
    assertEquals(200, call(tls, HttpMethod.GET, "/v1/topics", OPS, null).status());
    assertError(401, "unauthorized", call(tls, HttpMethod.GET, "/v1/topics", null, null));
    // Plain HTTP to the TLS port gets no answer of the API.
    assertThrows(Exception.class, () -> call(HttpMethod.GET, "/health", null, null));
  }

  @Test
  void theEventBusBridgeNeedsATokenAndAppliesTheTopicRules(Vertx vertx) throws Exception {
    start(vertx, new NodeOptions().setSecurity(rules()));
    call(HttpMethod.PUT, "/v1/topics/orders", OPS, "{\"partitions\":1}");
    call(HttpMethod.PUT, "/v1/topics/payments", OPS, "{\"partitions\":1}");
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      WebSocketConnectOptions anonymous = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort())
          .setURI("/eventbus/websocket");
      Throwable refused = assertThrows(Exception.class, () -> client.connect(anonymous).await(10, TimeUnit.SECONDS));
      assertTrue(String.valueOf(refused.getMessage()).contains("401"), String.valueOf(refused));

      BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort())
          .setURI("/eventbus/websocket?access_token=" + ALICE)).await(10, TimeUnit.SECONDS);
      ws.handler(data -> frames.add(new JsonObject(data.toString())));
      ws.writeTextMessage(new JsonObject().put("type", "register").put("address", "sluice.live.payments").encode()).await(10, TimeUnit.SECONDS);
      JsonObject denied = frames.poll(10, TimeUnit.SECONDS);
      assertNotNull(denied, "an answer to the refused registration");
      assertEquals("rejected", denied.getString("body"), denied.encode());

      ws.writeTextMessage(new JsonObject().put("type", "register").put("address", "sluice.live.orders").encode()).await(10, TimeUnit.SECONDS);
      // The feed starts at the topic's end once the registration is through: produce until a record arrives.
      JsonObject received = null;
      for (int i = 0; i < 100 && received == null; i++) {
        assertEquals(200, call(HttpMethod.POST, "/v1/topics/orders/records", ALICE, "{\"records\":[{\"value\":\"live\"}]}").status());
        received = frames.poll(100, TimeUnit.MILLISECONDS);
      }
      assertNotNull(received, "a live record for the permitted topic");
      assertEquals("sluice.live.orders", received.getString("address"), received.encode());
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void halfATlsConfigurationIsRefused() {
    assertThrows(InvalidArgumentException.class, () -> io.sluice.broker.internal.SecuritySetup.checkStartable(
        new NodeOptions().setTlsPem(dir.resolve("cert.pem").toString(), null)));
    assertThrows(InvalidArgumentException.class, () -> io.sluice.broker.internal.SecuritySetup.checkStartable(
        new NodeOptions().setTlsKeyStore(dir.resolve("missing.p12").toString(), "x")));
  }

  static byte[] sha256(String s) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aSecurityFileIsReadAndItsMistakesAreNamed() throws Exception {
    Path file = dir.resolve("security.json");
    Files.writeString(file, new JsonObject()
        .put("tokens", new JsonObject().put("alice", ALICE))
        .put("acls", new io.vertx.core.json.JsonArray().add(new JsonObject()
            .put("principal", "alice").put("resource", "queue:jobs").put("operations", new io.vertx.core.json.JsonArray().add("consume"))))
        .put("rateLimit", new JsonObject().put("requestsPerSecond", 100))
        .encode());
    SecurityOptions read = io.sluice.broker.internal.SecuritySetup.readFile(file.toString());
    assertEquals(Set.of("alice"), read.getTokens().keySet());
    assertEquals(100, read.getBurst());
    assertFalse(read.toString().contains(ALICE), "toString never shows a token");

    Files.writeString(file, "{\"tokens\":{\"bob\":\"short\"}}");
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> io.sluice.broker.internal.SecuritySetup.readFile(file.toString()));
    assertTrue(e.getMessage().contains("shorter than 16"), e.getMessage());
    Files.writeString(file, "{\"acls\":[{\"principal\":\"a\",\"resource\":\"table:x\",\"operations\":[\"consume\"]}]}");
    e = assertThrows(InvalidArgumentException.class, () -> io.sluice.broker.internal.SecuritySetup.readFile(file.toString()));
    assertTrue(e.getMessage().contains("table:x"), e.getMessage());
  }
}
