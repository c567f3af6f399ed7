package io.sluice.broker.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.NodeOptions;
import io.sluice.broker.SecurityOptions;
import io.sluice.broker.SecurityOptions.Operation;
import io.sluice.broker.SluiceNode;
import io.sluice.topic.TopicConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fuzz test of the SockJS event-bus bridge at {@code /eventbus}: 10,000 hostile frames
 * ({@code -Dsluice.fuzz.frames}; 100,000 with {@code -Plong}) over raw WebSockets, with authentication,
 * access rules, inbound and outbound addresses and header limits on: malformed JSON (truncated, binary,
 * invalid UTF-8, deeply nested), wrong types in every field, unknown frame types, huge bodies and headers,
 * unicode, NUL, path tricks and 10,000-character addresses, register/unregister storms, and sends to
 * addresses the rules deny (internal owner addresses, reply addresses, topics without the right).
 *
 * <p>Every fifth step is valid traffic: a send with a reply address to {@code sluice.in.oracle-t}, whose
 * reply (the partition and offset it was stored at) is checked exactly, and whose record is read back at
 * the end. That reply is also the liveness probe: whatever the fuzzed frames before it did, the socket must
 * either answer it or be closed (the probe is then repeated on a fresh socket, where it must succeed), and
 * within 10 s: never a hang. Every frame the node sends must be JSON of type {@code err} or {@code rec}.
 * Threads and heap after GC are measured before and after, as in {@link HttpFuzzIT}. The seed
 * ({@code -Dsluice.fuzz.seed}) is printed with every failure.
 */
class BridgeFuzzIT {

  private static final int FUZZ_FRAMES = Integer.getInteger("sluice.fuzz.frames", Boolean.getBoolean("sluice.long") ? 100_000 : 10_000);
  private static final String TOKEN = "fuzzer-token-0123456789";
  private static final Object CLOSED = new Object();
  private static final String[] TYPES = {"send", "publish", "register", "unregister", "ping"};
  private static final String[] ODD_TYPES = {"foo", "SEND", "", " send", "rec", "err", "pong", "send\u0000", "register2",
      "\u540d", "null"};
  private static final String[] ADDRESSES = {"sluice.in.fz-t", "sluice.live.fz-t", "sluice.in.secret", "sluice.live.secret",
      "sluice.in.nope", "sluice.live.nope", "sluice.in.", "sluice.live.", "sluice.in.fz-t.0", "sluice.topic.fz-t.0",
      "sluice.queue.fz-q", "sluice.queue", "__vertx.reply.1", "sluice.in.../../etc/passwd", "sluice.in.%2E%2E",
      "sluice.in.fz-t\u0000", "sluice.in.\u540d\u524d", "sluice.live.\uD83D\uDE00", "sluice.in.\uD800", "sluice.in.a b",
      "sluice.in." + "x".repeat(300), "sluice.live." + "y".repeat(10_000), "", " ", "sluice.in.fz-t\n", "SLUICE.IN.FZ-T",
      "sluice\\.in\\.fz-t", "sluice.in.*", "sluice.live..*", "sluice.in.fz-t/../secret"};

  private Vertx vertx;
  private Vertx clientVertx;
  private WebSocketClient client;
  private SluiceNode node;
  private long seed;
  private Random random;
  private final List<String> failures = new ArrayList<>();
  private final Map<String, Integer> answers = new LinkedHashMap<>();
  private int step;
  private int frames;
  private int closes;
  private int refusedFrames;
  private String lastFrame = "";
  private Conn conn;

  /** One WebSocket and what came back on it: JSON frames, or {@link #CLOSED}. */
  private static final class Conn {
    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    WebSocket ws;
    boolean closed;
  }

