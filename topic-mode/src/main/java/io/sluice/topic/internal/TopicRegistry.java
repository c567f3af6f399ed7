package io.sluice.topic.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import io.sluice.api.NotFoundException;
import io.sluice.api.SluiceException;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogReplicas;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.StateStore;
import io.sluice.topic.AssignmentStrategy;
import io.sluice.topic.TopicConfig;
import io.sluice.topic.TopicsOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The registry of topics on this node, at {@link Addresses#REGISTRY}: the single writer of topic metadata
 * (kept in the {@code __topics} state log: topic name to its config), which deploys one
 * {@link PartitionOwner} per partition and one {@link GroupCoordinator} per group on first use.
 *
 * <p>Operations (header {@code op}): {@code create}, {@code describe}, {@code list}, {@code delete},
 * {@code increase}, {@code metadata} (partition counts for clients and coordinators),
 * {@code findCoordinator}, {@code listGroups}, {@code describeGroup}. Changes are applied one at a time
 * (each waits for the previous), and the metadata is written before owners are deployed, so after a
 * crash a restart deploys what was acknowledged; {@code delete} drops the logs before it forgets the topic,
 * so a crash mid-delete leaves a topic to delete again rather than orphaned logs.
 *
 * <p>On a replicated store ({@link io.sluice.api.store.Leadership#distributed()}) one registry runs in the
 * cluster, on the node leading {@code __topics} ({@link ClusteredTopics} deploys and undeploys it), and the
 * group coordinators run beside it: it then opens the one {@code __offsets} state log itself (its single
 * writer, wherever that log's leader is), creates partition logs but deploys no owners (each node runs the
 * owners of the partitions it leads), and answers {@code layout} (every topic's config) for those nodes.
 *
 * <p>Thread contract: confined to the verticle's context.
 */
final class TopicRegistry extends VerticleBase {

  private final LogStore store;
  private final TopicsOptions options;
  private final boolean clustered;
  private StateStore offsets;
  private final Map<String, AssignmentStrategy> strategies;
  private final TreeMap<String, TopicConfig> topics = new TreeMap<>();
  /** Per topic, the owner deployment id of each partition. */
  private final Map<String, List<String>> owners = new HashMap<>();
  private final Map<String, Future<String>> coordinators = new HashMap<>();
  private StateStore topicState;
  private MessageConsumer<Object> consumer;
  private Bus bus;
  private Future<?> changes = Future.succeededFuture();

  /** @param offsets the node's offsets state, or null on a replicated store (the registry opens it while it runs) */
  TopicRegistry(LogStore store, TopicsOptions options, StateStore offsets, Map<String, AssignmentStrategy> strategies) {
    this.store = store;
    this.options = options;
    this.offsets = offsets;
    this.clustered = offsets == null;
    this.strategies = strategies;
  }

  @Override
  public Future<?> start() {
    bus = new Bus(vertx);
    Future<Void> offsetsReady = !clustered ? Future.succeededFuture()
        : StateStore.open(store, Addresses.OFFSETS_STATE_LOG, new LogOptions().setFsync(options.getStateFsync()))
            .map(s -> {
              offsets = s;
              return null;
            });
    return offsetsReady.compose(x -> StateStore.open(store, Addresses.TOPICS_STATE_LOG, new LogOptions().setFsync(options.getStateFsync())))
        .compose(s -> {
          topicState = s;
          List<Future<Void>> deployed = new ArrayList<>();
          s.entries("").forEach((name, value) -> {
            TopicConfig config = new TopicConfig(new JsonObject(value));
            topics.put(name, config);
            owners.put(name, new ArrayList<>());
            deployed.add(deployOwners(name, 0, config.getPartitions()));
          });
          return Future.all(deployed);
        })
        .compose(v -> {
          consumer = vertx.eventBus().consumer(Addresses.REGISTRY, this::handle);
          return consumer.completion();
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregistered.transform(v -> changes.transform(c -> {
      List<Future<?>> undeploys = new ArrayList<>();
      coordinators.values().forEach(f -> undeploys.add(f.compose(this::undeploy)));
      owners.values().forEach(ids -> ids.forEach(id -> undeploys.add(undeploy(id))));
      return Future.join(undeploys);
    })).transform(v -> topicState == null ? Future.succeededFuture() : topicState.close())
        .transform(v -> clustered && offsets != null ? offsets.close() : Future.succeededFuture());
  }

  private Future<Void> undeploy(String id) {
    return vertx.deploymentIDs().contains(id) ? vertx.undeploy(id).recover(e -> Future.succeededFuture()) : Future.succeededFuture();
  }

  private void handle(Message<Object> msg) {
    String op = msg.headers().get(Addresses.OP);
    JsonObject body = msg.body() instanceof JsonObject j ? j : new JsonObject();
    try {
      Future<?> result = switch (op == null ? "" : op) {
        case "create" -> serial(() -> create(body));
        case "describe" -> describe(name(body));
        case "list" -> Future.succeededFuture(new JsonObject().put("topics", new JsonArray(new ArrayList<>(topics.keySet()))));
        case "delete" -> serial(() -> delete(name(body)));
        case "increase" -> serial(() -> increase(name(body), body.getInteger("partitions", 0)));
        case "metadata" -> Future.succeededFuture(metadata(body));
        case "layout" -> Future.succeededFuture(layout());
        case "findCoordinator" -> coordinator(Names.validate("group", body.getString("group"))).map(id -> new JsonObject());
        case "listGroups" -> Future.succeededFuture(new JsonObject().put("groups", new JsonArray(new ArrayList<>(groups()))));
        case "describeGroup" -> describeGroup(Names.validate("group", body.getString("group")));
        default -> throw new InvalidArgumentException("unknown registry operation '" + op + "'");
      };
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          BusErrors.fail(msg, ar.cause());
        }
      });
    } catch (RuntimeException e) {
      BusErrors.fail(msg, e);
    }
  }

  /** Runs a change after the previous one finished, so changes never interleave. */
  private <T> Future<T> serial(Supplier<Future<T>> change) {
    Future<T> f = changes.transform(v -> {
      try {
        return change.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    changes = f;
    return f;
  }

  private static String name(JsonObject body) {
    return Names.validate("topic", body.getString("name"));
  }

  private TopicConfig existing(String name) {
    TopicConfig c = topics.get(name);
    if (c == null) {
      throw new NotFoundException(ErrorCode.UNKNOWN_TOPIC, "unknown topic '" + name + "'");
    }
    return c;
  }

  private Future<JsonObject> create(JsonObject body) {
    String name = name(body);
    TopicConfig config = new TopicConfig(body.getJsonObject("config", new JsonObject()));
    TopicConfig current = topics.get(name);
    if (current != null) {
      if (current.equals(config)) {
        return describe(name);
      }
      throw new SluiceException(ErrorCode.ALREADY_EXISTS, "topic '" + name + "' already exists with other settings: "
          + current + " (asked for " + config + ")");
    }
    checkPartitions(config.getPartitions());
    if (topics.size() >= options.getMaxTopics()) {
      throw new SluiceException(ErrorCode.LIMIT_EXCEEDED, "cannot create topic '" + name + "': the limit of "
          + options.getMaxTopics() + " topics is reached");
    }
    return topicState.put(name, config.toJson().toBuffer()).compose(v -> {
      topics.put(name, config);
      owners.put(name, new ArrayList<>());
      return deployOwners(name, 0, config.getPartitions()).recover(e -> {
        // Undo, so a failed create leaves nothing behind.
        return undeployOwners(name).compose(x -> topicState.remove(name)).transform(x -> {
          topics.remove(name);
          owners.remove(name);
          return Future.failedFuture(e);
        });
      });
    }).compose(v -> {
      vertx.eventBus().publish(Addresses.TOPIC_CHANGED, name);
      return describe(name);
    });
  }

  private void checkPartitions(int partitions) {
    if (partitions > options.getMaxPartitionsPerTopic()) {
      throw new InvalidArgumentException("a topic may have at most " + options.getMaxPartitionsPerTopic()
          + " partitions, asked for " + partitions);
    }
  }

  private Future<Void> deployOwners(String topic, int from, int until) {
    List<Future<String>> deployed = new ArrayList<>();
    TopicConfig config = topics.get(topic);
    if (clustered) {
      // Only the logs: each partition's owner starts on the node leading its log (ClusteredTopics).
      List<Future<?>> created = new ArrayList<>();
      for (int p = from; p < until; p++) {
        created.add(store.open(Addresses.logName(topic, p), config.toLogOptions()));
      }
      return Future.all(created).mapEmpty();
    }
    for (int p = from; p < until; p++) {
      deployed.add(vertx.deployVerticle(new PartitionOwner(store, topic, p, config, options.getRetentionCheckIntervalMs())));
    }
    return Future.join(deployed).transform(ar -> {
      List<String> ids = owners.get(topic);
      for (Future<String> f : deployed) {
        if (f.succeeded()) {
          ids.add(f.result());
        }
      }
      return ar.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(ar.cause());
    });
  }

  private Future<Void> undeployOwners(String topic) {
    List<String> ids = owners.getOrDefault(topic, List.of());
    List<Future<Void>> undeploys = new ArrayList<>();
    ids.forEach(id -> undeploys.add(undeploy(id)));
    return Future.join(undeploys).transform(ar -> {
      ids.clear();
      return Future.succeededFuture();
    });
  }

  private Future<JsonObject> describe(String name) {
    TopicConfig config = existing(name);
    List<Future<JsonObject>> parts = new ArrayList<>();
    List<Future<Optional<LogReplicas>>> replicas = new ArrayList<>();
    for (int p = 0; p < config.getPartitions(); p++) {
      parts.add(clustered ? bus.callRetrying(Addresses.partition(name, p), "offsets", new JsonObject(), 10_000, 30_000)
          : bus.call(Addresses.partition(name, p), "offsets", new JsonObject(), 30_000));
      replicas.add(store.replicas(Addresses.logName(name, p)));
    }
    return Future.all(parts).compose(x -> Future.all(replicas)).map(all -> {
      JsonArray ps = new JsonArray();
      for (int p = 0; p < parts.size(); p++) {
        JsonObject o = parts.get(p).result();
        JsonArray part = new JsonArray().add(p).add(o.getLong("start")).add(o.getLong("end"));
        replicas.get(p).result().ifPresent(r -> part.add(r.toJson()));
        ps.add(part);
      }
      return new JsonObject().put("name", name).put("config", config.toJson()).put("partitions", ps);
    });
  }

  private Future<JsonObject> delete(String name) {
    TopicConfig config = existing(name);
    return undeployOwners(name).compose(v -> {
      List<Future<Void>> drops = new ArrayList<>();
      for (int p = 0; p < config.getPartitions(); p++) {
        String log = Addresses.logName(name, p);
        drops.add(store.exists(log).compose(e -> e ? store.drop(log) : Future.succeededFuture()));
      }
      return Future.all(drops);
    }).compose(v -> {
      Map<String, Buffer> forget = new LinkedHashMap<>();
      offsets.entries("").keySet().stream().filter(k -> OffsetKeys.partitionOf(k).topic().equals(name))
          .forEach(k -> forget.put(k, null));
      return offsets.putAll(forget);
    }).compose(v -> topicState.remove(name)).map(v -> {
      topics.remove(name);
      owners.remove(name);
      vertx.eventBus().publish(Addresses.TOPIC_CHANGED, name);
      return new JsonObject();
    });
  }

  private Future<JsonObject> increase(String name, int partitions) {
    TopicConfig config = existing(name);
    int current = config.getPartitions();
    if (partitions < current) {
      throw new InvalidArgumentException("topic '" + name + "' has " + current + " partitions; the count can only grow (asked for "
          + partitions + ")");
    }
    if (partitions == current) {
      return describe(name);
    }
    checkPartitions(partitions);
    TopicConfig grown = new TopicConfig(config).setPartitions(partitions);
    return topicState.put(name, grown.toJson().toBuffer()).compose(v -> {
      topics.put(name, grown);
      return deployOwners(name, current, partitions);
    }).compose(v -> {
      vertx.eventBus().publish(Addresses.TOPIC_CHANGED, name);
      return describe(name);
    });
  }

  private JsonObject metadata(JsonObject body) {
    JsonObject out = new JsonObject();
    for (String t : Wire.strings(body.getJsonArray("topics"))) {
      TopicConfig c = topics.get(t);
      if (c != null) {
        out.put(t, new JsonObject().put("partitions", c.getPartitions()).put("maxMessageBytes", c.getMaxMessageBytes()));
      }
    }
    return new JsonObject().put("topics", out);
  }

  private JsonObject layout() {
    JsonObject out = new JsonObject();
    topics.forEach((name, config) -> out.put(name, config.toJson()));
    return new JsonObject().put("topics", out);
  }

  private Future<String> coordinator(String group) {
    Future<String> f = coordinators.get(group);
    if (f == null && coordinators.size() >= options.getMaxGroups()) {
      return Future.failedFuture(new SluiceException(ErrorCode.LIMIT_EXCEEDED, "cannot coordinate group '" + group
          + "': the limit of " + options.getMaxGroups() + " groups is reached"));
    }
    if (f == null || f.failed()) {
      f = vertx.deployVerticle(new GroupCoordinator(group, offsets, strategies, options));
      coordinators.put(group, f);
    }
    return f;
  }

  private TreeSet<String> groups() {
    TreeSet<String> out = new TreeSet<>(coordinators.keySet());
    offsets.entries("").keySet().forEach(k -> out.add(OffsetKeys.groupOf(k)));
    return out;
  }

  private Future<JsonObject> describeGroup(String group) {
    if (coordinators.containsKey(group)) {
      return coordinators.get(group).compose(id -> bus.call(Addresses.group(group), "describe", new JsonObject(), 30_000));
    }
    if (offsets.entries(OffsetKeys.groupPrefix(group)).isEmpty()) {
      return Future.failedFuture(new NotFoundException(ErrorCode.UNKNOWN_GROUP, "unknown group '" + group + "'"));
    }
    // Committed offsets from an earlier run, but nobody has joined since: ask a coordinator anyway.
    return coordinator(group).compose(id -> bus.call(Addresses.group(group), "describe", new JsonObject(), 30_000));
  }
}
