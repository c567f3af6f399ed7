package io.sluice.queue.internal;

import io.sluice.api.internal.LeaderFollower;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.queue.QueueConfig;
import io.sluice.queue.QueuesOptions;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The queue mode of one node on a replicated store: the {@link QueueRegistry} runs on the node leading
 * {@code __queues}, each {@link QueueOwner} (the queue's shared cursor) on the node leading its data log
 * {@code q.<queue>}, where it replays the settlement journal as on a restart. The journal {@code qc.<queue>}
 * need not lead on the same node: the owner is its only writer and reaches its leader through the
 * replicated store (one more hop when the two leaders differ). See {@link LeaderFollower}.
 *
 * <p>Thread contract: confined to the verticle's context.
 */
final class ClusteredQueues extends LeaderFollower {

  private final QueuesOptions options;

  ClusteredQueues(LogStore store, QueuesOptions options) {
    super(store, QueueRegistry.CONFIG_STORE, List.of(QueueRegistry.CONFIG_STORE), QueueRegistry.configStoreOptions(),
        QueueRegistry.changedAddress(options.getAddress()));
    this.options = options;
  }

  @Override
  protected Deployable registry() {
    return new QueueRegistry(store, options, true);
  }

  @Override
  protected Future<Map<String, Supplier<Deployable>>> layout() {
    return QueuesImpl.retrying(vertx, () -> vertx.eventBus().<JsonObject>request(
            QueuesImpl.adminAddress(options.getAddress()), new JsonObject().put("action", "layout"),
            new DeliveryOptions().setSendTimeout(options.getRequestTimeoutMs())))
        .map(reply -> {
          Map<String, Supplier<Deployable>> out = new HashMap<>();
          JsonObject queues = reply.body();
          for (String name : queues.fieldNames()) {
            QueueConfig config = new QueueConfig(queues.getJsonObject(name));
            out.put(QueueOwner.dataLogName(name), () -> new QueueOwner(name, config, store, options));
          }
          return out;
        });
  }
}
