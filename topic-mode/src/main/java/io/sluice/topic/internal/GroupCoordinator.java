package io.sluice.topic.internal;

/*
 * The group coordinator: one verticle per consumer group, the single writer of the group's membership,
 * generation and committed offsets.
 *
 * Protocol (eager rebalancing, like Kafka's classic protocol with the assignment computed here):
 *
 *   join      A member asks to (re)join with its subscription. The reply is held until the rebalance
 *             completes: when every known member has a join pending, or when the rebalance deadline
 *             (the largest rebalance timeout of the members) passes, in which case the members that
 *             did not rejoin are dropped. Completing bumps the generation, runs the assignment
 *             strategy and answers every held join with {memberId, generation, assignment}.
 *   heartbeat Keeps the session alive. It is also how members learn of a rebalance: during one, a
 *             heartbeat fails with rebalance_in_progress, and the member revokes all its partitions
 *             (committing first) and rejoins. A member of an older generation gets illegal_generation,
 *             an unknown one unknown_member; both must rejoin.
 *   leave     Drops the member at once and starts a rebalance for the others.
 *   commit    Accepted from a current member with the current generation, also while a rebalance is
 *             being prepared (that is when members commit in onPartitionsRevoked); refused with
 *             illegal_generation for an older generation. Consumers without membership (manual
 *             assignment) may commit only while the group has no members.
 *
 * Why this is safe: no member gets a partition of generation g+1 before every member that still
 * counts has rejoined, and a member rejoins only after it stopped fetching and committed. A member that
 * did not rejoin in time is dropped, so its later commits carry an old generation and are refused:
 * a committed offset can only come from the member that owned the partition in that generation.
 * Duplicates are limited to records handled but not yet committed when a partition moves.
 *
 * Why the coordinator computes the assignment (Kafka has the group leader do it): one round trip per
 * member instead of two, and a single writer decides. The price is that custom strategies must be
 * registered where coordinators run (TopicsOptions), like a broker plug-in.
 *
 * Time: one periodic tick expires sessions (members without a pending join whose last heartbeat is
 * older than their session timeout) and enforces the rebalance deadline. Everything runs on the
 * verticle's context; the only asynchronous step in a rebalance is fetching partition counts from the
 * registry, and a membership change during that fetch simply restarts the completion.
 */

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import io.sluice.api.NotFoundException;
import io.sluice.api.SluiceException;
import io.sluice.api.store.StateStore;
import io.sluice.topic.AssignmentStrategy;
import io.sluice.topic.TopicPartition;
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
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Coordinates one consumer group (see the design note at the top of the file). Address
 * {@link Addresses#group}; operations {@code join}, {@code heartbeat}, {@code leave}, {@code commit},
 * {@code fetchOffsets}, {@code describe}. Thread contract: confined to the verticle's context.
 */
final class GroupCoordinator extends VerticleBase {

  enum State { EMPTY, PREPARING_REBALANCE, STABLE }

  private static final class Member {
    final String id;
    Set<String> topics;
    List<String> strategies;
    long sessionTimeoutMs;
    long rebalanceTimeoutMs;
    long lastSeen;
    Message<Object> pendingJoin;
    List<TopicPartition> assignment = List.of();

    Member(String id) {
      this.id = id;
    }
  }

  private final String group;
  private final StateStore offsets;
  private final Map<String, AssignmentStrategy> strategies;
  private final TopicsOptions options;
  /** Insertion order is seniority: the oldest member's strategy preference wins. */
  private final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
  private Bus bus;
  private State state = State.EMPTY;
  private int generation;
  private String strategy = "";
  private long rebalanceDeadline;
  private long notBefore;
  private boolean completing;
  private int membershipVersion;
  private Map<String, List<TopicPartition>> lastAssignment = Map.of();
  private MessageConsumer<Object> consumer;
  private MessageConsumer<String> topicChanges;
  private long tick = -1;

  GroupCoordinator(String group, StateStore offsets, Map<String, AssignmentStrategy> strategies, TopicsOptions options) {
    this.group = group;
    this.offsets = offsets;
    this.strategies = strategies;
    this.options = options;
  }

  @Override
  public Future<?> start() {
    bus = new Bus(vertx);
    consumer = vertx.eventBus().consumer(Addresses.group(group), this::handle);
    topicChanges = vertx.eventBus().consumer(Addresses.TOPIC_CHANGED, m -> topicChanged(m.body()));
    tick = vertx.setPeriodic(options.getGroupCheckIntervalMs(), id -> tick());
    return Future.all(consumer.completion(), topicChanges.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(tick);
    for (Member m : members.values()) {
      if (m.pendingJoin != null) {
        m.pendingJoin.fail(ErrorCode.NOT_LEADER.httpStatus(), error(ErrorCode.NOT_LEADER, "coordinator stopped"));
      }
    }
    return Future.all(consumer.unregister(), topicChanges.unregister());
  }

  private static String error(ErrorCode code, String text) {
    return new JsonObject().put("code", code.code()).put("message", text).encode();
  }

  private void handle(Message<Object> msg) {
    String op = msg.headers().get(Addresses.OP);
    JsonObject body = msg.body() instanceof JsonObject j ? j : new JsonObject();
    try {
      switch (op == null ? "" : op) {
        case "join" -> join(msg, body);
        case "heartbeat" -> msg.reply(heartbeat(body));
        case "leave" -> msg.reply(leave(body));
        case "commit" -> commit(body).onComplete(ar -> reply(msg, ar));
        case "fetchOffsets" -> msg.reply(fetchOffsets(body));
        case "describe" -> msg.reply(describe());
        default -> throw new InvalidArgumentException("unknown group operation '" + op + "'");
      }
    } catch (RuntimeException e) {
      BusErrors.fail(msg, e);
    }
  }

  private static void reply(Message<Object> msg, io.vertx.core.AsyncResult<?> ar) {
    if (ar.succeeded()) {
      msg.reply(ar.result());
    } else {
      BusErrors.fail(msg, ar.cause());
    }
  }

  // ---- membership -------------------------------------------------------------------------------

  private void join(Message<Object> msg, JsonObject req) {
    long now = System.currentTimeMillis();
    Set<String> topics = new LinkedHashSet<>(Wire.strings(req.getJsonArray("topics")));
    if (topics.isEmpty()) {
      throw new InvalidArgumentException("a member must subscribe to at least one topic");
    }
    topics.forEach(t -> Names.validate("topic", t));
    List<String> wanted = Wire.strings(req.getJsonArray("strategies"));
    if (wanted.stream().noneMatch(strategies::containsKey)) {
      throw new InvalidArgumentException("none of the assignment strategies " + wanted + " is known here; known: "
          + strategies.keySet());
    }
    long session = req.getLong("sessionTimeoutMs", 10_000L);
    if (session < options.getGroupMinSessionTimeoutMs() || session > options.getGroupMaxSessionTimeoutMs()) {
      throw new InvalidArgumentException("sessionTimeoutMs " + session + " is outside [" + options.getGroupMinSessionTimeoutMs()
          + ", " + options.getGroupMaxSessionTimeoutMs() + "]");
    }
    String memberId = req.getString("memberId", "");
    Member m;
    if (memberId.isEmpty()) {
      m = null;
    } else {
      m = members.get(memberId);
      if (m == null) {
        throw new NotFoundException(ErrorCode.UNKNOWN_MEMBER, "member '" + memberId + "' is not in group '" + group
            + "' (its session expired or it left); rejoin without a member id");
      }
    }
    for (Member other : members.values()) {
      if (other != m && other.strategies.stream().noneMatch(wanted::contains)) {
        throw new SluiceException(ErrorCode.CONFLICT, "assignment strategies " + wanted + " share none with member "
            + other.id + " " + other.strategies + " of group '" + group + "'");
      }
    }
    if (m == null) {
      m = new Member(req.getString("clientId", "consumer") + "-" + UUID.randomUUID());
      members.put(m.id, m);
      membershipVersion++;
    } else if (!m.topics.equals(topics)) {
      membershipVersion++;
    }
    if (m.pendingJoin != null) {
      m.pendingJoin.fail(ErrorCode.REBALANCE_IN_PROGRESS.httpStatus(),
          error(ErrorCode.REBALANCE_IN_PROGRESS, "superseded by a newer join of the same member"));
    }
    m.topics = topics;
    m.strategies = wanted;
    m.sessionTimeoutMs = session;
    m.rebalanceTimeoutMs = req.getLong("rebalanceTimeoutMs", 30_000L);
    m.lastSeen = now;
    m.pendingJoin = msg;
    if (state != State.PREPARING_REBALANCE) {
      prepareRebalance(now);
    } else {
      rebalanceDeadline = Math.max(rebalanceDeadline, now + m.rebalanceTimeoutMs);
    }
    maybeCompleteRebalance();
  }

  private void prepareRebalance(long now) {
    long timeout = 0;
    for (Member m : members.values()) {
      timeout = Math.max(timeout, m.rebalanceTimeoutMs);
    }
    notBefore = state == State.EMPTY ? now + options.getGroupInitialRebalanceDelayMs() : now;
    rebalanceDeadline = now + timeout;
    state = State.PREPARING_REBALANCE;
  }

  private JsonObject heartbeat(JsonObject req) {
    Member m = member(req);
    m.lastSeen = System.currentTimeMillis();
    checkGeneration(req);
    if (state == State.PREPARING_REBALANCE) {
      throw new SluiceException(ErrorCode.REBALANCE_IN_PROGRESS, "group '" + group + "' is rebalancing: rejoin");
    }
    return new JsonObject();
  }

  private JsonObject leave(JsonObject req) {
    Member m = members.remove(req.getString("memberId", ""));
    if (m != null) {
      if (m.pendingJoin != null) {
        m.pendingJoin.fail(ErrorCode.UNKNOWN_MEMBER.httpStatus(), error(ErrorCode.UNKNOWN_MEMBER, "member left"));
      }
      membersChanged();
    }
    return new JsonObject();
  }

  private Member member(JsonObject req) {
    String id = req.getString("memberId", "");
    Member m = members.get(id);
    if (m == null) {
      throw new NotFoundException(ErrorCode.UNKNOWN_MEMBER, "member '" + id + "' is not in group '" + group + "'");
    }
    return m;
  }

  private void checkGeneration(JsonObject req) {
    int g = req.getInteger("generation", -1);
    if (g != generation) {
      throw new SluiceException(ErrorCode.ILLEGAL_GENERATION, "generation " + g + " of group '" + group
          + "' is stale; the current generation is " + generation);
    }
  }

  private void membersChanged() {
    membershipVersion++;
    if (members.isEmpty()) {
      state = State.EMPTY;
      lastAssignment = Map.of();
    } else if (state != State.PREPARING_REBALANCE) {
      prepareRebalance(System.currentTimeMillis());
    }
    maybeCompleteRebalance();
  }

  private void tick() {
    long now = System.currentTimeMillis();
    boolean changed = false;
    for (Iterator<Member> it = members.values().iterator(); it.hasNext(); ) {
      Member m = it.next();
      if (m.pendingJoin == null && now - m.lastSeen > m.sessionTimeoutMs) {
        it.remove();
        changed = true;
      }
    }
    if (changed) {
      membersChanged();
    } else {
      maybeCompleteRebalance();
    }
  }

  private void topicChanged(String topic) {
    if (state == State.STABLE && members.values().stream().anyMatch(m -> m.topics.contains(topic))) {
      prepareRebalance(System.currentTimeMillis());
    }
  }

  private void maybeCompleteRebalance() {
    if (state != State.PREPARING_REBALANCE || completing) {
      return;
    }
    long now = System.currentTimeMillis();
    boolean allJoined = members.values().stream().allMatch(m -> m.pendingJoin != null);
    if ((!allJoined && now < rebalanceDeadline) || now < notBefore) {
      return;
    }
    if (members.values().removeIf(m -> m.pendingJoin == null)) {
      membershipVersion++;
    }
    if (members.isEmpty()) {
      state = State.EMPTY;
      lastAssignment = Map.of();
      return;
    }
    completing = true;
    int version = membershipVersion;
    Set<String> topics = new HashSet<>();
    members.values().forEach(m -> topics.addAll(m.topics));
    bus.<JsonObject>call(Addresses.REGISTRY, "metadata", new JsonObject().put("topics", new JsonArray(new ArrayList<>(topics))),
        options.getGroupMaxSessionTimeoutMs()).onComplete(ar -> {
          completing = false;
          if (ar.failed()) {
            // Retried by the next tick; the members' joins stay pending meanwhile.
            return;
          }
          if (version != membershipVersion || state != State.PREPARING_REBALANCE) {
            maybeCompleteRebalance();
            return;
          }
          completeRebalance(ar.result().getJsonObject("topics"));
        });
  }

  private void completeRebalance(JsonObject topicMeta) {
    Map<String, Integer> counts = new HashMap<>();
    for (String t : topicMeta.fieldNames()) {
      counts.put(t, topicMeta.getJsonObject(t).getInteger("partitions"));
    }
    Map<String, Set<String>> subscriptions = new TreeMap<>();
    members.values().forEach(m -> subscriptions.put(m.id, m.topics));
    strategy = chooseStrategy();
    Map<String, List<TopicPartition>> assignment = strategies.get(strategy).assign(subscriptions, counts, lastAssignment);
    generation++;
    state = State.STABLE;
    lastAssignment = new HashMap<>();
    long now = System.currentTimeMillis();
    for (Member m : members.values()) {
      m.assignment = List.copyOf(assignment.getOrDefault(m.id, List.of()));
      lastAssignment.put(m.id, m.assignment);
      m.lastSeen = now;
      Message<Object> join = m.pendingJoin;
      m.pendingJoin = null;
      join.reply(new JsonObject().put("memberId", m.id).put("generation", generation).put("strategy", strategy)
          .put("assignment", Wire.partitions(m.assignment)));
    }
  }

  private String chooseStrategy() {
    Member oldest = members.values().iterator().next();
    for (String s : oldest.strategies) {
      if (strategies.containsKey(s) && members.values().stream().allMatch(m -> m.strategies.contains(s))) {
        return s;
      }
    }
    // Joins are refused when they share no strategy with the members, so this is unreachable.
    throw new IllegalStateException("no common assignment strategy in group " + group);
  }

  // ---- offsets ----------------------------------------------------------------------------------

  private Future<JsonObject> commit(JsonObject req) {
    String memberId = req.getString("memberId", "");
    if (memberId.isEmpty()) {
      if (!members.isEmpty()) {
        throw new SluiceException(ErrorCode.ILLEGAL_GENERATION, "group '" + group
            + "' has active members: only its members may commit (in their current generation)");
      }
    } else {
      member(req);
      checkGeneration(req);
    }
    Map<TopicPartition, Long> commits = Wire.offsets(req.getJsonArray("offsets"));
    if (commits.isEmpty()) {
      return Future.succeededFuture(new JsonObject());
    }
    Set<String> topics = new HashSet<>();
    for (Map.Entry<TopicPartition, Long> e : commits.entrySet()) {
      e.getKey().validate();
      if (e.getValue() == null || e.getValue() < 0) {
        throw new InvalidArgumentException("committed offset must be >= 0, got " + e.getValue() + " for " + e.getKey());
      }
      topics.add(e.getKey().topic());
    }
    return bus.<JsonObject>call(Addresses.REGISTRY, "metadata", new JsonObject().put("topics", new JsonArray(new ArrayList<>(topics))),
        30_000).compose(meta -> {
          JsonObject known = meta.getJsonObject("topics");
          long now = System.currentTimeMillis();
          Map<String, Buffer> writes = new LinkedHashMap<>();
          for (Map.Entry<TopicPartition, Long> e : commits.entrySet()) {
            TopicPartition tp = e.getKey();
            JsonObject t = known.getJsonObject(tp.topic());
            if (t == null) {
              return Future.failedFuture(new NotFoundException(ErrorCode.UNKNOWN_TOPIC, "unknown topic '" + tp.topic() + "'"));
            }
            if (tp.partition() >= t.getInteger("partitions")) {
              return Future.failedFuture(new NotFoundException(ErrorCode.UNKNOWN_PARTITION, "topic '" + tp.topic() + "' has no partition "
                  + tp.partition() + " (it has " + t.getInteger("partitions") + ")"));
            }
            writes.put(OffsetKeys.key(group, tp), OffsetKeys.value(e.getValue(), now));
          }
          return offsets.putAll(writes).map(v -> new JsonObject());
        });
  }

  private JsonObject fetchOffsets(JsonObject req) {
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    for (TopicPartition tp : Wire.partitions(req.getJsonArray("partitions"))) {
      Buffer v = offsets.get(OffsetKeys.key(group, tp));
      if (v != null) {
        out.put(tp, OffsetKeys.offsetOf(v));
      }
    }
    return new JsonObject().put("offsets", Wire.offsets(out));
  }

  private JsonObject describe() {
    JsonObject ms = new JsonObject();
    members.values().forEach(m -> ms.put(m.id, Wire.partitions(m.assignment)));
    Map<TopicPartition, Long> committed = new LinkedHashMap<>();
    offsets.entries(OffsetKeys.groupPrefix(group)).forEach((k, v) -> committed.put(OffsetKeys.partitionOf(k), OffsetKeys.offsetOf(v)));
    return new JsonObject().put("group", group).put("state", state.name().toLowerCase(java.util.Locale.ROOT))
        .put("generation", generation).put("strategy", strategy).put("members", ms).put("committed", Wire.offsets(committed));
  }
}
