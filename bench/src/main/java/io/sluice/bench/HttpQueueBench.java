package io.sluice.bench;

import io.sluice.api.store.FsyncPolicy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A networked queue over HTTP (issue 7): the node ({@code io.sluice.broker.Main}, file store) in a child JVM, the
 * senders and receivers in the bench JVM. Per run, {@code records} messages are sent in batches
 * ({@link HttpTopicBench.Bodies}, {@value HttpTopicBench#WINDOW} {@code POST .../messages} in flight) while
 * {@value #RECEIVERS} receivers loop {@code POST .../receive} (≤ 1000, long poll) then {@code POST .../ack} of the
 * receipts; the rate runs from the first send to the last acknowledged ack. No latency figure: the bodies carry no
 * send time.
 *
 * <p>Thread contract: {@link #measure} blocks a plain thread; requests are sent and answered on one Vert.x
 * context, which alone touches a run's counters.
 */
final class HttpQueueBench {

  static final int RECEIVERS = 4;
  private static final long TIMEOUT_SECONDS = 300;

  private final Path work;
  private final int runs;
  private final List<ProcessHandle> started = new ArrayList<>();

  HttpQueueBench(Path work, int runs) {
    this.work = work;
    this.runs = runs;
  }

  List<ProcessHandle> startedProcesses() {
    return List.copyOf(started);
  }

  /** For each fsync policy a node of its own; for each size a queue; one send/receive/ack figure each. */
  List<Figure> measure(List<FsyncPolicy> policies, List<Integer> sizes, List<Long> recordsPerSize) throws Exception {
    return HttpTopicBench.onEachNode(work, policies, started, HttpTopicBench.WINDOW + RECEIVERS + 2, (vertx, client, fsync) -> {
      List<Figure> out = new ArrayList<>();
      for (int i = 0; i < sizes.size(); i++) {
        out.add(measureSize(vertx.getOrCreateContext(), client, fsync, sizes.get(i), recordsPerSize.get(i)));
      }
      return out;
    });
  }

  private Figure measureSize(Context context, HttpClient client, FsyncPolicy fsync, int size, long records) throws Exception {
    String queue = "bench-" + size;
    Buffer config = new JsonObject().put("fsync", fsync.toString()).toBuffer();
    StoreBench.await(HttpTopicBench.onContext(context, () -> HttpTopicBench.call(client, HttpMethod.PUT, "/v1/queues/" + queue, config)));
    HttpTopicBench.Bodies bodies = new HttpTopicBench.Bodies(size, "messages");
    long rounded = Math.max(bodies.perRequest, records / bodies.perRequest * bodies.perRequest);
    once(context, client, queue, bodies, rounded);
    double[] rates = new double[runs];
    for (int i = 0; i < runs; i++) {
      rates[i] = once(context, client, queue, bodies, rounded);
    }
    return new Figure("queue send/receive/ack (networked)", HttpTopicBench.SYSTEM + ", " + bodies.perRequest + " messages/send, "
        + HttpTopicBench.WINDOW + " sends in flight, " + RECEIVERS + " receivers (receive ≤1000, then ack)",
        "fsync " + fsync + (fsync.equals(FsyncPolicy.always()) ? " (default)" : ""), size, 1, 1, Stats.of(rates), null);
  }

  /** Messages per second: {@code records} sent, received and acknowledged. */
  private static double once(Context context, HttpClient client, String queue, HttpTopicBench.Bodies bodies, long records)
      throws Exception {
    Promise<Long> done = Promise.promise();
    long[] t0 = new long[1];
    long[] acked = new long[1];
    List<Future<Void>> stopped = new ArrayList<>();
    context.runOnContext(v -> {
      t0[0] = System.nanoTime();
      for (int r = 0; r < RECEIVERS; r++) {
        Promise<Void> stop = Promise.promise();
        stopped.add(stop.future());
        receive(client, queue, acked, records, done, stop);
      }
    });
    Buffer body = bodies.of(bodies.perRequest);
    String uri = "/v1/queues/" + queue + "/messages";
    HttpTopicBench.closedLoop(context, records / bodies.perRequest, () -> HttpTopicBench.call(client, HttpMethod.POST, uri, body));
    long end = done.future().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    // A receiver's long poll still open would take the next run's first messages and count them in this run.
    StoreBench.await(HttpTopicBench.onContext(context, () -> Future.join(stopped)));
    return records / ((end - t0[0]) / 1e9);
  }

  private static void receive(HttpClient client, String queue, long[] acked, long records, Promise<Long> done,
      Promise<Void> stop) {
    if (done.future().isComplete()) {
      stop.tryComplete();
      return;
    }
    Buffer request = new JsonObject().put("max", 1000).put("waitMs", 1000).toBuffer();
    HttpTopicBench.call(client, HttpMethod.POST, "/v1/queues/" + queue + "/receive", request)
        .compose(answer -> {
          JsonArray messages = new JsonObject(answer).getJsonArray("messages");
          JsonArray receipts = new JsonArray();
          for (int i = 0; i < messages.size(); i++) {
            receipts.add(messages.getJsonObject(i).getString("receipt"));
          }
          return receipts.isEmpty() ? Future.succeededFuture(0)
              : HttpTopicBench.call(client, HttpMethod.POST, "/v1/queues/" + queue + "/ack",
                  new JsonObject().put("receipts", receipts).toBuffer()).map(x -> receipts.size());
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            done.tryFail(ar.cause());
            stop.tryComplete();
            return;
          }
          acked[0] += ar.result();
          if (acked[0] >= records) {
            done.tryComplete(System.nanoTime());
          }
          receive(client, queue, acked, records, done, stop);
        });
  }
}
