package io.sluice.topic.internal;

import io.sluice.api.HeaderLimits;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import io.sluice.api.StoreClosedException;
import io.sluice.api.internal.Promises;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogReplicas;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.StateStore;
import io.sluice.topic.AssignmentStrategy;
import io.sluice.topic.Bridge;
import io.sluice.topic.Consumer;
import io.sluice.topic.ConsumerOptions;
import io.sluice.topic.GroupDescription;
import io.sluice.topic.PartitionInfo;
import io.sluice.topic.Producer;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.TopicConfig;
import io.sluice.topic.TopicDescription;
import io.sluice.topic.TopicPartition;
import io.sluice.topic.Topics;
import io.sluice.topic.TopicsOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node side of topics: opens the {@code __offsets} state log, deploys the {@link TopicRegistry}
 * (which deploys partition owners and group coordinators), and offers admin calls that go to the
 * registry over the event bus like any remote client would. On a replicated store it deploys
 * {@link ClusteredTopics} instead, which runs each of those where the store's leaders are; a {@link #connect}ed
 * client deploys nothing and only talks to those elsewhere. Thread-safe: the client registry is a
 * concurrent set, everything else is immutable or lives in verticles.
 */
public final class TopicsImpl implements Topics {

  private static final long ADMIN_TIMEOUT_MS = 60_000;
  private static final long ADMIN_ATTEMPT_MS = 30_000;

  private final Vertx vertx;
  private final Bus bus;
  private final StateStore offsets;
  private final String registryDeployment;
  private final Set<Object> clients = ConcurrentHashMap.newKeySet();
  private final HeaderLimits headerLimits;
  private volatile Future<Void> closing;

  private TopicsImpl(Vertx vertx, StateStore offsets, String registryDeployment, HeaderLimits headerLimits) {
    this.vertx = vertx;
    this.headerLimits = headerLimits;
    this.bus = new Bus(vertx);
    this.offsets = offsets;
    this.registryDeployment = registryDeployment;
  }

  public static Future<Topics> create(Vertx vertx, LogStore store, TopicsOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(store, "store");
    TopicsOptions opts = new TopicsOptions(options == null ? new TopicsOptions() : options);
    Codecs.register(vertx);
    Map<String, AssignmentStrategy> strategies = new LinkedHashMap<>();
    for (AssignmentStrategy s : List.of(AssignmentStrategy.range(), AssignmentStrategy.roundRobin(), AssignmentStrategy.sticky())) {
      strategies.put(s.name(), s);
    }
    opts.getAssignmentStrategies().forEach(s -> strategies.put(s.name(), s));
    Promise<Topics> result = Promises.onCallerContext();
    if (store.leadership().distributed()) {
      // Owners, registry and coordinators follow the store's leaders (ClusteredTopics); no node-local offsets.
      vertx.deployVerticle(new ClusteredTopics(store, opts, Map.copyOf(strategies)))
          .<Topics>map(id -> new TopicsImpl(vertx, null, id, opts.getHeaderLimits()))
          .onComplete(result);
      return result.future();
    }
    StateStore.open(store, Addresses.OFFSETS_STATE_LOG, new LogOptions().setFsync(opts.getStateFsync()))
        .compose(offsets -> vertx.deployVerticle(new TopicRegistry(store, opts, offsets, Map.copyOf(strategies)))
            .<Topics>map(id -> new TopicsImpl(vertx, offsets, id, opts.getHeaderLimits()))
            .recover(e -> offsets.close().transform(x -> Future.failedFuture(e))))
        .onComplete(result);
    return result.future();
  }

  public static Topics connect(Vertx vertx) {
    Objects.requireNonNull(vertx, "vertx");
    Codecs.register(vertx);
    // The node's own limits are not known here: a client's producers check the defaults before sending.
    return new TopicsImpl(vertx, null, null, HeaderLimits.DEFAULT);
  }

  private void checkOpen() {
    if (closing != null) {
      throw new StoreClosedException("topics are closed");
    }
  }

