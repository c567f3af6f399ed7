package io.sluice.queue.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.api.Names;
import io.sluice.api.RecordBatch;
import io.sluice.api.SluiceException;
import io.sluice.api.store.LogReplicas;
import io.sluice.api.store.LogStore;
import io.sluice.queue.AckMode;
import io.sluice.queue.BindOptions;
import io.sluice.queue.ConsumerOptions;
import io.sluice.queue.Delivery;
import io.sluice.queue.QueueBinding;
import io.sluice.queue.QueueConfig;
import io.sluice.queue.QueueConsumer;
import io.sluice.queue.QueueStats;
import io.sluice.queue.Queues;
import io.sluice.queue.QueuesOptions;
import io.sluice.queue.SendOptions;
import io.sluice.queue.internal.Receipts.Receipt;
import io.sluice.queue.internal.Wire.DeliveryBatch;
import io.sluice.queue.internal.Wire.DeliveryFrame;
import io.sluice.queue.internal.Wire.ReceiveRequest;
import io.sluice.queue.internal.Wire.SendReply;
import io.sluice.queue.internal.Wire.SendRequest;
import io.sluice.queue.internal.Wire.SettleRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The {@link Queues} client: validates arguments, encodes requests and sends them to the queue owners
 * and the registry over the event bus, and decodes typed failures. It owns the registry deployment
 * (and through it the owners) and the consumers and bindings it created.
 *
 * <p>Thread contract: thread-safe (state is the immutable options plus a concurrent set of consumers).
 */
public final class QueuesImpl implements Queues {

  /** The longest queue name: the log names add a prefix of up to 3 characters to the 249 a log may have. */
  public static final int MAX_NAME_LENGTH = 246;

  /**
   * Names that passed {@link #validateName}: every send, pull and settled receipt names its queue, and
   * a valid name stays valid, so the rule (a regex) runs once per distinct name. Bounded so that a
   * client cycling through endless names does not grow it; past the bound names are just checked.
   */
  private static final Set<String> VALID_NAMES = ConcurrentHashMap.newKeySet();
  private static final int MAX_VALID_NAMES = 4096;
  private static final long RETRY_BACKOFF_MS = 100;
  /** How long a clustered request retries while its owner moves (failure detection plus election take seconds). */
  static final long CLUSTER_RETRY_MS = 30_000;

  private final Vertx vertx;
  /** Null in a client connected to owners elsewhere. */
  private final LogStore store;
  private final QueuesOptions options;
  private final EventBus bus;
  /** Shared by every request to an owner; the event bus only reads it. */
  private final DeliveryOptions ownerDelivery;
  private final Set<Object> closeables = ConcurrentHashMap.newKeySet();
  private volatile String registryDeployment;
  private volatile boolean closed;
  /** On a replicated store owners and the registry move with their logs' leaders: requests retry while they do. */
  private final boolean clustered;

  private QueuesImpl(Vertx vertx, LogStore store, QueuesOptions options, boolean clustered) {
    this.vertx = vertx;
    this.store = store;
    this.options = options;
    this.clustered = clustered;
    this.bus = vertx.eventBus();
    this.ownerDelivery = timeout(0);
  }

  public static Future<Queues> create(Vertx vertx, LogStore store, QueuesOptions options) {
    Wire.registerCodecs(vertx);
    boolean clustered = store.leadership().distributed();
    QueuesImpl queues = new QueuesImpl(vertx, store, options, clustered);
    if (clustered) {
      // Every node runs this; the registry and each owner run only where their log's leader is.
      return vertx.deployVerticle(new ClusteredQueues(store, options)).map(id -> {
        queues.registryDeployment = id;
        return queues;
      });
    }
    return QueueRegistry.checkAddressFree(vertx, options)
        .compose(v -> vertx.deployVerticle(new QueueRegistry(store, options, false))).map(id -> {
      queues.registryDeployment = id;
      return queues;
    });
  }

