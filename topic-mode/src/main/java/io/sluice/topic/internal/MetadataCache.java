package io.sluice.topic.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.NotFoundException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A client's cache of topic metadata (partition count, message size limit), fetched from the registry
 * over the bus and refreshed after {@code maxAgeMs} or on demand (after an error that may mean the
 * topic changed). Concurrent lookups of one topic share one request, so callers see answers in the
 * order they asked. Thread contract: confined to the client's context.
 */
final class MetadataCache {

  record TopicMeta(int partitions, int maxMessageBytes) {
  }

  private record Entry(TopicMeta meta, long fetchedAt) {
  }

  private final Bus bus;
  private final long maxAgeMs;
  private final long timeoutMs;
  private final Map<String, Entry> cache = new HashMap<>();
  private final Map<String, Future<TopicMeta>> inFlight = new HashMap<>();

  MetadataCache(Bus bus, long maxAgeMs, long timeoutMs) {
    this.bus = bus;
    this.maxAgeMs = maxAgeMs;
    this.timeoutMs = timeoutMs;
  }

  /** The topic's metadata; fails with {@code unknown_topic}. */
  Future<TopicMeta> get(String topic) {
    Entry e = cache.get(topic);
    if (e != null && System.currentTimeMillis() - e.fetchedAt < maxAgeMs) {
      return Future.succeededFuture(e.meta);
    }
    return refresh(topic);
  }

  /** The cached metadata if younger than {@code maxAgeMs}, else null: what {@link #get} would answer at once. */
  TopicMeta fresh(String topic) {
    Entry e = cache.get(topic);
    return e != null && System.currentTimeMillis() - e.fetchedAt < maxAgeMs ? e.meta : null;
  }

  /** The cached metadata, or null. */
  TopicMeta cached(String topic) {
    Entry e = cache.get(topic);
    return e == null ? null : e.meta;
  }

  Future<TopicMeta> refresh(String topic) {
    Future<TopicMeta> f = inFlight.get(topic);
    if (f != null) {
      return f;
    }
    f = bus.<JsonObject>call(Addresses.REGISTRY, "metadata", new JsonObject().put("topics", new JsonArray(List.of(topic))), timeoutMs)
        .compose(reply -> {
          JsonObject t = reply.getJsonObject("topics").getJsonObject(topic);
          if (t == null) {
            cache.remove(topic);
            return Future.failedFuture(new NotFoundException(ErrorCode.UNKNOWN_TOPIC, "unknown topic '" + topic + "'"));
          }
          TopicMeta meta = new TopicMeta(t.getInteger("partitions"), t.getInteger("maxMessageBytes"));
          cache.put(topic, new Entry(meta, System.currentTimeMillis()));
          return Future.succeededFuture(meta);
        });
    inFlight.put(topic, f);
    Future<TopicMeta> mine = f;
    f.onComplete(ar -> inFlight.remove(topic, mine));
    return f;
  }
}