  private <T> Future<T> admin(String op, JsonObject body, java.util.function.Function<JsonObject, T> decode) {
    try {
      checkOpen();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Promise<T> result = Promises.onCallerContext();
    // The registry may be moving to a new leader of __topics: retry while nobody serves it.
    bus.<JsonObject>callRetrying(Addresses.REGISTRY, op, body, ADMIN_ATTEMPT_MS, ADMIN_TIMEOUT_MS).map(decode).onComplete(result);
    return result.future();
  }

  private static <T> Future<T> validName(String kind, String name, java.util.function.Supplier<Future<T>> call) {
    try {
      Names.validate(kind, name);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return call.get();
  }

  static TopicDescription description(JsonObject json) {
    List<PartitionInfo> parts = new ArrayList<>();
    JsonArray ps = json.getJsonArray("partitions");
    for (int i = 0; i < ps.size(); i++) {
      JsonArray p = ps.getJsonArray(i);
      parts.add(new PartitionInfo(p.getInteger(0), p.getLong(1), p.getLong(2),
          p.size() > 3 ? LogReplicas.fromJson(p.getJsonObject(3)) : null));
    }
    return new TopicDescription(json.getString("name"), new TopicConfig(json.getJsonObject("config")), parts);
  }

  @Override
  public Future<TopicDescription> createTopic(String name, TopicConfig config) {
    if (config == null) {
      return Future.failedFuture(new InvalidArgumentException("topic config is null"));
    }
    return validName("topic", name, () -> admin("create", new JsonObject().put("name", name).put("config", config.toJson()),
        TopicsImpl::description));
  }

  @Override
  public Future<TopicDescription> describe(String name) {
    return validName("topic", name, () -> admin("describe", new JsonObject().put("name", name), TopicsImpl::description));
  }

  @Override
  public Future<List<String>> list() {
    return admin("list", new JsonObject(), j -> Wire.strings(j.getJsonArray("topics")));
  }

  @Override
  public Future<Void> delete(String name) {
    return validName("topic", name, () -> admin("delete", new JsonObject().put("name", name), j -> null));
  }

  @Override
  public Future<TopicDescription> increasePartitions(String name, int partitions) {
    return validName("topic", name, () -> admin("increase", new JsonObject().put("name", name).put("partitions", partitions),
        TopicsImpl::description));
  }

  @Override
  public Future<List<String>> listGroups() {
    return admin("listGroups", new JsonObject(), j -> Wire.strings(j.getJsonArray("groups")));
  }

  @Override
  public Future<GroupDescription> describeGroup(String group) {
    return validName("group", group, () -> admin("describeGroup", new JsonObject().put("group", group), j -> {
      Map<String, List<TopicPartition>> members = new LinkedHashMap<>();
      JsonObject ms = j.getJsonObject("members");
      ms.fieldNames().forEach(id -> members.put(id, Wire.partitions(ms.getJsonArray(id))));
      return new GroupDescription(j.getString("group"), j.getString("state"), j.getInteger("generation"), j.getString("strategy"),
          members, Wire.offsets(j.getJsonArray("committed")));
    }));
  }

  @Override
  public Producer createProducer(ProducerOptions options) {
    checkOpen();
    Object[] self = new Object[1];
    ProducerImpl p = new ProducerImpl(vertx, options == null ? new ProducerOptions() : options, headerLimits,
        () -> clients.remove(self[0]));
    self[0] = p;
    clients.add(p);
    return p;
  }

  @Override
  public Consumer createConsumer(ConsumerOptions options) {
    checkOpen();
    Object[] self = new Object[1];
    ConsumerImpl c = new ConsumerImpl(vertx, options == null ? new ConsumerOptions() : options, () -> clients.remove(self[0]));
    self[0] = c;
    clients.add(c);
    return c;
  }

  @Override
  public Future<Bridge> bridgeToAddress(String topic, String address, ConsumerOptions options) {
    if (address == null || address.isEmpty()) {
      return Future.failedFuture(new InvalidArgumentException("bridge address is empty"));
    }
    return validName("topic", topic, () -> {
      ConsumerOptions opts = new ConsumerOptions(options == null ? new ConsumerOptions() : options);
      Consumer consumer = createConsumer(opts);
      Bridge bridge = Bridges.toAddress(vertx, consumer, address);
      Future<Void> started = opts.getGroupId() != null ? consumer.subscribe(List.of(topic))
          : describe(topic).compose(d -> consumer.assign(Bridges.allPartitions(topic, d.partitions().size())));
      Promise<Bridge> result = Promises.onCallerContext();
      started.<Bridge>map(v -> bridge).recover(e -> consumer.close().transform(x -> Future.failedFuture(e))).onComplete(result);
      return result.future();
    });
  }

  @Override
  public Future<Bridge> bridgeFromAddress(String address, String topic, ProducerOptions options) {
    if (address == null || address.isEmpty()) {
      return Future.failedFuture(new InvalidArgumentException("bridge address is empty"));
    }
    return validName("topic", topic, () -> {
      Promise<Bridge> result = Promises.onCallerContext();
      describe(topic).compose(d -> Bridges.fromAddress(vertx, createProducer(options), address, topic)).<Bridge>map(inner -> {
        Bridge[] self = new Bridge[1];
        self[0] = () -> {
          clients.remove(self[0]);
          return inner.close();
        };
        clients.add(self[0]);
        return self[0];
      }).onComplete(result);
      return result.future();
    });
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      List<Future<Void>> closes = new ArrayList<>();
      for (Object c : new ArrayList<>(clients)) {
        if (c instanceof Bridge bridge) {
          closes.add(bridge.close());
        } else if (c instanceof Consumer consumer) {
          closes.add(consumer.close());
        } else if (c instanceof Producer producer) {
          closes.add(producer.close());
        }
      }
      Promise<Void> result = Promise.promise();
      Future.join(closes)
          .transform(v -> registryDeployment != null && vertx.deploymentIDs().contains(registryDeployment)
              ? vertx.undeploy(registryDeployment) : Future.succeededFuture())
          .transform(v -> offsets == null ? Future.succeededFuture() : offsets.close())
          .onComplete(result);
      closing = result.future();
    }
    Promise<Void> mine = Promises.onCallerContext();
    closing.onComplete(mine);
    return mine.future();
  }
}
