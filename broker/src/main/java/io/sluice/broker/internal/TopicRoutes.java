package io.sluice.broker.internal;

import static io.sluice.broker.internal.QueueRoutes.handle;

import io.sluice.api.ErrorCode;
import io.sluice.api.Header;
import io.sluice.api.HeaderLimits;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.api.SluiceException;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.topic.PartitionInfo;
import io.sluice.topic.Producer;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.RecordMetadata;
import io.sluice.topic.TopicConfig;
import io.sluice.topic.TopicDescription;
import io.sluice.topic.Topics;
import io.sluice.topic.TopicsOptions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The topic routes, {@code /v1/topics/...}, over the node's {@link Topics}: create, list, describe, delete,
 * produce (through one node-wide {@link Producer}, so concurrent requests share batches and fsyncs) and
 * read a partition by offset; and, through {@link GroupRoutes}, the consumer-group routes
 * {@code /v1/groups/...} over the same {@link Topics}.
 *
 * <p>Reads go straight to the partition's log in the store ({@code <topic>-<partition>}, the layout
 * {@link Topics} documents): a read by offset needs no group, no consumer and no cursor, and the store
 * hands every opener of a log the same instance, so this reader sees exactly what the partition's owner
 * appended. Long polls wait with {@link PartitionLog#awaitAppend}, woken by appends, never by polling.
 *
 * <p>Handlers run on the HTTP server's event loop and never block; {@link Topics} and {@link Producer} are
 * thread-safe.
 */
final class TopicRoutes implements RouteGroup {

  /** Most records in one produce request and in one read. */
  static final int MAX_RECORDS = 1000;
  /** Longest read long poll. */
  static final long MAX_WAIT_MS = 20_000;
  /** Bytes one read gathers at most (beyond the first batch, which is always whole). */
  static final int MAX_READ_BYTES = 4 * 1024 * 1024;

  /** A default config leaves the replication settings out (the store's default): they are accepted too. */
  private static final Set<String> CONFIG_KEYS =
      new TopicConfig().toJson().put("replicationFactor", 0).put("minInSync", 0).fieldNames();
  private static final Set<String> RECORD_KEYS =
      Set.of("key", "keyBase64", "value", "valueBase64", "headers", "partition", "timestamp");

  private final Topics topics;
  private final Producer producer;
  private final LogStore store;
  /** The consumer-group routes share this group's Topics, and must close their consumers before it. */
  private final GroupRoutes groups;
  /** The SockJS bridge's live feeds read this group's Topics too. */
  private final EventBusBridge bridge;
  private final HeaderLimits headerLimits;

  private TopicRoutes(Topics topics, Producer producer, LogStore store, GroupRoutes groups, EventBusBridge bridge,
      HeaderLimits headerLimits) {
    this.headerLimits = headerLimits;
    this.topics = topics;
    this.producer = producer;
    this.store = store;
    this.groups = groups;
    this.bridge = bridge;
  }

  static Future<RouteGroup> open(NodeResources node) {
    return Topics.create(node.vertx(), node.store(), new TopicsOptions()
        .setMaxTopics(node.options().getMaxTopics())
        .setMaxPartitionsPerTopic(node.options().getMaxPartitionsPerTopic())
        .setMaxGroups(node.options().getMaxGroups())
        .setHeaderLimits(node.options().getHeaderLimits())).map(topics -> {
      // A request is answered once its records are stored: linger adds latency without a batching gain
      // under light load, and under heavy load batches fill while one is in flight anyway. A full buffer
      // answers 429 after a short wait instead of holding the request for a minute.
      Producer producer = topics.createProducer(new ProducerOptions()
          .setClientId("http")
          .setLingerMs(0)
          .setMaxBlockMs(5_000));
      GroupRoutes groups = new GroupRoutes(node.vertx(), topics, node.options().getGroupMaxMembers(),
          node.options().getGroupSessionTimeoutMs(), node.options().getStreamHeartbeatMs());
      return new TopicRoutes(topics, producer, node.store(), groups, new EventBusBridge(node.vertx(), topics, node.options()),
          node.options().getHeaderLimits());
    });
  }

  Topics topics() {
    return topics;
  }

  @Override
  public void mount(Router router) {
    router.get("/v1/topics").handler(handle(this::list));
    router.put("/v1/topics/:topic").handler(handle(this::create));
    router.get("/v1/topics/:topic").handler(handle(this::describe));
    router.delete("/v1/topics/:topic").handler(handle(this::delete));
    router.post("/v1/topics/:topic/records").handler(handle(this::produce));
    router.get("/v1/topics/:topic/partitions/:partition/records").handler(handle(this::read));
    groups.mount(router);
    // Middleware (no method): SockJS answers GET and POST on its own sub-paths, none of them in the OpenAPI document.
    // SockJS's own routes are regular expressions, which the request metrics could not name.
    router.route("/eventbus/*").handler(NodeMetrics.routeLabel("/eventbus/*"));
    router.route("/eventbus/*").subRouter(bridge.router());
  }

  @Override
  public Future<Void> close() {
    return groups.close().transform(v -> bridge.close()).transform(v -> producer.close()).transform(ar -> topics.close());
  }

  GroupRoutes groups() {
    return groups;
  }

  EventBusBridge bridge() {
    return bridge;
  }

  private Future<?> list(RoutingContext ctx) {
    return topics.list().onSuccess(names -> HttpJson.respond(ctx, 200, new JsonObject().put("topics", new JsonArray(names))));
  }

  private Future<?> create(RoutingContext ctx) {
    String name = ctx.pathParam("topic");
    JsonObject body = JsonFields.optionalBody(ctx);
    JsonFields.onlyKeys(body, CONFIG_KEYS, "a topic config");
    for (String key : body.fieldNames()) {
      if (!key.equals("fsync")) {
        boolean count = key.equals("partitions") || key.equals("replicationFactor") || key.equals("minInSync");
        JsonFields.wholeNumber(body, key, 0, count ? 1 : Long.MIN_VALUE,
            count || key.endsWith("Bytes") && !key.equals("retentionBytes") ? Integer.MAX_VALUE : Long.MAX_VALUE);
      }
    }
    TopicConfig config = new TopicConfig(body);
    // 201 or 200 tells a client whether this call made the topic; createTopic itself is idempotent.
    return topics.list()
        .compose(existing -> topics.createTopic(name, config)
            .onSuccess(d -> HttpJson.respond(ctx, existing.contains(name) ? 200 : 201, description(d))));
  }

  private Future<?> describe(RoutingContext ctx) {
    return topics.describe(ctx.pathParam("topic")).onSuccess(d -> HttpJson.respond(ctx, 200, description(d)));
  }

  static JsonObject description(TopicDescription d) {
    JsonArray partitions = new JsonArray();
    for (PartitionInfo p : d.partitions()) {
      JsonObject partition = new JsonObject().put("partition", p.partition()).put("startOffset", p.startOffset())
          .put("endOffset", p.endOffset());
      p.replication().ifPresent(r -> partition.put("replication", r.toJson()));
      partitions.add(partition);
    }
    return new JsonObject().put("name", d.name()).put("config", d.config().toJson()).put("partitions", partitions);
  }

  private Future<?> delete(RoutingContext ctx) {
    return topics.delete(ctx.pathParam("topic")).onSuccess(v -> ctx.response().setStatusCode(204).end());
  }

  /** One record of a produce request: where it goes ({@code -1}: the partitioner picks) and what it is. */
  private record Outgoing(int partition, Message message) {
  }

  private Future<?> produce(RoutingContext ctx) {
    String topic = ctx.pathParam("topic");
    JsonObject body = HttpJson.body(ctx);
    JsonFields.onlyKeys(body, Set.of("records"), "a produce request");
    JsonArray items = JsonFields.array(body, "records", MAX_RECORDS);
    List<Outgoing> records = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      records.add(record(JsonFields.objectAt(items, i, "records"), i, headerLimits));
    }
    // Check the topic and every explicit partition first, so a request naming a bad one stores nothing.
    return topics.describe(topic).compose(d -> {
      int partitions = d.partitions().size();
      for (int i = 0; i < records.size(); i++) {
        int p = records.get(i).partition();
        if (p >= partitions) {
          return Future.failedFuture(new SluiceException(ErrorCode.UNKNOWN_PARTITION,
              "records[" + i + "]: topic '" + topic + "' has partitions 0 to " + (partitions - 1) + ", not " + p));
        }
      }
      List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
      for (Outgoing r : records) {
        sends.add(r.partition() < 0 ? producer.send(topic, r.message()) : producer.send(topic, r.partition(), r.message()));
      }
      return Future.all(sends).onSuccess(all -> RecordJson.respond(ctx, RecordJson.offsets(sends)));
    });
  }

  /** One record of a produce request; its headers are checked here so a request with one bad record stores none. */
  private static Outgoing record(JsonObject r, int i, HeaderLimits headerLimits) {
    try {
      JsonFields.onlyKeys(r, RECORD_KEYS, "a record");
      int partition = (int) JsonFields.wholeNumber(r, "partition", -1, 0, Integer.MAX_VALUE);
      long timestamp = JsonFields.wholeNumber(r, "timestamp", Message.NO_TIMESTAMP, 0, Long.MAX_VALUE);
      List<Header> headers = JsonFields.headers(r);
      headerLimits.check(headers);
      Message m = Message.of(JsonFields.bytes(r, "key"), JsonFields.bytes(r, "value")).withHeaders(headers);
      return new Outgoing(partition, timestamp == Message.NO_TIMESTAMP ? m : m.withTimestamp(timestamp));
    } catch (SluiceException e) {
      throw new SluiceException(e.code(), "records[" + i + "]: " + e.getMessage(), e);
    }
  }

  private Future<?> read(RoutingContext ctx) {
    String topic = ctx.pathParam("topic");
    String partitionParam = ctx.pathParam("partition");
    int partition;
    try {
      partition = Integer.parseInt(partitionParam);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("partition must be a whole number, got '" + partitionParam + "'", e);
    }
    if (partition < 0) {
      throw new InvalidArgumentException("partition must be >= 0, got " + partition);
    }
    long offset = HttpJson.queryLong(ctx, "offset", -1, 0, Long.MAX_VALUE);
    int max = (int) HttpJson.queryLong(ctx, "max", 100, 1, MAX_RECORDS);
    long waitMs = HttpJson.queryLong(ctx, "waitMs", 0, 0, MAX_WAIT_MS);
    return topics.describe(topic).compose(d -> {
      if (partition >= d.partitions().size()) {
        return Future.failedFuture(new SluiceException(ErrorCode.UNKNOWN_PARTITION,
            "topic '" + topic + "' has partitions 0 to " + (d.partitions().size() - 1) + ", not " + partition));
      }
      return store.open(topic + "-" + partition, d.config().toLogOptions().setCreateIfMissing(false))
          .compose(log -> {
            long from = offset >= 0 ? offset : d.partitions().get(partition).startOffset();
            return log.read(from, max, MAX_READ_BYTES).compose(records -> {
              if (!records.isEmpty() || waitMs == 0) {
                return Future.succeededFuture(records);
              }
              return log.awaitAppend(from, waitMs).compose(end -> end > from
                  ? log.read(from, max, MAX_READ_BYTES)
                  : Future.succeededFuture(records));
            }).onSuccess(records -> RecordJson.respond(ctx, RecordJson.page(records, partition, from, max)));
          });
    });
  }
}