  @BeforeEach
  void startNode() throws Exception {
    vertx = Vertx.vertx();
    clientVertx = Vertx.vertx();
    SecurityOptions security = new SecurityOptions().addToken("fuzzer", TOKEN)
        .addAcl("fuzzer", "topic:fz-*", EnumSet.of(Operation.PRODUCE, Operation.CONSUME))
        .addAcl("fuzzer", "topic:oracle-*", EnumSet.of(Operation.PRODUCE, Operation.CONSUME));
    node = SluiceNode.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0).setSecurity(security)
        .setBridgeInbound(List.of("sluice\\.in\\..+"))).await(60, TimeUnit.SECONDS);
    for (String topic : List.of("oracle-t", "fz-t", "secret")) {
      node.topics().createTopic(topic, new TopicConfig().setPartitions(1)).await(30, TimeUnit.SECONDS);
    }
    client = clientVertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
    seed = Long.getLong("sluice.fuzz.seed", System.nanoTime());
    random = new Random(seed);
  }

  @AfterEach
  void stopNode() throws Exception {
    try {
      client.close().await(10, TimeUnit.SECONDS);
      clientVertx.close().await(30, TimeUnit.SECONDS);
      if (node != null) {
        node.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void tenThousandHostileFramesGetErrorsOrACloseNeverAHangAndLeakNothing() throws Exception {
    List<String> probes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      fuzzOne();
      if (i % 5 == 0) {
        probe(probes);
      }
    }
    long[] before = HttpFuzzIT.threadsAndHeap();
    long t0 = System.nanoTime();
    frames = 0;
    for (step = 1; frames < FUZZ_FRAMES && failures.size() < 20; step++) {
      fuzzOne();
      if (step % 3 == 0) {
        probe(probes);
      }
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    closeConn();
    long[] after = HttpFuzzIT.threadsAndHeap();

    // Every probe acknowledged is in the topic, at the offset it was acknowledged with.
    List<String> values = readBack("oracle-t");
    check(values.equals(probes), "the oracle topic holds " + values.size() + " records, the probes were " + probes.size()
        + (values.size() == probes.size() ? " (different values)" : ""));
    System.out.printf("BridgeFuzzIT: %d fuzzed frames (%d that must be refused) and %d checked probes in %d ms (seed %d),"
        + " %d sockets closed by the node; answers %s; threads %d -> %d, heap after GC %d -> %d MiB%n", frames, refusedFrames,
        probes.size(), ms, seed, closes, answers,
        before[0], after[0], before[1] >> 20, after[1] >> 20);
    assertEquals(List.of(), failures, "seed " + seed + " (replay: -Dsluice.fuzz.seed=" + seed + ")");
    assertTrue(after[0] <= before[0] + 8, "threads grew from " + before[0] + " to " + after[0] + " (seed " + seed + ")");
    assertTrue(after[1] <= before[1] + (64L << 20),
        "heap after GC grew from " + (before[1] >> 20) + " to " + (after[1] >> 20) + " MiB (seed " + seed + ")");
  }

  /** The values of partition 0 of {@code topic}, read over HTTP. */
  private List<String> readBack(String topic) throws Exception {
    HttpClient http = clientVertx.createHttpClient();
    try {
      List<String> values = new ArrayList<>();
      long next = 0;
      while (true) {
        long from = next;
        JsonObject page = http.request(HttpMethod.GET, node.httpPort(), "127.0.0.1",
                "/v1/topics/" + topic + "/partitions/0/records?offset=" + from + "&max=1000")
            .compose(req -> req.putHeader("Authorization", "Bearer " + TOKEN).send())
            .compose(HttpClientResponse::body).map(Buffer::toJsonObject).await(30, TimeUnit.SECONDS);
        JsonArray records = page.getJsonArray("records", new JsonArray());
        if (records.isEmpty()) {
          return values;
        }
        for (int i = 0; i < records.size(); i++) {
          values.add(records.getJsonObject(i).getString("value"));
        }
        next = page.getLong("nextOffset");
      }
    } finally {
      http.close().await(10, TimeUnit.SECONDS);
    }
  }

  private void check(boolean ok, String what) {
    if (!ok && failures.size() < 20) {
      failures.add("step " + step + ": " + what + " (the fuzzed frame before: " + abbreviate(lastFrame) + ")");
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
  }

  // ------------------------------------------------------------------ sockets

  private Conn conn() throws Exception {
    if (conn == null || conn.closed) {
      Conn c = new Conn();
      c.ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort())
          .setURI("/eventbus/websocket?access_token=" + TOKEN)).await(10, TimeUnit.SECONDS);
      c.ws.handler(data -> {
        try {
          c.events.add(new JsonObject(data));
        } catch (DecodeException | ClassCastException e) {
          c.events.add("not a JSON object: " + abbreviate(data.toString()));
        }
      });
      c.ws.closeHandler(v -> c.events.add(CLOSED));
      c.ws.exceptionHandler(e -> { });
      conn = c;
    }
    return conn;
  }

  private void closeConn() throws Exception {
    if (conn != null && !conn.closed) {
      conn.ws.close().await(10, TimeUnit.SECONDS);
    }
    conn = null;
  }

  /** Takes what arrived without waiting: error frames and replies to fuzzed sends are fine, anything else is not. */
  private void drain(Conn c) {
    Object e;
    while ((e = c.events.poll()) != null) {
      account(c, e, null);
    }
  }

  /** Notes one event; true when it is the reply to {@code replyAddress}. */
  private boolean account(Conn c, Object e, String replyAddress) {
    if (e == CLOSED) {
      c.closed = true;
      closes++;
      answers.merge("closed", 1, Integer::sum);
      return false;
    }
    if (e instanceof String bad) {
      check(false, bad);
      return false;
    }
    JsonObject frame = (JsonObject) e;
    String type = frame.getString("type");
    if (replyAddress != null && replyAddress.equals(frame.getString("address"))) {
      return true;
    }
    if ("err".equals(type)) {
      Object why = frame.getValue("body", frame.getValue("message", frame.getValue("failureType")));
      answers.merge("err:" + abbreviate(String.valueOf(why)).replaceAll("[0-9]+", "N"), 1, Integer::sum);
    } else if ("rec".equals(type)) {
      answers.merge("rec", 1, Integer::sum);
    } else {
      check(false, "a frame of unexpected type: " + abbreviate(frame.encode()));
    }
    return false;
  }

  private void write(Object frame) throws Exception {
    write(frame, false);
  }

  /**
   * Writes one fuzzed frame. A frame the bridge must refuse ({@code refused}: not a JSON object, an unknown
   * type, a frame over the WebSocket limits) must be answered by an error frame or a close within 10 s.
   */
  private void write(Object frame, boolean refused) throws Exception {
    Conn c = conn();
    drain(c);
    if (c.closed) {
      c = conn();
    }
    lastFrame = frame instanceof Buffer b ? "binary " + abbreviate(b.toString()) : String.valueOf(frame);
    frames++;
    try {
      if (frame instanceof Buffer b) {
        c.ws.writeBinaryMessage(b).await(10, TimeUnit.SECONDS);
      } else {
        c.ws.writeTextMessage((String) frame).await(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      // A socket the node closed under the write (a broken pipe): the close arrives as an event.
    }
    if (refused) {
      refusedFrames++;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        Object e = c.events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (e == null) {
          check(false, "a frame the bridge must refuse got neither an error frame nor a close within 10 s");
          c.closed = true;
          return;
        }
        account(c, e, null);
        if (e == CLOSED || (e instanceof JsonObject f && "err".equals(f.getString("type")))) {
          return;
        }
      }
    }
  }

  // ------------------------------------------------------------------ the probe: valid traffic and liveness

  private void probe(List<String> probes) throws Exception {
    String value = "probe-" + probes.size() + "-\u00e9\u540d";
    String replyAddress = "reply-" + probes.size();
    JsonObject frame = new JsonObject().put("type", "send").put("address", "sluice.in.oracle-t").put("body", value)
        .put("replyAddress", replyAddress).put("headers", new JsonObject().put("n", String.valueOf(probes.size())));
    for (int attempt = 0; attempt < 2; attempt++) {
      Conn c = conn();
      try {
        c.ws.writeTextMessage(frame.encode()).await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closed under the write: the close event follows
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        Object e = c.events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (e == null) {
          check(false, "no answer to the probe and no close within 10 s: a hang");
          c.closed = true;
          return;
        }
        if (account(c, e, replyAddress)) {
          JsonObject reply = (JsonObject) e;
          JsonObject body = reply.getValue("body") instanceof JsonObject b ? b : new JsonObject();
          check("rec".equals(reply.getString("type")) && body.getLong("offset", -1L) == probes.size(),
              "the probe was answered " + reply.encode() + ", expected offset " + probes.size());
          probes.add(value);
          return;
        }
        if (c.closed) {
          break;
        }
      }
      check(attempt == 0, "a probe on a fresh socket was not answered: the socket closed");
    }
  }

  // ------------------------------------------------------------------ fuzzing

  private void fuzzOne() throws Exception {
    switch (random.nextInt(10)) {
      case 0 -> {
        Object frame = malformed();
        // Binary frames and a number too large for a double may still parse: not necessarily refused.
        write(frame, frame instanceof String text && !text.contains("1e999999"));
      }
      case 1 -> write(wrongTypes());
      case 2 -> write(frame(pick(ODD_TYPES), pick(ADDRESSES)).encode(), true);
      case 3 -> {
        String frame = huge();
        write(frame, frame.length() > 65_536);
      }
      case 4, 5 -> write(frame(pick(TYPES), pick(ADDRESSES)).encode());
      case 6 -> storm();
      case 7 -> write(frame(random.nextBoolean() ? "send" : "publish", pick(ADDRESSES))
          .put("headers", headers(random.nextInt(3) == 0 ? 100 : 3, random.nextInt(3) == 0 ? 20_000 : 10)).encode());
      case 8 -> write(mutate(frame(pick(TYPES), pick(ADDRESSES)).encode()));
      default -> write(frame("send", "sluice.in.fz-t").encode());
    }
  }

  private JsonObject frame(String type, String address) {
    JsonObject f = new JsonObject().put("type", type).put("address", address);
    if (random.nextBoolean()) {
      f.put("body", random.nextBoolean() ? "v" + random.nextInt(1000) : new JsonObject().put("k", random.nextInt()));
    }
    if (random.nextInt(3) == 0) {
      f.put("replyAddress", "fz-reply-" + random.nextInt(100));
    }
    return f;
  }

  private Object malformed() {
    return switch (random.nextInt(10)) {
      case 0 -> "{";
      case 1 -> "[]";
      case 2 -> random.nextBoolean() ? "null" : "\"just a string\"";
      case 3 -> "[".repeat(5_000) + "]".repeat(5_000);
      case 4 -> "{\"type\":".repeat(2_000);
      case 5 -> Buffer.buffer(new byte[] {(byte) 0xff, (byte) 0xfe, '{', (byte) 0xc0, (byte) 0xae});
      case 6 -> Buffer.buffer(frame("send", "sluice.in.fz-t").encode());
      case 7 -> "";
      case 8 -> "{\"type\":\"send\",\"address\":\"sluice.in.fz-t\",\"body\":\"\\ud800\",\"x\":1e999999}";
      default -> {
        String valid = frame(pick(TYPES), pick(ADDRESSES)).encode();
        yield valid.substring(0, random.nextInt(valid.length()));
      }
    };
  }

  private String wrongTypes() {
    Object[] odd = {42, -1, 1.5, true, null, new JsonArray().add("a"), new JsonObject().put("a", 1), "", Long.MAX_VALUE};
    JsonObject f = frame(pick(TYPES), "sluice.in.fz-t");
    String field = pick(new String[] {"type", "address", "body", "headers", "replyAddress"});
    f.put(field, odd[random.nextInt(odd.length)]);
    if (random.nextBoolean()) {
      f.put("headers", new JsonObject().put("h", odd[random.nextInt(odd.length)]));
    }
    return f.encode();
  }

  private String huge() {
    int size = pick(new Integer[] {1_000, 60_000, 70_000, 300_000, 2_000_000});
    JsonObject f = frame(random.nextBoolean() ? "send" : "publish", random.nextBoolean() ? "sluice.in.fz-t" : pick(ADDRESSES));
    return f.put("body", "b".repeat(size)).encode();
  }

  /** Register and unregister frames in a burst: live feeds starting and stopping, and handlers piling up. */
  private void storm() throws Exception {
    int n = 20 + random.nextInt(60);
    for (int i = 0; i < n && frames < FUZZ_FRAMES; i++) {
      String address = random.nextInt(4) == 0 ? "sluice.live.fz-" + random.nextInt(1000)
          : pick(new String[] {"sluice.live.fz-t", "sluice.live.secret", "sluice.live.nope", "x." + i});
      write(new JsonObject().put("type", random.nextInt(3) == 0 ? "unregister" : "register").put("address", address).encode());
    }
  }

  private JsonObject headers(int count, int valueBytes) {
    JsonObject h = new JsonObject();
    for (int i = 0; i < count; i++) {
      h.put("h" + i, "v".repeat(valueBytes / Math.max(1, count)));
    }
    return h;
  }

  private String mutate(String frame) {
    StringBuilder s = new StringBuilder(frame);
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits && s.length() > 0; i++) {
      int at = random.nextInt(s.length());
      switch (random.nextInt(4)) {
        case 0 -> s.deleteCharAt(at);
        case 1 -> s.insert(at, pick(new String[] {"\"", "{", "}", ",", ":", "\\", "\u0000", "\u540d", "null", "]"}));
        case 2 -> s.setCharAt(at, (char) random.nextInt(0x3000));
        default -> s.insert(at, s.substring(at, Math.min(s.length(), at + random.nextInt(20))));
      }
    }
    return s.toString();
  }

  private <T> T pick(T[] options) {
    return options[random.nextInt(options.length)];
  }
}
