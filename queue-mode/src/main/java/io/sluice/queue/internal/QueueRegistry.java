package io.sluice.queue.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.NotFoundException;
import io.sluice.api.SluiceException;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.StateStore;
import io.sluice.queue.QueueConfig;
import io.sluice.queue.QueuesOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The queue catalogue: keeps every queue's config in the state store {@code __queues}, deploys one
 * {@link QueueOwner} per queue, and serves create, delete and list at {@code <address>:admin}.
 * Admin requests are handled one at a time, in order.
 *
 * <p>On a replicated store one registry runs in the cluster, on the node leading {@code __queues}
 * ({@link ClusteredQueues} starts and stops it): it then creates a queue's logs but deploys no owner (the
 * node leading {@code q.<queue>} runs it), announces changes at {@code <address>:changed} and answers
 * {@code layout} (every queue's config).
 *
 * <p>Thread contract: confined to this verticle's context.
 */
final class QueueRegistry extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(QueueRegistry.class.getName());
  static final String CONFIG_STORE = "__queues";

  private final LogStore store;
  private final QueuesOptions options;
  private final boolean clustered;
  private final TreeMap<String, QueueConfig> configs = new TreeMap<>();
  private final Map<String, String> deployments = new TreeMap<>();
  private StateStore state;
  private MessageConsumer<JsonObject> consumer;
  /** Admin requests run one after another: each waits for the previous one. */
  private Future<?> last = Future.succeededFuture();

  QueueRegistry(LogStore store, QueuesOptions options, boolean clustered) {
    this.store = store;
    this.options = options;
    this.clustered = clustered;
  }

  static LogOptions configStoreOptions() {
    return new LogOptions().setSegmentBytes(4 * 1024 * 1024);
  }

  static String changedAddress(String base) {
    return base + ":changed";
  }

  @Override
  public Future<?> start() {
    return StateStore.open(store, CONFIG_STORE, configStoreOptions()).compose(s -> {
      state = s;
      List<Future<String>> owners = new ArrayList<>();
      for (Map.Entry<String, Buffer> e : s.entries("").entrySet()) {
        QueueConfig config = new QueueConfig(new JsonObject(e.getValue()));
        configs.put(e.getKey(), config);
        if (!clustered) {
          owners.add(deploy(e.getKey(), config));
        }
      }
      return Future.all(owners);
    }).compose(v -> {
      consumer = vertx.eventBus().consumer(QueuesImpl.adminAddress(options.getAddress()), this::onRequest);
      return consumer.completion();
    });
  }

  /**
   * Fails if another registry already answers at this address: two would each deploy an owner per
   * queue, and the bus would spread requests over two writers of one log.
   */
  static Future<Void> checkAddressFree(io.vertx.core.Vertx vertx, QueuesOptions options) {
    String address = QueuesImpl.adminAddress(options.getAddress());
    return vertx.eventBus().request(address, new JsonObject().put("action", "ping"),
        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(options.getRequestTimeoutMs())).transform(ar -> {
          if (ar.succeeded()) {
            return Future.failedFuture(new SluiceException(ErrorCode.CONFLICT, "another Queues already serves the address '"
                + options.getAddress() + "' on this event bus; close it first or choose another address"));
          }
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    List<Future<Void>> undeployed = new ArrayList<>();
    for (String id : deployments.values()) {
      // Owners are child deployments; Vert.x may have undeployed them already.
      undeployed.add(vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    deployments.clear();
    return Future.join(unregistered, Future.join(undeployed))
        .transform(v -> state == null ? Future.succeededFuture() : state.close());
  }

  private Future<String> deploy(String name, QueueConfig config) {
    return vertx.deployVerticle(new QueueOwner(name, config, store, options)).onSuccess(id -> deployments.put(name, id));
  }

  private void onRequest(Message<JsonObject> msg) {
    last = last.transform(v -> {
      Future<Object> answer;
      try {
        answer = handle(msg.body());
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      return answer.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          if (!(ar.cause() instanceof SluiceException)) {
            LOG.log(Level.WARNING, "queue admin request failed: " + msg.body(), ar.cause());
          }
          Failures.reply(msg, ar.cause());
        }
      });
    });
  }

  private Future<Object> handle(JsonObject req) {
    String action = req.getString("action", "");
    return switch (action) {
      case "create" -> create(req.getString("name"), new QueueConfig(req.getJsonObject("config", new JsonObject())))
          .map(c -> c.toJson());
      case "delete" -> delete(req.getString("name")).map(v -> null);
      case "list" -> Future.succeededFuture(new JsonArray(new ArrayList<>(configs.keySet())));
      case "ping" -> Future.succeededFuture("pong");
      case "layout" -> {
        JsonObject out = new JsonObject();
        configs.forEach((name, config) -> out.put(name, config.toJson()));
        yield Future.succeededFuture(out);
      }
      default -> Future.failedFuture(new InvalidArgumentException("unknown admin action '" + action + "'"));
    };
  }

  private Future<QueueConfig> create(String name, QueueConfig config) {
    QueuesImpl.validateName(name);
    QueueConfig existing = configs.get(name);
    if (existing != null) {
      if (existing.equals(config)) {
        return Future.succeededFuture(existing);
      }
      return Future.failedFuture(new SluiceException(ErrorCode.ALREADY_EXISTS, "queue '" + name
          + "' already exists with another config: " + existing));
    }
    if (configs.size() >= options.getMaxQueues()) {
      return Future.failedFuture(new SluiceException(ErrorCode.LIMIT_EXCEEDED, "cannot create queue '" + name
          + "': the limit of " + options.getMaxQueues() + " queues is reached"));
    }
    String dlq = config.getDeadLetterQueue();
    if (dlq != null) {
      if (dlq.equals(name)) {
        return Future.failedFuture(new InvalidArgumentException("queue '" + name + "' cannot be its own dead-letter queue"));
      }
      if (!configs.containsKey(dlq)) {
        return Future.failedFuture(new NotFoundException(ErrorCode.UNKNOWN_QUEUE, "dead-letter queue '" + dlq
            + "' of queue '" + name + "' does not exist; create it first"));
      }
    }
    // Leftover logs of a queue whose delete did not finish would resurrect its messages: clear them first.
    if (clustered) {
      // The owner starts on the node leading the data log, once the logs exist and the layout says so.
      return dropLogs(name)
          .compose(v -> Future.all(store.open(QueueOwner.dataLogName(name), QueueOwner.dataLogOptions(config)),
              store.open(QueueOwner.controlLogName(name), QueueOwner.controlLogOptions(config))))
          .compose(v -> state.put(name, config.toJson().toBuffer()))
          .map(v -> {
            configs.put(name, config);
            vertx.eventBus().publish(changedAddress(options.getAddress()), name);
            return config;
          });
    }
    return dropLogs(name)
        .compose(v -> deploy(name, config))
        .compose(id -> state.put(name, config.toJson().toBuffer()).recover(e ->
            vertx.undeploy(id).transform(x -> {
              deployments.remove(name);
              return Future.<Void>failedFuture(e);
            })))
        .map(v -> {
          configs.put(name, config);
          return config;
        });
  }

  private Future<Void> delete(String name) {
    QueuesImpl.validateName(name);
    if (!configs.containsKey(name)) {
      return Future.failedFuture(Failures.unknownQueue(name));
    }
    for (Map.Entry<String, QueueConfig> e : configs.entrySet()) {
      if (name.equals(e.getValue().getDeadLetterQueue())) {
        return Future.failedFuture(new SluiceException(ErrorCode.CONFLICT, "queue '" + name
            + "' is the dead-letter queue of '" + e.getKey() + "'; delete that one first"));
      }
    }
    String id = deployments.remove(name);
    Future<Void> undeployed = id == null ? Future.succeededFuture() : vertx.undeploy(id);
    return undeployed
        .compose(v -> state.remove(name))
        .compose(v -> {
          configs.remove(name);
          return dropLogs(name);
        })
        .onSuccess(v -> {
          if (clustered) {
            vertx.eventBus().publish(changedAddress(options.getAddress()), name);
          }
        });
  }

  private Future<Void> dropLogs(String name) {
    return Future.join(dropIfExists(QueueOwner.dataLogName(name)), dropIfExists(QueueOwner.controlLogName(name))).mapEmpty();
  }

  private Future<Void> dropIfExists(String log) {
    return store.exists(log).compose(exists -> exists ? store.drop(log) : Future.succeededFuture());
  }
}