  /** A client of owners deployed elsewhere: requests retry as on a replicated store, since owners there move. */
  public static Queues connect(Vertx vertx, QueuesOptions options) {
    Wire.registerCodecs(vertx);
    return new QueuesImpl(vertx, null, options, true);
  }

  static String ownerAddress(String base, String queue) {
    return base + "." + queue;
  }

  static String adminAddress(String base) {
    return base + ":admin";
  }

  String consumerAddress(String id) {
    return options.getAddress() + ":c:" + id;
  }

  static String validateName(String name) {
    if (name != null && VALID_NAMES.contains(name)) {
      return name;
    }
    Names.validate("queue", name);
    if (name.length() > MAX_NAME_LENGTH) {
      throw new InvalidArgumentException(ErrorCode.INVALID_NAME, "queue name longer than " + MAX_NAME_LENGTH
          + " characters", null);
    }
    if (VALID_NAMES.size() < MAX_VALID_NAMES) {
      VALID_NAMES.add(name);
    }
    return name;
  }

  QueuesOptions options() {
    return options;
  }

  Vertx vertx() {
    return vertx;
  }

  /** Whether owners move between nodes (a replicated store): push consumers then follow them. */
  boolean clustered() {
    return clustered;
  }

  // ---- requests ----

  <T> Future<T> request(String queue, String address, Object body, DeliveryOptions delivery) {
    if (closed) {
      return Future.failedFuture(new SluiceException(ErrorCode.STORE_CLOSED, "queues client is closed"));
    }
    Future<io.vertx.core.eventbus.Message<T>> sent = clustered ? retrying(vertx, () -> bus.<T>request(address, body, delivery))
        : bus.<T>request(address, body, delivery);
    return sent.transform(ar -> ar.succeeded()
        ? Future.succeededFuture(ar.result().body())
        : Future.failedFuture(Failures.fromReply(ar.cause(), queue)));
  }

  /**
   * {@code call} again while nobody serves the address or the request timed out (its owner moving to a new
   * leader, or on a node that died), for at most {@value #CLUSTER_RETRY_MS} ms; each attempt resolves the
   * address anew. A send retried after a timeout may be stored twice (delivery is at least once).
   */
  static <T> Future<io.vertx.core.eventbus.Message<T>> retrying(Vertx vertx, Supplier<Future<io.vertx.core.eventbus.Message<T>>> call) {
    return retryUntil(vertx, call, System.currentTimeMillis() + CLUSTER_RETRY_MS);
  }

  private static <T> Future<io.vertx.core.eventbus.Message<T>> retryUntil(Vertx vertx, Supplier<Future<io.vertx.core.eventbus.Message<T>>> call, long deadline) {
    return call.get().recover(e -> {
      boolean moving = e instanceof ReplyException re
          && (re.failureType() == ReplyFailure.NO_HANDLERS || re.failureType() == ReplyFailure.TIMEOUT);
      if (!moving || System.currentTimeMillis() + RETRY_BACKOFF_MS >= deadline) {
        return Future.failedFuture(e);
      }
      return vertx.timer(RETRY_BACKOFF_MS).compose(x -> retryUntil(vertx, call, deadline));
    });
  }

  private <T> Future<T> toOwner(String queue, Object body) {
    return request(queue, ownerAddress(options.getAddress(), queue), body, ownerDelivery);
  }

  private DeliveryOptions timeout(long extraMs) {
    return new DeliveryOptions().setSendTimeout(options.getRequestTimeoutMs() + extraMs);
  }

  private <T> Future<T> admin(JsonObject req) {
    return request(req.getString("name", "(admin)"), adminAddress(options.getAddress()), req, timeout(0));
  }

