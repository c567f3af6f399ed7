package io.sluice.samples.channels;

import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.sluice.samples.Deployments;
import io.sluice.samples.Waits;
import io.sluice.topic.TopicConfig;
import io.sluice.topic.TopicPartition;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Sample 2, channel subscription: three topics ({@code sports}, {@code movies}, {@code music}), a publisher,
 * two subscribers on their own channels from the start, and a late subscriber that joins halfway, rewinds to
 * the beginning and catches up. Offsets and lag are printed as it runs; it ends when everyone has caught up.
 *
 * <p>The topics live in a {@link SluiceNode} started inside the caller's {@code Vertx}, so its HTTP API
 * (and, in nodes that serve it, the live page {@code /ui/live.html}) shows the same topics. With
 * {@code serve}, the node stays up after the run, the publisher keeps publishing a headline a second, and
 * the caller decides when to stop (Ctrl-C).
 */
public final class ChannelSubscriptionSample {

  public static final List<String> CHANNELS = List.of("sports", "movies", "music");
  static final int PARTITIONS = 2;
  static final String LATE_SUBSCRIBER = "carol";
  private static final long SERVE_INTERVAL_MS = 1_000;

  /**
   * @param dataDir       where the node's file store keeps the topics
   * @param records       how many headlines to publish
   * @param intervalMs    one headline every this many milliseconds
   * @param httpPort      the node's HTTP port on 127.0.0.1 (0: any free one)
   * @param reportEveryMs how often to print offsets and lag
   * @param timeoutMs     how long to wait for the subscribers to catch up before reporting
   * @param serve         keep the node and a slow publisher running after the report
   */
  public record Settings(Path dataDir, int records, long intervalMs, int httpPort, long reportEveryMs,
      long timeoutMs, boolean serve) {
  }

  private ChannelSubscriptionSample() {
  }

  public static Future<ChannelReport> run(Vertx vertx, Settings settings, PrintStream out) {
    NodeOptions options = new NodeOptions()
        .setStore("file")
        .setDataDir(settings.dataDir().toString())
        .setHttpHost("127.0.0.1")
        .setHttpPort(settings.httpPort());
    return SluiceNode.start(vertx, options).compose(node -> {
      String base = "http://127.0.0.1:" + node.httpPort();
      out.printf("channel-subscription: node up, HTTP API on %s (e.g. curl -s %s/v1/groups/alice)%n", base, base);
      Future<ChannelReport> report = new Scenario(vertx, node.topics(), settings, out).run()
          .onSuccess(r -> r.print(out));
      return settings.serve()
          ? report.compose(r -> serve(vertx, node, r.published() + 1, out).map(r))
          : report.eventually(node::close);
    });
  }

  /** Keeps headlines coming for whoever watches, and says where to watch. */
  private static Future<Void> serve(Vertx vertx, SluiceNode node, int nextNumber, PrintStream out) {
    String base = "http://127.0.0.1:" + node.httpPort();
    return vertx.deployVerticle(new ChannelPublisher(node.topics(), nextNumber, Integer.MAX_VALUE, SERVE_INTERVAL_MS))
        .compose(id -> servesLivePage(vertx, node.httpPort()))
        .onSuccess(page -> {
          out.printf("%nserving until Ctrl-C; a new headline every second.%n");
          if (page) {
            out.printf("live page: %s/ui/live.html?topic=sports%n", base);
          } else {
            out.println("live page: this node build has no /ui/live.html (no SockJS bridge yet); use the HTTP API:");
          }
          out.printf("  curl -s \"%s/v1/topics/sports/partitions/0/records?offset=0&max=5\"%n", base);
          out.printf("  curl -s %s/v1/groups/%s%n", base, LATE_SUBSCRIBER);
        })
        .mapEmpty();
  }

  /** Whether the node serves the live page: the sample runs against node builds with and without it. */
  private static Future<Boolean> servesLivePage(Vertx vertx, int port) {
    var client = vertx.createHttpClient();
    return client.request(HttpMethod.GET, port, "127.0.0.1", "/ui/live.html")
        .compose(request -> request.send())
        // Read the body before closing the client, or the close cuts the response off.
        .compose(response -> response.body().map(page -> response.statusCode() == 200))
        .eventually(client::close);
  }

