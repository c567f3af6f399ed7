package io.sluice.broker.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.Header;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.api.SluiceException;
import io.sluice.queue.Delivery;
import io.sluice.queue.QueueConfig;
import io.sluice.queue.QueueHeaders;
import io.sluice.queue.QueueStats;
import io.sluice.queue.Queues;
import io.sluice.queue.QueuesOptions;
import io.sluice.queue.SendOptions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The queue routes, {@code /v1/queues/...}, over the node's {@link Queues}: create, list, describe,
 * delete, send (a batch, stored all or nothing), receive (long poll) and ack/nack by receipt.
 *
 * <p>Per-message send settings ({@code delayMs}, {@code groupKey}, {@code dedupId}, {@code ttlMs}) travel as
 * the queue's reserved headers ({@link QueueHeaders}), so one request with different settings per message
 * is still one atomic batch.
 *
 * <p>Handlers run on the HTTP server's event loop and never block; {@link Queues} is thread-safe.
 */
final class QueueRoutes implements RouteGroup {

  /** Most messages in one send request, and most deliveries in one receive. */
  static final int MAX_BATCH = 1000;
  /** Longest receive long poll (like SQS's 20 s): shorter than any proxy's idle timeout. */
  static final long MAX_WAIT_MS = 20_000;

  /** A default config leaves these out: no dead-letter queue, the store's replication defaults. */
  private static final Set<String> CONFIG_KEYS = new QueueConfig().toJson().put("deadLetterQueue", "")
      .put("replicationFactor", 0).put("minInSync", 0).fieldNames();
  private static final Set<String> MESSAGE_KEYS =
      Set.of("value", "valueBase64", "key", "keyBase64", "headers", "delayMs", "ttlMs", "groupKey", "dedupId");

  private final Queues queues;

  private QueueRoutes(Queues queues) {
    this.queues = queues;
  }

  static Future<RouteGroup> open(NodeResources node) {
    return Queues.create(node.vertx(), node.store(), new QueuesOptions().setMaxQueues(node.options().getMaxQueues())
        .setHeaderLimits(node.options().getHeaderLimits())).map(QueueRoutes::new);
  }

  Queues queues() {
    return queues;
  }

  @Override
  public void mount(Router router) {
    router.get("/v1/queues").handler(handle(this::list));
    router.put("/v1/queues/:queue").handler(handle(this::create));
    router.get("/v1/queues/:queue").handler(handle(this::describe));
    router.delete("/v1/queues/:queue").handler(handle(this::delete));
    router.post("/v1/queues/:queue/messages").handler(handle(this::send));
    router.post("/v1/queues/:queue/receive").handler(handle(this::receive));
    router.post("/v1/queues/:queue/ack").handler(handle(this::ack));
    router.post("/v1/queues/:queue/nack").handler(handle(this::nack));
  }

  @Override
  public Future<Void> close() {
    return queues.close();
  }

  /** Runs a handler so that a thrown or failed {@link SluiceException} becomes its error answer. */
  static io.vertx.core.Handler<RoutingContext> handle(Function<RoutingContext, Future<?>> handler) {
    return ctx -> {
      Future<?> done;
      try {
        done = handler.apply(ctx);
      } catch (RuntimeException e) {
        HttpErrors.respond(ctx, e);
        return;
      }
      done.onFailure(e -> HttpErrors.respond(ctx, e));
    };
  }

  private Future<?> list(RoutingContext ctx) {
    return queues.list().onSuccess(names -> HttpJson.respond(ctx, 200, new JsonObject().put("queues", new JsonArray(names))));
  }

  private Future<?> create(RoutingContext ctx) {
    String name = ctx.pathParam("queue");
    JsonObject body = JsonFields.optionalBody(ctx);
    JsonFields.onlyKeys(body, CONFIG_KEYS, "a queue config");
    for (String key : body.fieldNames()) {
      if (!key.equals("deadLetterQueue") && !key.equals("fsync") && !key.equals("overflow")) {
        boolean count = key.equals("replicationFactor") || key.equals("minInSync");
        JsonFields.wholeNumber(body, key, 0, count ? 1 : Long.MIN_VALUE, count ? Integer.MAX_VALUE : Long.MAX_VALUE);
      }
    }
    QueueConfig config = new QueueConfig(body);
    // 201 or 200 tells a client whether this call made the queue; createQueue itself is idempotent.
    return queues.list()
        .compose(existing -> queues.createQueue(name, config)
            .onSuccess(c -> HttpJson.respond(ctx, existing.contains(name) ? 200 : 201,
                new JsonObject().put("name", name).put("config", c.toJson()))));
  }

  private Future<?> describe(RoutingContext ctx) {
    return queues.describe(ctx.pathParam("queue")).onSuccess(s -> HttpJson.respond(ctx, 200, stats(s)));
  }

  static JsonObject stats(QueueStats s) {
    JsonObject stats = new JsonObject()
        .put("name", s.name())
        .put("config", s.config().toJson())
        .put("depth", s.depth())
        .put("ready", s.ready())
        .put("inFlight", s.inFlight())
        .put("delayed", s.delayed())
        .put("consumers", s.consumers())
        .put("bytes", s.bytes())
        .put("storedBytes", s.storedBytes())
        .put("oldestMessageAgeMs", s.oldestMessageAgeMs())
        .put("deadLetterDepth", s.deadLetterDepth());
    s.replication().ifPresent(r -> stats.put("replication", r.toJson()));
    return stats;
  }

  private Future<?> delete(RoutingContext ctx) {
    return queues.delete(ctx.pathParam("queue")).onSuccess(v -> ctx.response().setStatusCode(204).end());
  }