  private static <T> Future<T> attempt(java.util.function.Supplier<Future<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  // ---- admin ----

  @Override
  public Future<QueueConfig> createQueue(String name, QueueConfig config) {
    return attempt(() -> {
      validateName(name);
      if (config == null) {
        throw new InvalidArgumentException("config is null");
      }
      return this.<JsonObject>admin(new JsonObject().put("action", "create").put("name", name).put("config", config.toJson()))
          .map(QueueConfig::new);
    });
  }

  @Override
  public Future<QueueStats> describe(String name) {
    return attempt(() -> {
      validateName(name);
      return this.<JsonObject>request(name, ownerAddress(options.getAddress(), name), new JsonObject(),
          timeout(0).addHeader(QueueOwner.ADMIN_HEADER, "describe")).compose(json -> {
            QueueConfig config = new QueueConfig(json.getJsonObject("config"));
            Future<Long> dlqDepth = config.getDeadLetterQueue() == null ? Future.succeededFuture(-1L)
                : describe(config.getDeadLetterQueue()).map(QueueStats::depth).otherwise(-1L);
            // A connected client holds no store: the placement is only known on the nodes.
            Future<Optional<LogReplicas>> replicas = store == null ? Future.succeededFuture(Optional.empty())
                : store.replicas(QueueOwner.dataLogName(name));
            return Future.all(dlqDepth, replicas).map(x -> new QueueStats(name, config, json.getLong("depth"),
                json.getLong("ready"), json.getLong("inFlight"), json.getLong("delayed"), json.getInteger("consumers"),
                json.getLong("bytes"), json.getLong("storedBytes"), json.getLong("oldestMessageAgeMs"), dlqDepth.result(),
                replicas.result().orElse(null)));
          });
    });
  }

  @Override
  public Future<List<String>> list() {
    return this.<JsonArray>admin(new JsonObject().put("action", "list")).map(a -> {
      List<String> names = new ArrayList<>(a.size());
      a.forEach(n -> names.add((String) n));
      return names;
    });
  }

  @Override
  public Future<Long> purge(String name) {
    return attempt(() -> {
      validateName(name);
      return request(name, ownerAddress(options.getAddress(), name), new JsonObject(),
          timeout(0).addHeader(QueueOwner.ADMIN_HEADER, "purge"));
    });
  }

  @Override
  public Future<Void> delete(String name) {
    return attempt(() -> {
      validateName(name);
      return this.<Object>admin(new JsonObject().put("action", "delete").put("name", name)).mapEmpty();
    });
  }

  // ---- send ----

  @Override
  public Future<Long> send(String queue, Message message, SendOptions options) {
    return attempt(() -> {
      validateName(queue);
      if (message == null) {
        throw new InvalidArgumentException("message is null");
      }
      Message stored = MessageProps.withOptions(message, options);
      this.options.getHeaderLimits().check(stored);
      RecordBatch batch = RecordBatch.of(List.of(stored));
      return this.<SendReply>toOwner(queue, new SendRequest(batch)).map(r -> r.ids()[0]);
    });
  }

  @Override
  public Future<List<Long>> sendBatch(String queue, List<Message> messages, SendOptions options) {
    return attempt(() -> {
      validateName(queue);
      if (messages == null || messages.isEmpty()) {
        throw new InvalidArgumentException("a batch needs at least one message");
      }
      if (options != null && options.getDedupId() != null) {
        throw new InvalidArgumentException("a dedup id applies to one message: set the "
            + io.sluice.queue.QueueHeaders.DEDUP_ID + " header on each message of a batch instead");
      }
      RecordBatch.Builder b = RecordBatch.builder();
      for (Message m : messages) {
        if (m == null) {
          throw new InvalidArgumentException("a batch holds a null message");
        }
        Message stored = MessageProps.withOptions(m, options);
        this.options.getHeaderLimits().check(stored);
        b.add(stored);
      }
      return this.<SendReply>toOwner(queue, new SendRequest(b.build())).map(r -> {
        List<Long> ids = new ArrayList<>(r.ids().length);
        for (long id : r.ids()) {
          ids.add(id);
        }
        return ids;
      });
    });
  }

  // ---- receive ----

  @Override
  public Future<QueueConsumer> consumer(String queue, ConsumerOptions options) {
    return attempt(() -> {
      validateName(queue);
      return QueueConsumerImpl.open(this, queue, new ConsumerOptions(options == null ? new ConsumerOptions() : options))
          .map(c -> {
            closeables.add(c);
            return (QueueConsumer) c;
          });
    });
  }

  void forget(Object closeable) {
    closeables.remove(closeable);
  }

  @Override
  public Future<List<Delivery>> receive(String queue, int max, long waitMs) {
    return receiveLeased(queue, max, waitMs, 0);
  }

  @Override
  public Future<List<Delivery>> receive(String queue, int max, long waitMs, long visibilityTimeoutMs) {
    if (visibilityTimeoutMs < 1 || visibilityTimeoutMs > QueueConfig.MAX_VISIBILITY_TIMEOUT_MS) {
      return Future.failedFuture(new InvalidArgumentException("visibilityTimeoutMs must be between 1 and "
          + QueueConfig.MAX_VISIBILITY_TIMEOUT_MS + ", got " + visibilityTimeoutMs));
    }
    return receiveLeased(queue, max, waitMs, visibilityTimeoutMs);
  }

  /** {@code visibilityMs} 0: the queue's own visibility timeout. */
  private Future<List<Delivery>> receiveLeased(String queue, int max, long waitMs, long visibilityMs) {
    return attempt(() -> {
      validateName(queue);
      if (max < 1) {
        throw new InvalidArgumentException("max must be >= 1, got " + max);
      }
      if (waitMs < 0) {
        throw new InvalidArgumentException("waitMs must be >= 0, got " + waitMs);
      }
      return this.<DeliveryBatch>request(queue, ownerAddress(options.getAddress(), queue),
          new ReceiveRequest(max, waitMs, visibilityMs), timeout(waitMs)).map(b -> deliveries(b));
    });
  }

  List<Delivery> deliveries(DeliveryBatch batch) {
    List<Delivery> out = new ArrayList<>(batch.frames().size());
    for (DeliveryFrame f : batch.frames()) {
      out.add(new DeliveryImpl(this, batch.queue(), f));
    }
    return out;
  }

  // ---- settle ----

  @Override
  public Future<Void> ack(List<String> receipts) {
    return settle(Wire.ACK, receipts, 0);
  }

  @Override
  public Future<Void> nack(List<String> receipts, long delayMs) {
    InvalidArgumentException bad = checkSettleArg(Wire.NACK, delayMs);
    return bad != null ? Future.failedFuture(bad) : settle(Wire.NACK, receipts, delayMs);
  }

  @Override
  public Future<Void> extend(String receipt, long ms) {
    InvalidArgumentException bad = checkSettleArg(Wire.EXTEND, ms);
    return bad != null ? Future.failedFuture(bad) : settle(Wire.EXTEND, List.of(receipt), ms);
  }

  private static InvalidArgumentException checkSettleArg(byte kind, long arg) {
    if (kind == Wire.NACK && (arg < 0 || arg > SendOptions.MAX_DELAY_MS)) {
      return new InvalidArgumentException("nack delay must be between 0 and " + SendOptions.MAX_DELAY_MS
          + " ms, got " + arg);
    }
    if (kind == Wire.EXTEND && (arg < 1 || arg > QueueConfig.MAX_VISIBILITY_TIMEOUT_MS)) {
      return new InvalidArgumentException("lease extension must be between 1 and "
          + QueueConfig.MAX_VISIBILITY_TIMEOUT_MS + " ms, got " + arg);
    }
    return null;
  }

  /**
   * Settles the lease of one delivery this client holds, without a receipt string to format and parse
   * back: its queue name was checked when the delivery was asked for.
   */
  Future<Void> settleLease(byte kind, String queue, long offset, long token, long arg) {
    InvalidArgumentException bad = checkSettleArg(kind, arg);
    if (bad != null) {
      return Future.failedFuture(bad);
    }
    return toOwner(queue, new SettleRequest(kind, arg, new long[] {offset}, new long[] {token}));
  }

  /** The receipts of one queue in a settle call, as the columns of its request. */
  private static final class Leases {
    final String queue;
    long[] offsets;
    long[] tokens;
    int size;

    Leases(String queue, int capacity) {
      this.queue = queue;
      this.offsets = new long[capacity];
      this.tokens = new long[capacity];
    }

    void add(long offset, long token) {
      if (size == offsets.length) {
        offsets = Arrays.copyOf(offsets, size * 2);
        tokens = Arrays.copyOf(tokens, size * 2);
      }
      offsets[size] = offset;
      tokens[size] = token;
      size++;
    }

    SettleRequest request(byte kind, long arg) {
      return new SettleRequest(kind, arg, size == offsets.length ? offsets : Arrays.copyOf(offsets, size),
          size == tokens.length ? tokens : Arrays.copyOf(tokens, size));
    }
  }

  private Future<Void> settle(byte kind, List<String> receipts, long arg) {
    return attempt(() -> {
      if (receipts == null) {
        throw new InvalidArgumentException("receipts is null");
      }
      if (receipts.isEmpty()) {
        return Future.succeededFuture();
      }
      // A batch almost always holds receipts of one queue: the previous receipt's queue is tried first,
      // and the map of queues is only made when a second queue shows up.
      Leases last = null;
      Map<String, Leases> byQueue = null;
      for (String text : receipts) {
        Receipt r = Receipts.parse(text, last == null ? null : last.queue);
        if (last == null || r.queue() != last.queue) {
          Leases known = byQueue == null ? null : byQueue.get(r.queue());
          if (known == null) {
            known = new Leases(validateName(r.queue()), last == null ? receipts.size() : 16);
            if (last != null && byQueue == null) {
              byQueue = new LinkedHashMap<>();
              byQueue.put(last.queue, last);
            }
            if (byQueue != null) {
              byQueue.put(known.queue, known);
            }
          }
          last = known;
        }
        last.add(r.offset(), r.token());
      }
      if (byQueue == null) {
        return this.<Object>toOwner(last.queue, last.request(kind, arg)).<Void>mapEmpty();
      }
      List<Future<Object>> parts = new ArrayList<>(byQueue.size());
      for (Leases leases : byQueue.values()) {
        parts.add(toOwner(leases.queue, leases.request(kind, arg)));
      }
      return Future.all(parts).transform(ar -> {
        if (ar.succeeded()) {
          return Future.succeededFuture();
        }
        // Report the first failure as it is (a typed error), not wrapped.
        for (Future<Object> p : parts) {
          if (p.failed()) {
            return Future.failedFuture(p.cause());
          }
        }
        return Future.failedFuture(ar.cause());
      });
    });
  }

  // ---- event bus ----

  @Override
  public Future<QueueBinding> bindToAddress(String queue, String address, BindOptions options) {
    return attempt(() -> {
      validateName(queue);
      if (address == null || address.isEmpty()) {
        throw new InvalidArgumentException("address is empty");
      }
      BindOptions o = options == null ? new BindOptions() : options;
      ConsumerOptions co = new ConsumerOptions().setAckMode(AckMode.CLIENT).setPrefetch(o.getPrefetch())
          .setVisibilityTimeoutMs(2 * o.getReplyTimeoutMs());
      return QueueConsumerImpl.open(this, queue, co).map(c -> {
        QueueBindingImpl binding = new QueueBindingImpl(this, c, address, o);
        closeables.add(binding);
        return (QueueBinding) binding;
      });
    });
  }

  @Override
  public String address(String queue) {
    return ownerAddress(options.getAddress(), validateName(queue));
  }

  @Override
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (Object c : new ArrayList<>(closeables)) {
      if (c instanceof QueueConsumerImpl consumer) {
        closing.add(consumer.close());
      } else if (c instanceof QueueBindingImpl binding) {
        closing.add(binding.close());
      }
    }
    closeables.clear();
    return Future.join(closing).transform(v -> {
      closed = true;
      String id = registryDeployment;
      return id == null ? Future.<Void>succeededFuture() : vertx.undeploy(id);
    });
  }
}
