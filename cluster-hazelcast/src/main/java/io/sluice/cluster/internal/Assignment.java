package io.sluice.cluster.internal;

import io.sluice.api.store.LogReplicas;
import io.sluice.cluster.Acks;
import io.sluice.cluster.Placement;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's record of one replicated log, as stored in the metadata map: its incarnation ({@code uid},
 * new each time the name is created), replicas, leader (empty for none), leader epoch, in-sync replicas,
 * and a version that grows with every change. Stored as a JSON string so the map can compare-and-set it
 * ({@code IMap.replace(key, raw, next)}): {@link #raw()} is the exact string read from the map.
 *
 * <p>Immutable; thread-safe.
 */
final class Assignment {

  static final String NO_LEADER = "";

  final String log;
  final String uid;
  final List<String> replicas;
  final String leader;
  final long epoch;
  final List<String> isr;
  final long version;
  final int minInSync;
  final Acks acks;
  final JsonObject logOptions;
  /**
   * A reassignment in progress (scale-out): {@code adding} are extra replicas catching up, {@code removing}
   * the replicas they replace, dropped once every other replica is in sync. Both empty when none is.
   */
  final List<String> adding;
  final List<String> removing;
  private final String raw;

  Assignment(String log, String uid, List<String> replicas, String leader, long epoch, List<String> isr, long version,
      int minInSync, Acks acks, JsonObject logOptions) {
    this(log, uid, replicas, leader, epoch, isr, version, minInSync, acks, logOptions, List.of(), List.of(), null);
  }

  private Assignment(String log, String uid, List<String> replicas, String leader, long epoch, List<String> isr,
      long version, int minInSync, Acks acks, JsonObject logOptions, List<String> adding, List<String> removing,
      String raw) {
    this.log = log;
    this.adding = List.copyOf(adding);
    this.removing = List.copyOf(removing);
    this.uid = uid;
    this.replicas = List.copyOf(replicas);
    this.leader = leader;
    this.epoch = epoch;
    this.isr = List.copyOf(isr);
    this.version = version;
    this.minInSync = minInSync;
    this.acks = acks;
    this.logOptions = logOptions;
    this.raw = raw != null ? raw : toJson().encode();
  }

  static Assignment decode(String log, String raw) {
    JsonObject j = new JsonObject(raw);
    return new Assignment(log, j.getString("uid"), strings(j.getJsonArray("replicas")), j.getString("leader"),
        j.getLong("epoch"), strings(j.getJsonArray("isr")), j.getLong("version"), j.getInteger("minInSync"),
        Acks.valueOf(j.getString("acks")), j.getJsonObject("options"), strings(j.getJsonArray("adding", new JsonArray())),
        strings(j.getJsonArray("removing", new JsonArray())), raw);
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(a.getString(i));
    }
    return out;
  }

  private JsonObject toJson() {
    JsonObject j = new JsonObject().put("uid", uid).put("replicas", new JsonArray(new ArrayList<>(replicas)))
        .put("leader", leader).put("epoch", epoch).put("isr", new JsonArray(new ArrayList<>(isr))).put("version", version)
        .put("minInSync", minInSync).put("acks", acks.name()).put("options", logOptions);
    if (moving()) {
      j.put("adding", new JsonArray(new ArrayList<>(adding))).put("removing", new JsonArray(new ArrayList<>(removing)));
    }
    return j;
  }

  /** The exact value held in the map (for compare-and-set). */
  String raw() {
    return raw;
  }

  boolean hasLeader() {
    return !leader.isEmpty();
  }

  /** A new leadership: the epoch grows, so every request of the old one is fenced. */
  Assignment withLeader(String newLeader, List<String> newIsr) {
    return new Assignment(log, uid, replicas, newLeader, epoch + 1, newIsr, version + 1, minInSync, acks, logOptions,
        adding, removing, null);
  }

  /** The same leadership with another in-sync set. */
  Assignment withIsr(List<String> newIsr) {
    return new Assignment(log, uid, replicas, leader, epoch, newIsr, version + 1, minInSync, acks, logOptions, adding,
        removing, null);
  }

  /** Whether a reassignment is in progress. */
  boolean moving() {
    return !adding.isEmpty() || !removing.isEmpty();
  }

  /** Starts moving the replica on {@code from} to {@code to}: {@code to} joins as an extra, out-of-sync replica. */
  Assignment withMove(String from, String to) {
    List<String> grown = new ArrayList<>(replicas);
    grown.add(to);
    return new Assignment(log, uid, grown, leader, epoch, isr, version + 1, minInSync, acks, logOptions, List.of(to),
        List.of(from), null);
  }

  /** Ends the reassignment: the replicas of {@code gone} leave the replica and in-sync sets. */
  Assignment withoutReplicas(List<String> gone) {
    List<String> kept = new ArrayList<>(replicas);
    kept.removeAll(gone);
    List<String> keptIsr = new ArrayList<>(isr);
    keptIsr.removeAll(gone);
    return new Assignment(log, uid, kept, leader, epoch, keptIsr, version + 1, minInSync, acks, logOptions, List.of(),
        List.of(), null);
  }

  /** The replicas this log keeps once its reassignment completes (all of them when none is in progress). */
  List<String> target() {
    List<String> kept = new ArrayList<>(replicas);
    kept.removeAll(removing);
    return kept;
  }

  LogReplicas toReplicas() {
    return new LogReplicas(replicas, hasLeader() ? leader : null, epoch, isr, minInSync);
  }

  Placement toPlacement() {
    return new Placement(log, replicas, hasLeader() ? leader : null, epoch, isr, minInSync, acks);
  }

  @Override
  public String toString() {
    return log + raw;
  }
}