  private Future<?> send(RoutingContext ctx) {
    String queue = ctx.pathParam("queue");
    JsonObject body = HttpJson.body(ctx);
    JsonFields.onlyKeys(body, Set.of("messages"), "a send request");
    JsonArray items = JsonFields.array(body, "messages", MAX_BATCH);
    List<Message> messages = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      messages.add(message(JsonFields.objectAt(items, i, "messages"), i));
    }
    return queues.sendBatch(queue, messages).onSuccess(ids -> HttpJson.respond(ctx, 200, new JsonObject().put("ids", new JsonArray(ids))));
  }

  private static Message message(JsonObject m, int i) {
    try {
      JsonFields.onlyKeys(m, MESSAGE_KEYS, "a message");
      Buffer value = JsonFields.bytes(m, "value");
      if (value == null) {
        throw new InvalidArgumentException("a message needs 'value' or 'valueBase64'");
      }
      List<Header> headers = new ArrayList<>(JsonFields.headers(m));
      // The setters check ranges; their values then travel as the reserved headers.
      SendOptions checked = new SendOptions()
          .setDelayMs(JsonFields.wholeNumber(m, "delayMs", 0, 0, SendOptions.MAX_DELAY_MS))
          .setTtlMs(JsonFields.wholeNumber(m, "ttlMs", 0, 0, Long.MAX_VALUE))
          .setGroup(JsonFields.string(m, "groupKey"))
          .setDedupId(JsonFields.string(m, "dedupId"));
      if (checked.getDelayMs() > 0) {
        headers.add(Header.of(QueueHeaders.DELAY_MS, Long.toString(checked.getDelayMs())));
      }
      if (checked.getTtlMs() > 0) {
        headers.add(Header.of(QueueHeaders.TTL_MS, Long.toString(checked.getTtlMs())));
      }
      if (checked.getGroup() != null) {
        headers.add(Header.of(QueueHeaders.GROUP, checked.getGroup()));
      }
      if (checked.getDedupId() != null) {
        headers.add(Header.of(QueueHeaders.DEDUP_ID, checked.getDedupId()));
      }
      return Message.of(JsonFields.bytes(m, "key"), value).withHeaders(headers);
    } catch (SluiceException e) {
      throw new SluiceException(e.code(), "messages[" + i + "]: " + e.getMessage(), e);
    }
  }

  private Future<?> receive(RoutingContext ctx) {
    String queue = ctx.pathParam("queue");
    JsonObject body = JsonFields.optionalBody(ctx);
    JsonFields.onlyKeys(body, Set.of("max", "waitMs", "visibilityTimeoutMs"), "a receive request");
    int max = (int) JsonFields.wholeNumber(body, "max", 1, 1, MAX_BATCH);
    long waitMs = JsonFields.wholeNumber(body, "waitMs", 0, 0, MAX_WAIT_MS);
    long visibilityMs = JsonFields.wholeNumber(body, "visibilityTimeoutMs", 0, 1, QueueConfig.MAX_VISIBILITY_TIMEOUT_MS);
    // The leases are taken with the caller's timeout from the start: no window in which the queue's default applies.
    Future<List<Delivery>> received = visibilityMs == 0
        ? queues.receive(queue, max, waitMs)
        : queues.receive(queue, max, waitMs, visibilityMs);
    return received
        .compose(deliveries -> {
          if (ctx.response().closed()) {
            // The client left during the long poll: hand the messages back now rather than after their lease.
            if (!deliveries.isEmpty()) {
              queues.nack(deliveries.stream().map(Delivery::receipt).toList(), 0);
            }
            return Future.succeededFuture();
          }
          JsonArray out = new JsonArray();
          for (Delivery d : deliveries) {
            JsonObject m = new JsonObject().put("id", d.id()).put("receipt", d.receipt())
                .put("deliveryCount", d.deliveryCount()).put("timestamp", d.timestamp());
            if (d.key() != null) {
              JsonFields.putBytes(m, "key", d.key());
            }
            JsonFields.putBytes(m, "value", d.value());
            JsonFields.putHeaders(m, d.headers());
            out.add(m);
          }
          HttpJson.respond(ctx, 200, new JsonObject().put("messages", out));
          return Future.succeededFuture();
        });
  }

  private Future<?> ack(RoutingContext ctx) {
    JsonObject body = HttpJson.body(ctx);
    JsonFields.onlyKeys(body, Set.of("receipts"), "an ack request");
    List<String> receipts = receipts(ctx.pathParam("queue"), body);
    return queues.ack(receipts).onSuccess(v -> ctx.response().setStatusCode(204).end());
  }

  private Future<?> nack(RoutingContext ctx) {
    JsonObject body = HttpJson.body(ctx);
    JsonFields.onlyKeys(body, Set.of("receipts", "delayMs"), "a nack request");
    List<String> receipts = receipts(ctx.pathParam("queue"), body);
    long delayMs = JsonFields.wholeNumber(body, "delayMs", 0, 0, SendOptions.MAX_DELAY_MS);
    return queues.nack(receipts, delayMs).onSuccess(v -> ctx.response().setStatusCode(204).end());
  }

  /** The receipts, each of this route's queue: settling another queue's message through this URL is refused. */
  private static List<String> receipts(String queue, JsonObject body) {
    JsonArray items = JsonFields.array(body, "receipts", MAX_BATCH);
    List<String> out = new ArrayList<>(items.size());
    String prefix = queue + ":";
    for (int i = 0; i < items.size(); i++) {
      String r = JsonFields.stringAt(items, i, "receipts");
      if (!r.startsWith(prefix)) {
        throw new SluiceException(ErrorCode.UNKNOWN_RECEIPT, "receipts[" + i + "] is not a receipt of queue '" + queue + "'");
      }
      out.add(r);
    }
    return out;
  }
}
