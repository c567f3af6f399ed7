package io.sluice.bench;

import io.sluice.api.store.FsyncPolicy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Networked Sluice over HTTP (issue 7): the node ({@code io.sluice.broker.Main}, file store) in a child JVM on
 * 127.0.0.1, the producer and the consumer in the bench JVM, speaking the node's HTTP/JSON API, on a topic of
 * {@value TopicBench#PARTITIONS} partitions at fsync {@code always} (the default) or {@code never}.
 *
 * <ul>
 *   <li><b>produce, flat out</b>: {@value #WINDOW} {@code POST /v1/topics/{t}/records} requests in flight, each a
 *   batch of records (at most 1000, about 256 KiB), until {@code records} are acknowledged; records/s from the
 *   first request to the last answer. The node answers once its producer has stored the records (leader
 *   acknowledgement, the only one a single node has).</li>
 *   <li><b>produce latency</b> at 50% of the flat-out median: an open-loop client sends, every millisecond, the
 *   records that fell due as one request (at most {@value #WINDOW} in flight: records due meanwhile wait and go out
 *   together, as a producer batches); each record's latency runs from its <em>scheduled</em> time to its request's
 *   answer, so waiting for a slot counts (no coordinated omission).</li>
 *   <li><b>consume</b>: the first {@code records} records read back from offset 0, one long-poll read of up to 1000
 *   records in flight per partition ({@code GET .../partitions/{p}/records}); the same read-back Kafka's
 *   ConsumerPerformance does.</li>
 * </ul>
 *
 * <p>Thread contract: {@link #measure} is called from a plain thread and blocks it; every request is sent and
 * answered on one Vert.x event-loop context of the bench, which alone touches a run's counters and histogram.
 */
final class HttpTopicBench {

  static final String SYSTEM = "Sluice HTTP (node in another JVM)";
  /** Requests in flight when producing flat out. */
  static final int WINDOW = 8;
  private static final int MAX_RECORDS_PER_REQUEST = 1000;
  private static final int REQUEST_BYTES = 256 * 1024;
  private static final long TIMEOUT_SECONDS = 300;

  private final Path work;
  private final int runs;
  private final long pacedMillis;
  private final List<ProcessHandle> started = new ArrayList<>();

  HttpTopicBench(Path work, int runs, long pacedMillis) {
    this.work = work;
    this.runs = runs;
    this.pacedMillis = pacedMillis;
  }

  List<ProcessHandle> startedProcesses() {
    return List.copyOf(started);
  }

  static String durability(FsyncPolicy fsync) {
    return "acks=leader, fsync " + fsync + (fsync.equals(FsyncPolicy.always()) ? " (default)" : "");
  }

  /** For each fsync policy a node of its own; for each size a topic; produce and consume figures, in that order. */
  List<Figure> measure(List<FsyncPolicy> policies, List<Integer> sizes, List<Long> recordsPerSize) throws Exception {
    return onEachNode(work, policies, started, WINDOW + 4, (vertx, client, fsync) -> {
      List<Figure> out = new ArrayList<>();
      for (int i = 0; i < sizes.size(); i++) {
        out.addAll(measureSize(vertx, client, fsync, sizes.get(i), recordsPerSize.get(i)));
      }
      return out;
    });
  }

  /** What runs against one node. */
  interface NodeRun {
    List<Figure> run(Vertx vertx, HttpClient client, FsyncPolicy fsync) throws Exception;
  }

  /**
   * For each fsync policy a node of its own ({@link #startNode}, data in a new directory under {@code work}, deleted
   * after) and an HTTP client to it of at most {@code connections} connections; {@code run}'s figures, in order.
   */
  static List<Figure> onEachNode(Path work, List<FsyncPolicy> policies, List<ProcessHandle> started, int connections,
      NodeRun run) throws Exception {
    Files.createDirectories(work);
    List<Figure> out = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      for (FsyncPolicy fsync : policies) {
        Path dir = Files.createTempDirectory(work, "node");
        try (ChildJvm node = startNode(dir, started)) {
          HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
              .setDefaultPort(port(node)).setMaxInitialLineLength(8192), new PoolOptions().setHttp1MaxSize(connections));
          try {
            out.addAll(run.run(vertx, client, fsync));
          } finally {
            StoreBench.await(client.close());
          }
        } finally {
          StoreBench.deleteTree(dir);
        }
      }
    } finally {
      StoreBench.await(vertx.close());
    }
    return out;
  }

  /** The node ({@code io.sluice.broker.Main}, file store in {@code dir}, HTTP on a free port), up; its PID in {@code started}. */
  static ChildJvm startNode(Path dir, List<ProcessHandle> started) throws Exception {
    ChildJvm node = ChildJvm.start("sluice-node", classPath(), List.of("-Xmx1g"),
        "io.sluice.broker.Main", List.of("--store", "file", "--data-dir", dir.resolve("data").toString(), "--http-port", "0"),
        dir.resolve("node.log"));
    started.add(node.handle());
    return node.awaitReady(l -> l.startsWith("sluice: node up"), 60, "the Sluice node");
  }

  /**
   * The bench's own class path, which holds the node (bench depends on broker). Under {@code mvn exec:java} the bench
   * runs in Maven's JVM, whose {@code java.class.path} is Maven's: the project's is then its class loader's URLs.
   */
  static String classPath() throws URISyntaxException {
    if (HttpTopicBench.class.getClassLoader() instanceof URLClassLoader loader) {
      List<String> entries = new ArrayList<>();
      for (URL url : loader.getURLs()) {
        entries.add(Path.of(url.toURI()).toString());
      }
      return String.join(File.pathSeparator, entries);
    }
    return System.getProperty("java.class.path");
  }

  static int port(ChildJvm node) throws Exception {
    String up = node.awaitLine(l -> l.startsWith("sluice: node up")).get(1, TimeUnit.SECONDS);
    // "sluice: node up, HTTP API on http://127.0.0.1:PORT (store: file)"
    String afterHost = up.substring(up.indexOf("http://127.0.0.1:") + "http://127.0.0.1:".length());
    return Integer.parseInt(afterHost.substring(0, afterHost.indexOf(' ')));
  }

  private List<Figure> measureSize(Vertx vertx, HttpClient client, FsyncPolicy fsync, int size, long records) throws Exception {
    String topic = "bench-" + size;
    Context context = vertx.getOrCreateContext();
    Buffer config = new JsonObject().put("partitions", TopicBench.PARTITIONS).put("fsync", fsync.toString()).toBuffer();
    StoreBench.await(onContext(context, () -> call(client, HttpMethod.PUT, "/v1/topics/" + topic, config)));
    Bodies bodies = new Bodies(size);
    int perRequest = bodies.perRequest;
    long rounded = Math.max(perRequest, records / perRequest * perRequest);
    produceFlat(context, client, topic, bodies, rounded);
    double[] flat = new double[runs];
    for (int i = 0; i < runs; i++) {
      flat[i] = produceFlat(context, client, topic, bodies, rounded);
    }
    Stats flatStats = Stats.of(flat);
    double rate = Math.max(1, flatStats.median() / 2);
    double[] p50 = new double[runs];
    double[] p99 = new double[runs];
    double[] p999 = new double[runs];
    double[] max = new double[runs];
    double[] offered = new double[runs];
    for (int i = 0; i < runs; i++) {
      Paced p = new Paced(context, client, topic, bodies, rate, Math.max(1, (long) (rate * pacedMillis / 1000)));
      Histogram h = p.run();
      p50[i] = h.getValueAtPercentile(50) / 1e6;
      p99[i] = h.getValueAtPercentile(99) / 1e6;
      p999[i] = h.getValueAtPercentile(99.9) / 1e6;
      max[i] = h.getMaxValue() / 1e6;
      offered[i] = p.offeredPerSec;
    }
    double[] consumed = new double[runs];
    for (int i = 0; i < runs; i++) {
      consumed[i] = consume(context, client, topic, rounded);
    }
    String durability = durability(fsync);
    Figure.Latency latency = new Figure.Latency("scheduled send to answer", Stats.of(offered).median(), Stats.of(p50).median(),
        Stats.of(p99).median(), Stats.of(p999).median(), Stats.of(max).median());
    return List.of(
        new Figure("topic produce (networked)", SYSTEM + ", " + perRequest + " records/request, " + WINDOW + " in flight",
            durability, size, TopicBench.PARTITIONS, 1, flatStats, latency),
        new Figure("topic consume (networked)", SYSTEM + ", reads of ≤1000 per partition", durability, size,
            TopicBench.PARTITIONS, 1, Stats.of(consumed), null));
  }

  /** Prebuilt produce bodies: {@code {"records":[{"value":"xxx…"}, …]}} with n records, cached per n. */
  static final class Bodies {
    final int perRequest;
    private final String field;
    private final String record;
    private final Map<Integer, Buffer> byCount = new HashMap<>();

    Bodies(int size) {
      this(size, "records");
    }

    /** With the list under {@code field} ({@code messages} for a queue's send). */
    Bodies(int size, String field) {
      this.field = field;
      this.perRequest = Math.max(1, Math.min(MAX_RECORDS_PER_REQUEST, REQUEST_BYTES / size));
      char[] value = new char[size];
      Arrays.fill(value, 'x');
      // ASCII, so the value is exactly `size` bytes in UTF-8 and travels as text, not base64.
      this.record = "{\"value\":\"" + new String(value) + "\"}";
    }

    Buffer of(int n) {
      return byCount.computeIfAbsent(n, k -> {
        StringBuilder b = new StringBuilder(16 + k * (record.length() + 1)).append("{\"").append(field).append("\":[");
        for (int i = 0; i < k; i++) {
          b.append(i == 0 ? "" : ",").append(record);
        }
        return Buffer.buffer(b.append("]}").toString().getBytes(StandardCharsets.UTF_8));
      });
    }
  }

  private double produceFlat(Context context, HttpClient client, String topic, Bodies bodies, long records) throws Exception {
    Buffer body = bodies.of(bodies.perRequest);
    String uri = "/v1/topics/" + topic + "/records";
    return records / closedLoop(context, records / bodies.perRequest, () -> call(client, HttpMethod.POST, uri, body));
  }

  /**
   * Runs {@code calls} calls of {@code call} on {@code context}, {@value #WINDOW} in flight (each answer starts
   * the next); the seconds from the first call to the last answer.
   */
  static double closedLoop(Context context, long calls, Supplier<Future<?>> call) throws Exception {
    Promise<Long> done = Promise.promise();
    long[] t0 = new long[1];
    context.runOnContext(v -> {
      t0[0] = System.nanoTime();
      long[] next = new long[1];
      long[] answered = new long[1];
      Runnable[] send = new Runnable[1];
      send[0] = () -> {
        if (next[0]++ >= calls) {
          return;
        }
        call.get().onComplete(ar -> {
          if (ar.failed()) {
            done.tryFail(ar.cause());
          } else if (++answered[0] == calls) {
            done.tryComplete(System.nanoTime());
          } else {
            send[0].run();
          }
        });
      };
      for (int i = 0; i < WINDOW; i++) {
        send[0].run();
      }
    });
    long end = done.future().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return (end - t0[0]) / 1e9;
  }

  /**
   * One open-loop run at a fixed rate: every millisecond the records due so far go out as one request, at most
   * {@value #WINDOW} requests in flight (records due meanwhile wait, and go out together).
   */
  private static final class Paced {
    private final Context context;
    private final HttpClient client;
    private final String uri;
    private final Bodies bodies;
    private final double rate;
    private final long total;
    private final Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
    private final Promise<Void> done = Promise.promise();
    private long t0;
    private long scheduled;
    private long answered;
    private int inFlight;
    private long lastSend;
    private double offeredPerSec;

    Paced(Context context, HttpClient client, String topic, Bodies bodies, double rate, long total) {
      this.context = context;
      this.client = client;
      this.uri = "/v1/topics/" + topic + "/records";
      this.bodies = bodies;
      this.rate = rate;
      this.total = total;
    }

    Histogram run() throws Exception {
      context.runOnContext(v -> {
        t0 = System.nanoTime();
        long timer = context.owner().setPeriodic(1, id -> tick());
        done.future().onComplete(ar -> context.owner().cancelTimer(timer));
        tick();
      });
      done.future().toCompletionStage().toCompletableFuture().get(pacedTimeoutSeconds(), TimeUnit.SECONDS);
      offeredPerSec = total / Math.max(1e-9, (lastSend - t0) / 1e9);
      return histogram;
    }

    private long pacedTimeoutSeconds() {
      return (long) (total / rate) + TIMEOUT_SECONDS;
    }

    private void tick() {
      long now = System.nanoTime();
      long due = Math.min(total, (long) ((now - t0) / 1e9 * rate) + 1);
      // Like a producer's batching: while WINDOW requests are in flight, due records wait and go out together when an
      // answer frees a slot. Their latency still counts from their scheduled times.
      while (scheduled < due && inFlight < WINDOW) {
        int n = (int) Math.min(bodies.perRequest, due - scheduled);
        long first = scheduled;
        scheduled += n;
        inFlight++;
        lastSend = now;
        call(client, HttpMethod.POST, uri, bodies.of(n)).onComplete(ar -> {
          inFlight--;
          if (ar.failed()) {
            done.tryFail(ar.cause());
            return;
          }
          long at = System.nanoTime();
          for (long i = first; i < first + n; i++) {
            long sendAt = t0 + (long) (i / rate * 1e9);
            histogram.recordValue(Math.max(0, at - sendAt));
          }
          answered += n;
          if (answered == total) {
            done.tryComplete();
          } else {
            tick();
          }
        });
      }
    }
  }

  /** Reads the first {@code records} records of the topic back, a long-poll read in flight per partition. */
  private double consume(Context context, HttpClient client, String topic, long records) throws Exception {
    Promise<Long> done = Promise.promise();
    long[] t0 = new long[1];
    context.runOnContext(v -> {
      t0[0] = System.nanoTime();
      long[] received = new long[1];
      for (int p = 0; p < TopicBench.PARTITIONS; p++) {
        readFrom(client, "/v1/topics/" + topic + "/partitions/" + p + "/records", 0, received, records, done);
      }
    });
    long end = done.future().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return records / ((end - t0[0]) / 1e9);
  }

  private static void readFrom(HttpClient client, String path, long offset, long[] received, long records, Promise<Long> done) {
    if (done.future().isComplete()) {
      return;
    }
    call(client, HttpMethod.GET, path + "?offset=" + offset + "&max=1000&waitMs=1000", null).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      JsonObject answer = new JsonObject(ar.result());
      JsonArray got = answer.getJsonArray("records");
      received[0] += got.size();
      if (received[0] >= records) {
        done.tryComplete(System.nanoTime());
      } else {
        readFrom(client, path, answer.getLong("nextOffset"), received, records, done);
      }
    });
  }

  /** One request; its body if the answer is 2xx, else a failure naming the status and body. */
  static Future<Buffer> call(HttpClient client, HttpMethod method, String uri, Buffer body) {
    return client.request(method, uri)
        .compose(req -> body == null ? req.send() : req.putHeader("content-type", "application/json").send(body))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() / 100 == 2 ? Future.succeededFuture(b)
            : Future.failedFuture(new IllegalStateException(method + " " + uri + ": " + resp.statusCode() + " " + b))));
  }

  static <T> Future<T> onContext(Context context, Supplier<Future<T>> action) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(p));
    return p.future();
  }
}
