package io.sluice.api.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a replicated log lives, as a store-neutral snapshot: its replicas (node ids, the leader first
 * when there is one), its leader ({@code null} while it has none), the leader epoch, the in-sync replicas
 * and the in-sync count an append that asks for every replica needs. It changes with failover; a local
 * store has none ({@link LogStore#replicas} answers empty).
 *
 * @param replicas    the nodes holding a copy
 * @param leader      the node serving reads and writes, or {@code null} while every in-sync replica is down
 * @param leaderEpoch grows with every leader change
 * @param inSync      the replicas caught up with the leader (the leader included)
 * @param minInSync   in-sync replicas needed to acknowledge an append that asks for every replica
 */
public record LogReplicas(List<String> replicas, String leader, long leaderEpoch, List<String> inSync, int minInSync) {

  public LogReplicas {
    replicas = List.copyOf(Objects.requireNonNull(replicas, "replicas"));
    inSync = List.copyOf(Objects.requireNonNull(inSync, "inSync"));
  }

  /** Reads what {@link #toJson()} wrote. */
  public static LogReplicas fromJson(JsonObject json) {
    return new LogReplicas(strings(json.getJsonArray("replicas")), json.getString("leader"), json.getLong("leaderEpoch"),
        strings(json.getJsonArray("inSync")), json.getInteger("minInSync"));
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>(array.size());
    array.forEach(v -> out.add((String) v));
    return out;
  }

  /** The keys are the component names; {@code leader} is absent while there is none. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("replicas", new JsonArray(new ArrayList<Object>(replicas)))
        .put("leaderEpoch", leaderEpoch).put("inSync", new JsonArray(new ArrayList<Object>(inSync)))
        .put("minInSync", minInSync);
    if (leader != null) {
      json.put("leader", leader);
    }
    return json;
  }

  /** The replication factor: how many nodes hold a copy. */
  public int factor() {
    return replicas.size();
  }
}
