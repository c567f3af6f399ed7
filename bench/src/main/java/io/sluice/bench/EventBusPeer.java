package io.sluice.bench;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The transport ceiling (issue 7): the raw Vert.x event bus with no storage, sending the same batches as the
 * networked HTTP scenario ({@link HttpTopicBench.Bodies#perRequest} records of the record size in one message,
 * {@link HttpTopicBench#WINDOW} requests in flight, each answered with an empty reply, as the node answers a
 * produce). <b>Local</b>: sender and consumer on two event-loop contexts of one Vert.x. <b>Clustered</b>: two
 * Vert.x instances in this JVM, clustered over loopback Hazelcast ({@link LoopbackHazelcast}), the consumer on
 * one and the sender on the other, so every message crosses the event bus's TCP connection.
 *
 * <p>Thread contract: {@link #measure} runs on a plain thread and blocks it; sends and replies run on the
 * sender's and the consumer's contexts.
 */
final class EventBusPeer {

  private static final String ADDRESS = "sluice.bench.sink";

  private final int runs;

  EventBusPeer(int runs) {
    this.runs = runs;
  }

  /** For each size, a local and a clustered figure (records/s; one message carries a request's records). */
  List<Figure> measure(List<Integer> sizes, List<Long> recordsPerSize) throws Exception {
    List<Figure> out = new ArrayList<>();
    Vertx local = Vertx.vertx();
    try {
      for (int i = 0; i < sizes.size(); i++) {
        out.add(figure("local", local, local, sizes.get(i), recordsPerSize.get(i)));
      }
    } finally {
      StoreBench.await(local.close());
    }
    String cluster = "sluice-bench-eb-" + UUID.randomUUID();
    Vertx a = clustered(cluster);
    try {
      Vertx b = clustered(cluster);
      try {
        for (int i = 0; i < sizes.size(); i++) {
          out.add(figure("clustered, 2 Vert.x over loopback TCP", a, b, sizes.get(i), recordsPerSize.get(i)));
        }
      } finally {
        StoreBench.await(b.close());
      }
    } finally {
      StoreBench.await(a.close());
    }
    return out;
  }

  private static Vertx clustered(String cluster) throws Exception {
    EventBusOptions bus = new EventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1");
    return StoreBench.await(Vertx.builder().with(new VertxOptions().setEventBusOptions(bus))
        .withClusterManager(new HazelcastClusterManager(LoopbackHazelcast.config(cluster))).buildClustered());
  }

  private Figure figure(String kind, Vertx sender, Vertx receiver, int size, long records) throws Exception {
    int perMessage = new HttpTopicBench.Bodies(size).perRequest;
    Buffer payload = Buffer.buffer(new byte[perMessage * size]);
    long messages = Math.max(1, records / perMessage);
    String address = ADDRESS + "." + UUID.randomUUID();
    Context sink = receiver.getOrCreateContext();
    Promise<Void> registered = Promise.promise();
    sink.runOnContext(v -> receiver.eventBus().<Buffer>consumer(address, m -> m.reply(null)).completion().onComplete(registered));
    StoreBench.await(registered.future());
    Context from = sender.getOrCreateContext();
    once(from, sender, address, payload, messages);
    double[] rates = new double[runs];
    for (int i = 0; i < runs; i++) {
      rates[i] = once(from, sender, address, payload, messages) * perMessage;
    }
    return new Figure("raw event bus (" + kind + ")", "Vert.x " + vertxVersion() + " event bus, " + perMessage + " records/message, "
        + HttpTopicBench.WINDOW + " in flight, request-reply", "none (no storage)", size, 1, kind.startsWith("local") ? 0 : 2,
        Stats.of(rates), null);
  }

  /** Messages per second for {@code messages} request-replies, {@link HttpTopicBench#WINDOW} in flight. */
  private static double once(Context from, Vertx vertx, String address, Buffer payload, long messages) throws Exception {
    return messages / HttpTopicBench.closedLoop(from, messages, () -> vertx.eventBus().request(address, payload));
  }

  private static String vertxVersion() {
    Package p = Vertx.class.getPackage();
    return p.getImplementationVersion() == null ? "5" : p.getImplementationVersion();
  }
}