  /** One run: subscribers first, the publisher, the late subscriber halfway, then wait for everyone. */
  private static final class Scenario {

    private final Vertx vertx;
    private final Topics topics;
    private final Settings settings;
    private final PrintStream out;
    private final ChannelPublisher publisher;
    // The steps and the progress timer run on different event loops.
    private final List<ChannelSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Deployments deployments;
    private int lateJoinedAt;

    Scenario(Vertx vertx, Topics topics, Settings settings, PrintStream out) {
      this.vertx = vertx;
      this.topics = topics;
      this.settings = settings;
      this.out = out;
      this.deployments = new Deployments(vertx);
      this.publisher = new ChannelPublisher(topics, 1, settings.records(), settings.intervalMs());
    }

    Future<ChannelReport> run() {
      List<Future<?>> created = CHANNELS.stream()
          .<Future<?>>map(channel -> topics.createTopic(channel, new TopicConfig().setPartitions(PARTITIONS)))
          .toList();
      long progress = vertx.setPeriodic(settings.reportEveryMs(), id -> printProgress());
      return Future.all(created)
          .compose(v -> join(new ChannelSubscriber("alice", List.of("sports", "music"), false, topics)))
          .compose(v -> join(new ChannelSubscriber("bob", List.of("movies"), false, topics)))
          .compose(v -> deployments.deploy(publisher))
          .compose(v -> publisher.acknowledged(settings.records() / 2))
          .compose(v -> {
            lateJoinedAt = publisher.produced().size();
            out.printf("  %s joins after %d records: subscribes to %s from the end, then rewinds to the beginning%n",
                LATE_SUBSCRIBER, lateJoinedAt, CHANNELS);
            return join(new ChannelSubscriber(LATE_SUBSCRIBER, CHANNELS, true, topics));
          })
          .compose(v -> publisher.acknowledged(settings.records()))
          .compose(v -> Waits.untilAsync(vertx, this::everyoneCaughtUp, settings.timeoutMs()))
          .compose(v -> report())
          .eventually(() -> {
            vertx.cancelTimer(progress);
            return settings.serve()
                ? Future.succeededFuture()
                : deployments.undeployAll();
          });
    }

    private Future<Void> join(ChannelSubscriber subscriber) {
      subscribers.add(subscriber);
      return deployments.deploy(subscriber);
    }

    /** Caught up: received as many records as its channels hold, and no lag on any partition it owns. */
    private Future<Boolean> everyoneCaughtUp() {
      List<Future<Boolean>> caughtUp = subscribers.stream()
          .map(s -> s.lag().map(lag -> s.received().size() >= publisher.produced().size(s.channels())
              && lag.values().stream().allMatch(n -> n == 0)))
          .toList();
      return Future.all(caughtUp).map(all -> caughtUp.stream().allMatch(Future::result));
    }

    private Future<ChannelReport> report() {
      List<Future<ChannelReport.Subscriber>> results = subscribers.stream()
          .map(s -> s.lag().map(lag -> new ChannelReport.Subscriber(s.name(), s.channels(), s.received().size(),
              publisher.produced().size(s.channels()), lag.values().stream().mapToLong(Long::longValue).sum(),
              s.received().snapshot(s.channels()).equals(publisher.produced().inOffsetOrder(s.channels())),
              s.rewinds())))
          .toList();
      return Future.all(results).map(all -> new ChannelReport(publisher.produced().size(), lateJoinedAt,
          results.stream().map(Future::result).toList()));
    }

    /** One line per subscriber: the next offset it will read per partition, and its lag. */
    private void printProgress() {
      List<Future<String>> lines = subscribers.stream()
          .map(s -> s.lag().map(lag -> String.format("    %-6s received %4d  next offsets %s  lag %d", s.name(),
              s.received().size(), offsets(s.received().nextOffsets()), lag.values().stream().mapToLong(Long::longValue).sum())))
          .toList();
      Future.all(lines).onSuccess(all -> {
        out.printf("  published %d/%d%n", publisher.produced().size(), settings.records());
        lines.forEach(line -> out.println(line.result()));
      });
    }

    private static String offsets(Map<TopicPartition, Long> next) {
      return next.entrySet().stream().map(e -> e.getKey().topic() + "-" + e.getKey().partition() + ":" + e.getValue())
          .collect(Collectors.joining(" "));
    }
  }
}
