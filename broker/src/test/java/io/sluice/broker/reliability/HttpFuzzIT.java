package io.sluice.broker.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.sluice.broker.reliability.RawHttp.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fuzz test of the HTTP API: 10,000 generated and mutated requests ({@code -Dsluice.fuzz.requests};
 * 100,000 with {@code -Plong}) sent over raw sockets ({@link RawHttp}): malformed JSON, wrong types, huge
 * and negative numbers, unicode and path tricks in names, missing and unknown fields, random methods and
 * paths, form content types, oversized and deeply nested bodies. Every fifth step is valid traffic on
 * resources the fuzzer never names, whose answers are checked exactly (a produce gets the next offset of
 * its partition and reads back; a queue send is received and acked).
 *
 * <p>Asserted: no answer is 5xx; every error answer is {@code {"error": <string>, "message": <string>}} JSON;
 * every request is answered within 10 s; the node is still healthy afterwards; its threads and its heap
 * after GC do not grow (measured before and after, in this JVM, which hosts the node). The node runs on the
 * file store, so names reach the file system. The seed ({@code -Dsluice.fuzz.seed}) is printed with every
 * failure.
 */
class HttpFuzzIT {

  private static final int FUZZ_REQUESTS = Integer.getInteger("sluice.fuzz.requests", Boolean.getBoolean("sluice.long") ? 100_000 : 10_000);
  private static final long MAX_BODY = 64 * 1024;
  private static final Set<String> ERROR_KEYS = Set.of("error", "message");

  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO", "PROPFIND"};
  private static final String LONG_VALID = "n".repeat(249);
  private static final String[] VALID_NAMES = {"fz-t", "fz-q", "fz-dlq", "fz.g", "A_b-9.x", "a", LONG_VALID};
  private static final String[] TRICK_NAMES = {"..", ".", "%2E%2E", "%2e", "%2F", "a%2Fb", "..%2F..%2Fetc%2Fpasswd",
      "%00", "a%00b", "x".repeat(300), "y".repeat(250), "%E5%90%8D%E5%89%8D", "%C3%BC", "%F0%9F%98%80", "%FF%FE",
      "%", "%zz", "%25", "a%20b", "a+b", "*", "$", "a;b=c", "%5C", "CON", "-", "_", "~", "'", "%22", "%3Cscript%3E",
      "%0D%0AX-Injected:%201", "", "%C0%AE%C0%AE", "%u002e", "a%09b", "fz-t%00.txt", "fz-t/..", "..;"};
  private static final String[] NUMBERS = {"0", "1", "-1", "abc", "", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "1e3", "1.5", "%00", "NaN", "99999999999999999999999", "2147483648", "0x10", "+1", "%201", "1%20"};
  /** waitMs values: invalid or short, so a valid one never holds the run in a 20 s long poll. */
  private static final String[] WAITS = {"0", "5", "-1", "20001", "abc", "1e9", "9223372036854775808", "1.5", ""};
  private static final String[] PARTITIONS = {"0", "1", "2", "-1", "99", "abc", "2147483648", "1e3", "0x1", "00", "%00", "+1"};
  private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=utf-8", "text/plain",
      "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "application/octet-stream", "*/*", null};

  @TempDir
  Path dataDir;

  private Vertx vertx;
  private SluiceNode node;
  private long seed;
  private Random random;
  private final List<String> memberIds = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private int step;
  private String lastRequest = "";

  @BeforeEach
  void startNode() throws Exception {
    vertx = Vertx.vertx();
    node = SluiceNode.start(vertx, new NodeOptions().setStore("file").setDataDir(dataDir.toString()).setHttpPort(0)
        .setHttpMaxBodyBytes(MAX_BODY).setGroupMaxMembers(20).setGroupSessionTimeoutMs(1_000))
        .await(60, TimeUnit.SECONDS);
    seed = Long.getLong("sluice.fuzz.seed", System.nanoTime());
    random = new Random(seed);
  }

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      node.close().await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void tenThousandHostileRequestsGetNo5xxOnlyJsonErrorsAndLeakNothing() throws Exception {
    valid("PUT", "/v1/topics/oracle-t", "{\"partitions\":2}", 201);
    valid("PUT", "/v1/queues/oracle-q", "{}", 201);
    valid("PUT", "/v1/topics/fz-t", "{\"partitions\":3}", 201);
    valid("PUT", "/v1/queues/fz-q", "{}", 201);
    Oracle oracle = new Oracle();
    // Warm up (lazily started pools and threads), then measure.
    for (int i = 0; i < 500; i++) {
      fuzzOne();
      if (i % 5 == 0) {
        oracle.step();
      }
    }
    long[] before = threadsAndHeap();
    long t0 = System.nanoTime();
    for (step = 0; step < FUZZ_REQUESTS; step++) {
      fuzzOne();
      if (step % 5 == 0) {
        oracle.step();
      }
      if (failures.size() >= 20) {
        break;
      }
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    Answer health = send("GET", "/health", null, null);
    assertEquals(200, health.status(), "the node is still up: " + health.body());
    long[] after = threadsAndHeap();
    System.out.printf("HttpFuzzIT: %d fuzzed requests and %d valid checks in %d ms (seed %d); threads %d -> %d, "
        + "heap after GC %d -> %d MiB%n", step, oracle.checks, ms, seed, before[0], after[0], before[1] >> 20, after[1] >> 20);
    assertEquals(List.of(), failures, "seed " + seed + " (replay: -Dsluice.fuzz.seed=" + seed + ")");
    assertTrue(after[0] <= before[0] + 8, "threads grew from " + before[0] + " to " + after[0] + " (seed " + seed + ")");
    assertTrue(after[1] <= before[1] + (64L << 20),
        "heap after GC grew from " + (before[1] >> 20) + " to " + (after[1] >> 20) + " MiB (seed " + seed + ")");
  }

  /** The JVM's live threads and its used heap after a few GCs: what a fuzz run must not grow. */
  static long[] threadsAndHeap() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return new long[] {ManagementFactory.getThreadMXBean().getThreadCount(), memory.getHeapMemoryUsage().getUsed()};
  }

  // ------------------------------------------------------------------ valid traffic, checked exactly

  /** Valid requests on resources the fuzzer never names; each answer must be exactly right. */
  private final class Oracle {
    private final long[] nextOffset = new long[2];
    private int seq;
    private int checks;

    void step() throws Exception {
      String v = "oracle-" + seq++ + "-\u00e9\u540d";
      if (seq % 2 == 0) {
        int p = random.nextInt(2);
        Answer produced = valid("POST", "/v1/topics/oracle-t/records",
            new JsonObject().put("records", new JsonArray().add(new JsonObject().put("value", v).put("partition", p))).encode(), 200);
        JsonObject at = new JsonObject(produced.body()).getJsonArray("offsets").getJsonObject(0);
        check(at.getInteger("partition") == p && at.getLong("offset") == nextOffset[p], "produce acknowledged at " + at
            + ", expected partition " + p + " offset " + nextOffset[p]);
        Answer read = valid("GET", "/v1/topics/oracle-t/partitions/" + p + "/records?offset=" + nextOffset[p] + "&max=1", null, 200);
        JsonArray records = new JsonObject(read.body()).getJsonArray("records");
        check(records.size() == 1 && v.equals(records.getJsonObject(0).getString("value")), "read back " + read.body() + ", expected " + v);
        nextOffset[p]++;
      } else {
        valid("POST", "/v1/queues/oracle-q/messages",
            new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("value", v))).encode(), 200);
        Answer received = valid("POST", "/v1/queues/oracle-q/receive", "{\"max\":1}", 200);
        JsonArray messages = new JsonObject(received.body()).getJsonArray("messages");
        check(messages.size() == 1 && v.equals(messages.getJsonObject(0).getString("value")), "received " + received.body() + ", expected " + v);
        if (messages.size() == 1) {
          valid("POST", "/v1/queues/oracle-q/ack",
              new JsonObject().put("receipts", new JsonArray().add(messages.getJsonObject(0).getString("receipt"))).encode(), 204);
        }
      }
      checks++;
    }
  }

  private Answer valid(String method, String path, String body, int expected) throws Exception {
    Answer a = send(method, path, "application/json", body == null ? null : Buffer.buffer(body));
    if (a.status() != expected) {
      throw new AssertionError("step " + step + ": valid " + method + " " + path + " " + body + " answered " + a.status()
          + " " + a.body() + " (seed " + seed + "; the fuzzed request before it: " + lastRequest + ")");
    }
    return a;
  }

  private void check(boolean ok, String what) {
    if (!ok && failures.size() < 20) {
      failures.add((step == 0 ? "warm-up" : "step " + step) + ": " + what);
    }
  }

  // ------------------------------------------------------------------ fuzzing

  private void fuzzOne() throws Exception {
    String method = random.nextInt(4) == 0 ? pick(METHODS) : null;
    String path = path();
    String[] route = routeOf(path);
    if (method == null) {
      method = route[0];
    }
    Buffer body = body(route[1]);
    String contentType = pick(CONTENT_TYPES);
    lastRequest = method + " " + path + " [" + contentType + "] " + preview(body);
    Answer a = send(method, path, contentType, body);
    if (a.status() == -1) {
      check(false, "connection closed without an answer (got '" + a.body() + "'): " + lastRequest);
      return;
    }
    check(a.status() < 500, "answered " + a.status() + " " + a.body() + " to " + lastRequest);
    if (a.status() >= 400 && !method.equals("HEAD")) {
      checkErrorBody(a);
    }
    if (a.status() == 201 && path.matches("/v1/groups/[^/]+/members") && memberIds.size() < 50) {
      String id = new JsonObject(a.body()).getString("memberId");
      if (id != null) {
        memberIds.add(id);
      }
    }
  }

  private void checkErrorBody(Answer a) {
    try {
      JsonObject e = new JsonObject(a.body());
      check(e.fieldNames().equals(ERROR_KEYS) && e.getValue("error") instanceof String && e.getValue("message") instanceof String,
          "error body is not {error, message}: " + a.body() + " for " + lastRequest);
      check(a.contentType() != null && a.contentType().startsWith("application/json"),
          "error content type " + a.contentType() + " for " + lastRequest);
    } catch (DecodeException e) {
      check(false, "error body is not JSON: " + a.status() + " '" + a.body() + "' for " + lastRequest);
    }
  }

  private String name() {
    return random.nextInt(3) == 0 ? pick(TRICK_NAMES) : pick(VALID_NAMES);
  }

  private String member() {
    if (!memberIds.isEmpty() && random.nextBoolean()) {
      return memberIds.get(random.nextInt(memberIds.size()));
    }
    return name();
  }

  private String query() {
    StringBuilder q = new StringBuilder();
    for (String key : new String[] {"offset", "max", "waitMs"}) {
      if (random.nextInt(3) > 0) {
        q.append(q.length() == 0 ? '?' : '&').append(key).append('=').append(key.equals("waitMs") ? pick(WAITS) : pick(NUMBERS));
      }
    }
    if (random.nextInt(10) == 0) {
      q.append(q.length() == 0 ? '?' : '&').append(pick(new String[] {"offset=1&offset=2", "x=y", "=", "&&", "%00=%00", "max"}));
    }
    return q.toString();
  }

  private String path() {
    return switch (random.nextInt(22)) {
      case 0 -> "/v1/topics";
      case 1, 2 -> "/v1/topics/" + name();
      case 3, 4 -> "/v1/topics/" + name() + "/records";
      case 5, 6 -> "/v1/topics/" + name() + "/partitions/" + pick(PARTITIONS) + "/records" + query();
      case 7 -> "/v1/queues";
      case 8 -> "/v1/queues/" + name();
      case 9, 10 -> "/v1/queues/" + name() + "/messages";
      case 11 -> "/v1/queues/" + name() + "/receive";
      case 12 -> "/v1/queues/" + name() + pick(new String[] {"/ack", "/nack"});
      case 13 -> "/v1/groups/" + name();
      case 14 -> "/v1/groups/" + name() + "/members";
      case 15 -> "/v1/groups/" + name() + "/members/" + member() + pick(new String[] {"", "/commit", "/seek"});
      case 16 -> "/v1/groups/" + name() + "/members/" + member() + "/records" + query();
      case 17 -> pick(new String[] {"/health", "/metrics", "/v1/openapi.yaml", "/", "/v1", "/v1/", "/v2/topics",
          "//v1//topics", "/v1/topics/fz-t/partitions", "/v1/topics/fz-t/records/x/y", "/%2e%2e/%2e%2e/etc/passwd",
          "/v1/topics/..", "/v1/topics/../queues", "/v1/./topics", "/health/..%2F..%2F", "/v1/topics?%00"});
      default -> randomPath();
    };
  }

  private String randomPath() {
    StringBuilder p = new StringBuilder();
    int segments = random.nextInt(7);
    for (int i = 0; i < segments; i++) {
      p.append('/').append(random.nextInt(3) == 0 ? pick(new String[] {"v1", "topics", "queues", "groups", "members",
          "partitions", "records", "receive", "ack"}) : name());
    }
    return p.length() == 0 ? "/" : p.toString();
  }

  /** The method a route expects and the kind of body it takes (for generating one). */
  private static String[] routeOf(String path) {
    String[] s = path.split("\\?")[0].split("/", -1);
    String last = s[s.length - 1];
    if (path.startsWith("/v1/topics/") && s.length == 4) {
      return new String[] {"PUT", "topic"};
    }
    if (path.startsWith("/v1/queues/") && s.length == 4) {
      return new String[] {"PUT", "queue"};
    }
    return switch (last) {
      case "records" -> path.startsWith("/v1/topics/") && s.length == 5 ? new String[] {"POST", "produce"} : new String[] {"GET", ""};
      case "messages" -> new String[] {"POST", "send"};
      case "receive" -> new String[] {"POST", "receive"};
      case "ack", "nack" -> new String[] {"POST", "ack"};
      case "members" -> new String[] {"POST", "join"};
      case "commit" -> new String[] {"POST", "commit"};
      case "seek" -> new String[] {"POST", "seek"};
      default -> new String[] {"GET", ""};
    };
  }

  private JsonObject template(String kind) {
    return switch (kind) {
      case "topic" -> new JsonObject().put("partitions", 1 + random.nextInt(3)).put("retentionMs", 60_000).put("fsync", "never");
      case "queue" -> new JsonObject().put("visibilityTimeoutMs", 30_000).put("maxDeliveries", 5).put("deadLetterQueue", "fz-dlq")
          .put("fsync", "never").put("overflow", "reject-new").put("maxLength", 100);
      case "produce" -> new JsonObject().put("records", new JsonArray().add(new JsonObject().put("key", "k").put("value", "v")
          .put("partition", 0).put("headers", new JsonObject().put("h", "x")).put("timestamp", 1)));
      case "send" -> new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("value", "x").put("delayMs", 0)
          .put("ttlMs", 60_000).put("dedupId", "d").put("groupKey", "g").put("headers", new JsonObject())));
      case "receive" -> new JsonObject().put("max", 1).put("waitMs", 0).put("visibilityTimeoutMs", 1000);
      case "ack" -> new JsonObject().put("receipts", new JsonArray().add("fz-q:0:1")).put("delayMs", 0);
      case "join" -> new JsonObject().put("topics", new JsonArray().add("fz-t")).put("autoOffsetReset", "earliest");
      case "commit" -> new JsonObject().put("offsets", new JsonArray().add(new JsonObject().put("topic", "fz-t").put("partition", 0).put("offset", 1)));
      case "seek" -> random.nextBoolean() ? new JsonObject().put("topic", "fz-t").put("partition", 0).put("offset", 0)
          : new JsonObject().put("topic", "fz-t").put("to", "beginning");
      default -> null;
    };
  }

  private Buffer body(String kind) {
    int r = random.nextInt(100);
    if (r < 8) {
      return null;
    }
    if (r < 20) {
      return special();
    }
    JsonObject json = template(kind);
    if (json == null) {
      json = template(pick(new String[] {"topic", "queue", "produce", "send", "receive", "ack", "join", "commit", "seek"}));
    }
    if (r < 35) {
      return Buffer.buffer(json.encode());
    }
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      mutate(json);
    }
    String text = json.encode();
    return r < 75 ? Buffer.buffer(text) : textMutation(text);
  }

  private static final Object[] WEIRD_VALUES = {null, true, false, "", "str", 0, -1, 1, 7, 1.5, -0.0, 1e308, -1e308,
      Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, (long) Integer.MAX_VALUE + 1, "\u0000", "\u540d\u524d",
      "\uD83D\uDE00", "..", "../../etc/passwd", "a/b", "x".repeat(300), "1", "-1", "NaN", "base64!!", "earliest",
      "always", "interval(5)", "drop-oldest"};

  private Object weird() {
    int r = random.nextInt(WEIRD_VALUES.length + 4);
    return switch (r - WEIRD_VALUES.length) {
      case 0 -> new JsonArray().add(1).add("x");
      case 1 -> new JsonObject().put("a", 1);
      case 2 -> new JsonArray();
      case 3 -> new JsonObject();
      default -> WEIRD_VALUES[r];
    };
  }

  /** Replaces, removes, adds or renames one field somewhere in {@code json}. */
  private void mutate(JsonObject json) {
    List<String> keys = new ArrayList<>(json.fieldNames());
    if (keys.isEmpty() || random.nextInt(6) == 0) {
      json.put(pick(new String[] {"unknown", "value", "partition", "max", "waitMs", "records", "messages", "__proto__", ""}), weird());
      return;
    }
    String key = keys.get(random.nextInt(keys.size()));
    Object v = json.getValue(key);
    if (v instanceof JsonArray a && !a.isEmpty() && random.nextBoolean()) {
      Object first = a.getValue(0);
      if (first instanceof JsonObject o) {
        mutate(o);
        if (random.nextInt(8) == 0) {
          for (int i = 0; i < 5; i++) {
            a.add(o.copy());
          }
        }
      } else {
        a.set(0, weird());
      }
      return;
    }
    if (v instanceof JsonObject o && random.nextBoolean()) {
      mutate(o);
      return;
    }
    switch (random.nextInt(4)) {
      case 0 -> json.remove(key);
      case 1 -> json.put(key + "x", json.remove(key));
      default -> json.put(key, weird());
    }
  }

  private Buffer textMutation(String text) {
    int at = text.isEmpty() ? 0 : random.nextInt(text.length());
    return switch (random.nextInt(8)) {
      case 0 -> Buffer.buffer(text.substring(0, at));
      case 1 -> Buffer.buffer(text.substring(0, at) + text.substring(Math.min(text.length(), at + 1)));
      case 2 -> Buffer.buffer(text.substring(0, at) + pick(new String[] {"{", "}", "[", "]", ",", ":", "\"", "\\", "\u0000", " ", "\\u12"})
          + text.substring(at));
      case 3 -> Buffer.buffer(text.substring(0, at)).appendBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}).appendString(text.substring(at));
      case 4 -> Buffer.buffer("\uFEFF" + text);
      case 5 -> Buffer.buffer("[" + text + "]");
      case 6 -> Buffer.buffer(text.replaceFirst("[0-9]", "x"));
      default -> Buffer.buffer(text + text);
    };
  }

  private Buffer special() {
    return switch (random.nextInt(14)) {
      case 0 -> Buffer.buffer("");
      case 1 -> Buffer.buffer("null");
      case 2 -> Buffer.buffer("[]");
      case 3 -> Buffer.buffer("\"s\"");
      case 4 -> Buffer.buffer("1");
      case 5 -> Buffer.buffer("{");
      case 6 -> Buffer.buffer("[".repeat(5000) + "]".repeat(5000));
      case 7 -> Buffer.buffer("{\"a\":".repeat(3000) + "1" + "}".repeat(3000));
      case 8 -> Buffer.buffer("{\"max\":1" + "0".repeat(5000) + "}");
      case 9 -> Buffer.buffer("{\"max\":1,\"max\":\"x\"}");
      case 10 -> Buffer.buffer(new byte[(int) MAX_BODY + 1 + random.nextInt(1 << 20)]);
      case 11 -> Buffer.buffer("{\"records\":[" + "{\"value\":\"v\"},".repeat(1500) + "{\"value\":\"v\"}]}");
      case 12 -> Buffer.buffer("{\"value\":\"" + "\\uD800".repeat(10) + "\"}");
      default -> Buffer.buffer("{\"messages\":[{\"valueBase64\":\"!!!not base64\"}],\"receipts\":[\"fz-q:x:y\",\"::\",\"fz-q:-1:-1\"]}");
    };
  }

  private String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }

  private static String preview(Buffer body) {
    if (body == null) {
      return "(no body)";
    }
    String s = body.length() > 200 ? body.getString(0, 200, StandardCharsets.UTF_8.name()) + "...(" + body.length() + " bytes)" : body.toString();
    return s.replace("\u0000", "\\0");
  }

  private Answer send(String method, String path, String contentType, Buffer body) throws Exception {
    try {
      return RawHttp.send(node.httpPort(), method, path, contentType, body == null ? null : body.getBytes(), 10_000);
    } catch (SocketTimeoutException e) {
      check(false, "no answer within 10 s to " + method + " " + path);
      return new Answer(0, null, "");
    }
  }
}
