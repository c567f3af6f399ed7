package io.sluice.topic.internal;

import io.sluice.api.internal.LeaderFollower;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.topic.AssignmentStrategy;
import io.sluice.topic.TopicConfig;
import io.sluice.topic.TopicsOptions;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The topic mode of one node on a replicated store: the {@link TopicRegistry} (and with it every group
 * coordinator and the one {@code __offsets} state log, whose single writer it is wherever that log's
 * leader is) runs on the node leading {@code __topics}; each {@link PartitionOwner} on the node leading
 * its partition's log, replaying its producer state from the replicated log as on a restart. See
 * {@link LeaderFollower} for how they follow the leaderships.
 *
 * <p>Thread contract: confined to the verticle's context.
 */
final class ClusteredTopics extends LeaderFollower {

  private static final long LAYOUT_ATTEMPT_MS = 5000;

  private final TopicsOptions options;
  private final Map<String, AssignmentStrategy> strategies;

  ClusteredTopics(LogStore store, TopicsOptions options, Map<String, AssignmentStrategy> strategies) {
    super(store, Addresses.TOPICS_STATE_LOG, List.of(Addresses.TOPICS_STATE_LOG, Addresses.OFFSETS_STATE_LOG),
        new LogOptions().setFsync(options.getStateFsync()), Addresses.TOPIC_CHANGED);
    this.options = options;
    this.strategies = strategies;
  }

  @Override
  protected Deployable registry() {
    return new TopicRegistry(store, options, null, strategies);
  }

  @Override
  protected Future<Map<String, Supplier<Deployable>>> layout() {
    return new Bus(vertx).<JsonObject>callRetrying(Addresses.REGISTRY, "layout", new JsonObject(), LAYOUT_ATTEMPT_MS, LAYOUT_ATTEMPT_MS)
        .map(reply -> {
          Map<String, Supplier<Deployable>> out = new HashMap<>();
          JsonObject ts = reply.getJsonObject("topics");
          for (String topic : ts.fieldNames()) {
            TopicConfig config = new TopicConfig(ts.getJsonObject(topic));
            for (int p = 0; p < config.getPartitions(); p++) {
              int partition = p;
              out.put(Addresses.logName(topic, p),
                  () -> new PartitionOwner(store, topic, partition, config, options.getRetentionCheckIntervalMs()));
            }
          }
          return out;
        });
  }
}
