package io.sluice.broker.internal;

import static io.sluice.broker.internal.QueueRoutes.handle;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import io.sluice.api.SluiceException;
import io.sluice.topic.Consumer;
import io.sluice.topic.ConsumerOptions;
import io.sluice.topic.ConsumerRecord;
import io.sluice.topic.GroupDescription;
import io.sluice.topic.OffsetReset;
import io.sluice.topic.RebalanceListener;
import io.sluice.topic.TopicDescription;
import io.sluice.topic.TopicPartition;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The consumer-group routes, {@code /v1/groups/...}: HTTP clients join a group as members, poll records,
 * commit, seek and leave, each member backed by one {@link Consumer} of the node's {@link Topics}.
 *
 * <p>Why members live here and not in the client: HTTP is request/response, while a group member must
 * keep heartbeating and hold fetched records between calls. So the node keeps one consumer per member
 * (auto-commit off: an HTTP client commits what it has processed, or nothing is committed) in a map
 * bounded by {@code groupMaxMembers} (429 {@code limit_exceeded} beyond), and closes a member on
 * {@code DELETE}, on node stop, and when it has not polled for {@code groupSessionTimeoutMs} (a client
 * that vanished must not keep its partitions forever, as in Kafka). A poll in progress keeps its member
 * alive.
 *
 * <p>A member's consumer polls up to {@link TopicRoutes#MAX_RECORDS} records at once; what a request's
 * {@code max} leaves over stays in the member's pending queue and is returned first by the next poll, so
 * no record is skipped between a poll and a commit. A commit without a body commits, per partition, the
 * offset after the last record handed to the client, never records still pending. Partitions taken away
 * by a rebalance lose their pending records (the new owner reads them again from the committed offset).
 *
 * <p>Thread contract: handlers run on the HTTP server's event loop; the member map is concurrent, and a
 * member's pending queue and handed-out offsets are guarded by the member (the consumer calls its
 * rebalance listener on its own context). {@link #close()} may run on any thread.
 */
final class GroupRoutes {

  private static final Set<String> JOIN_KEYS = Set.of("topics", "autoOffsetReset");
  private static final Set<String> OFFSET_KEYS = Set.of("topic", "partition", "offset");
  private static final Set<String> SEEK_KEYS = Set.of("topic", "partition", "offset", "timestamp", "to");
  /** Topics one member may subscribe to. */
  static final int MAX_TOPICS = 100;

  private final Vertx vertx;
  private final Topics topics;
  private final int maxMembers;
  private final long sessionTimeoutMs;
  private final long heartbeatMs;
  private final Map<String, Member> members = new ConcurrentHashMap<>();
  /** Open record streams by member id (at most one per member). */
  private final Map<String, MemberStream> streams = new ConcurrentHashMap<>();
  private long expiryTimer = -1;
  private volatile boolean closed;

  GroupRoutes(Vertx vertx, Topics topics, int maxMembers, long sessionTimeoutMs, long heartbeatMs) {
    this.vertx = vertx;
    this.heartbeatMs = heartbeatMs;
    this.topics = topics;
    this.maxMembers = maxMembers;
    this.sessionTimeoutMs = sessionTimeoutMs;
  }

  /** One HTTP member: its consumer, records fetched but not yet returned, and what was returned. */
  static final class Member implements RebalanceListener {
    final String id;
    final String group;
    final List<String> topics;
    final Consumer consumer;
    private final ArrayDeque<ConsumerRecord> pending = new ArrayDeque<>();
    /** Per partition, the offset after the last record handed to the client since the last seek. */
    private final Map<TopicPartition, Long> returned = new HashMap<>();
    volatile long lastPollNanos = System.nanoTime();
    /** A join or poll in progress: the member is not idle, however long the rebalance or long poll takes. */
    volatile boolean polling = true;

    Member(String id, String group, List<String> topics, Consumer consumer) {
      this.id = id;
      this.group = group;
      this.topics = topics;
      this.consumer = consumer;
    }

    synchronized List<ConsumerRecord> take(int max) {
      List<ConsumerRecord> out = new ArrayList<>(Math.min(max, pending.size()));
      while (out.size() < max && !pending.isEmpty()) {
        ConsumerRecord r = pending.poll();
        out.add(r);
        returned.put(r.topicPartition(), r.offset() + 1);
      }
      return out;
    }

    /** The next pending record, now counted as handed to the client; null when none is pending. */
    synchronized ConsumerRecord takeOne() {
      ConsumerRecord r = pending.poll();
      if (r != null) {
        returned.put(r.topicPartition(), r.offset() + 1);
      }
      return r;
    }

    synchronized void add(List<ConsumerRecord> records) {
      pending.addAll(records);
    }

    synchronized boolean hasPending() {
      return !pending.isEmpty();
    }

    synchronized Map<TopicPartition, Long> returned() {
      return Map.copyOf(returned);
    }

    synchronized void forget(Collection<TopicPartition> partitions) {
      Set<TopicPartition> gone = new HashSet<>(partitions);
      pending.removeIf(r -> gone.contains(r.topicPartition()));
      returned.keySet().removeAll(gone);
    }

    @Override
    public Future<Void> onPartitionsRevoked(Collection<TopicPartition> partitions) {
      forget(partitions);
      return Future.succeededFuture();
    }
  }

  void mount(Router router) {
    router.post("/v1/groups/:group/members").handler(handle(this::join));
    router.get("/v1/groups/:group").handler(handle(this::describe));
    router.get("/v1/groups/:group/members/:member/records").handler(handle(this::poll));
    router.get("/v1/groups/:group/members/:member/stream").handler(handle(this::stream));
    router.post("/v1/groups/:group/members/:member/commit").handler(handle(this::commit));
    router.post("/v1/groups/:group/members/:member/seek").handler(handle(this::seek));
    router.delete("/v1/groups/:group/members/:member").handler(handle(this::leave));
    // Checked often enough that a member outlives its session by at most a quarter of it.
    expiryTimer = vertx.setPeriodic(Math.max(25, Math.min(1_000, sessionTimeoutMs / 4)), t -> expireIdle());
  }

  /** Closes every member (each leaves its group); the node's topics stay open for the caller to close. */
  Future<Void> close() {
    closed = true;
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
    }
    streams.values().forEach(MemberStream::stop);
    List<Future<Void>> closing = new ArrayList<>();
    for (String id : List.copyOf(members.keySet())) {
      Member m = members.remove(id);
      if (m != null) {
        closing.add(m.consumer.close());
      }
    }
    return Future.join(closing).transform(ar -> Future.succeededFuture());
  }

  int memberCount() {
    return members.size();
  }

  private void expireIdle() {
    long now = System.nanoTime();
    for (Member m : members.values()) {
      if (!m.polling && now - m.lastPollNanos > sessionTimeoutMs * 1_000_000L && members.remove(m.id, m)) {
        m.consumer.close();
      }
    }
  }

  private Future<?> join(RoutingContext ctx) {
    String group = Names.validate("group", ctx.pathParam("group"));
    JsonObject body = HttpJson.body(ctx);
    JsonFields.onlyKeys(body, JOIN_KEYS, "a join request");
    JsonArray names = JsonFields.array(body, "topics", MAX_TOPICS);
    Set<String> subscribed = new LinkedHashSet<>();
    for (int i = 0; i < names.size(); i++) {
      subscribed.add(Names.validate("topic", JsonFields.stringAt(names, i, "topics")));
    }
    String reset = JsonFields.string(body, "autoOffsetReset");
    OffsetReset offsetReset;
    if (reset == null || reset.equals("latest")) {
      offsetReset = OffsetReset.LATEST;
    } else if (reset.equals("earliest")) {
      offsetReset = OffsetReset.EARLIEST;
    } else {
      throw new InvalidArgumentException("'autoOffsetReset' must be 'earliest' or 'latest', got '" + reset + "'");
    }
    if (closed) {
      throw new SluiceException(ErrorCode.STORE_CLOSED, "the node is stopping");
    }
    if (members.size() >= maxMembers) {
      throw new SluiceException(ErrorCode.LIMIT_EXCEEDED,
          "the node holds " + maxMembers + " group members already (groupMaxMembers); delete unused ones");
    }
    String id = UUID.randomUUID().toString();
    Consumer consumer = topics.createConsumer(new ConsumerOptions()
        .setGroupId(group)
        .setClientId("http-" + id)
        .setAutoCommit(false)
        .setAutoOffsetReset(offsetReset)
        .setMaxPollRecords(TopicRoutes.MAX_RECORDS));
    Member member = new Member(id, group, List.copyOf(subscribed), consumer);
    // In the map before joining, so concurrent joins count against the limit.
    members.put(id, member);
    return consumer.subscribe(member.topics, member)
        .onSuccess(v -> {
          member.lastPollNanos = System.nanoTime();
          member.polling = false;
          HttpJson.respond(ctx, 201, new JsonObject().put("memberId", id));
        })
        .recover(e -> {
          members.remove(id, member);
          return consumer.close().transform(ignored -> Future.failedFuture(e));
        });
  }

  /** The caller's member, or 404 {@code unknown_member} (also when it expired or belongs to another group). */
  private Member member(RoutingContext ctx) {
    String group = Names.validate("group", ctx.pathParam("group"));
    String id = ctx.pathParam("member");
    Member m = members.get(id);
    if (m == null || !m.group.equals(group)) {
      throw new SluiceException(ErrorCode.UNKNOWN_MEMBER,
          "group '" + group + "' has no member '" + id + "' on this node (never joined, deleted, or idle past its session timeout)");
    }
    return m;
  }

  private Future<?> poll(RoutingContext ctx) {
    Member m = member(ctx);
    int max = (int) HttpJson.queryLong(ctx, "max", 100, 1, TopicRoutes.MAX_RECORDS);
    long waitMs = HttpJson.queryLong(ctx, "waitMs", 0, 0, TopicRoutes.MAX_WAIT_MS);
    if (m.polling) {
      throw busy(m);
    }
    m.polling = true;
    m.lastPollNanos = System.nanoTime();
    Future<List<ConsumerRecord>> records = m.hasPending()
        ? Future.succeededFuture(m.take(max))
        : m.consumer.poll(Duration.ofMillis(waitMs)).map(polled -> {
          m.add(polled);
          return m.take(max);
        });
    return records
        .onComplete(ar -> {
          m.polling = false;
          m.lastPollNanos = System.nanoTime();
        })
        .onSuccess(list -> {
          JsonArray out = new JsonArray();
          for (ConsumerRecord r : list) {
            out.add(recordJson(r));
          }
          HttpJson.respond(ctx, 200, new JsonObject().put("records", out));
        });
  }

  private static SluiceException busy(Member m) {
    return new SluiceException(ErrorCode.CONFLICT, "member '" + m.id + "' already has a poll or stream in progress");
  }

  /**
   * {@code GET .../members/{id}/stream}: the member's records as Server-Sent Events, or as WebSocket text
   * frames when the request is a WebSocket upgrade (see {@link MemberStream}). One stream or poll per
   * member at a time; closing the connection ends the stream, not the member.
   */
  private Future<?> stream(RoutingContext ctx) {
    Member m = member(ctx);
    long maxRecords = HttpJson.queryLong(ctx, "maxRecords", Long.MAX_VALUE, 1, Long.MAX_VALUE);
    boolean autoCommit = HttpJson.queryBoolean(ctx, "autoCommit", false);
    if (m.polling) {
      throw busy(m);
    }
    m.polling = true;
    m.lastPollNanos = System.nanoTime();
    if (!ctx.request().canUpgradeToWebSocket()) {
      MemberStream s = open(m, new MemberStream.Sse(ctx.response(), m.id), maxRecords, autoCommit);
      // A stopping server waits for in-flight requests: a stream ends at once instead of holding the stop.
      ctx.request().connection().shutdownHandler(v -> s.stop());
      return Future.succeededFuture();
    }
    return ctx.request().toWebSocket()
        .onFailure(e -> m.polling = false)
        .onSuccess(socket -> {
          MemberStream s = open(m, new MemberStream.WebSocket(socket), maxRecords, autoCommit);
          socket.shutdownHandler(v -> s.stop());
          socket.textMessageHandler(text -> clientFrame(socket, s, text));
        });
  }

  private MemberStream open(Member m, MemberStream.Sink sink, long maxRecords, boolean autoCommit) {
    MemberStream s = new MemberStream(vertx, m, sink, heartbeatMs, maxRecords, autoCommit,
        () -> !closed && members.get(m.id) == m);
    streams.put(m.id, s);
    s.start(() -> streams.remove(m.id, s));
    return s;
  }

  /** A WebSocket client's frame: {@code {"commit":true}} commits what the stream wrote; anything else is an error frame. */
  private static void clientFrame(io.vertx.core.http.ServerWebSocket socket, MemberStream s, String text) {
    Future<Void> done;
    try {
      JsonObject frame = new JsonObject(text);
      JsonFields.onlyKeys(frame, Set.of("commit"), "a stream frame");
      if (!Boolean.TRUE.equals(frame.getValue("commit"))) {
        throw new InvalidArgumentException("a stream frame is {\"commit\":true}");
      }
      done = s.commitWritten();
    } catch (io.vertx.core.json.DecodeException e) {
      done = Future.failedFuture(new InvalidArgumentException("malformed JSON frame", e));
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onFailure(e -> {
      if (!socket.isClosed()) {
        socket.writeTextMessage(MemberStream.errorJson(e).encode());
      }
    });
  }

  /** The open stream of a member, or null: for tests of back-pressure. */
  MemberStream stream(String memberId) {
    return streams.get(memberId);
  }

  /** A record as the poll and stream routes answer it: {@code {"topic","partition","offset","timestamp","key","value","headers"}}. */
  static JsonObject recordJson(ConsumerRecord r) {
    JsonObject json = new JsonObject().put("topic", r.topic()).put("partition", r.partition())
        .put("offset", r.offset()).put("timestamp", r.timestamp());
    JsonFields.putBytes(json, "key", r.key());
    JsonFields.putBytes(json, "value", r.value());
    JsonFields.putHeaders(json, r.headers());
    return json;
  }

  private Future<?> commit(RoutingContext ctx) {
    Member m = member(ctx);
    JsonObject body = JsonFields.optionalBody(ctx);
    JsonFields.onlyKeys(body, Set.of("offsets"), "a commit request");
    Map<TopicPartition, Long> offsets;
    if (body.isEmpty()) {
      offsets = m.returned();
    } else {
      JsonArray items = JsonFields.array(body, "offsets", TopicRoutes.MAX_RECORDS);
      offsets = new HashMap<>();
      for (int i = 0; i < items.size(); i++) {
        JsonObject o = JsonFields.objectAt(items, i, "offsets");
        try {
          JsonFields.onlyKeys(o, OFFSET_KEYS, "an offset");
          offsets.put(partition(o), required(o, "offset", Long.MAX_VALUE));
        } catch (SluiceException e) {
          throw new SluiceException(e.code(), "offsets[" + i + "]: " + e.getMessage(), e);
        }
      }
    }
    if (offsets.isEmpty()) {
      ctx.response().setStatusCode(204).end();
      return Future.succeededFuture();
    }
    return m.consumer.commit(offsets).onSuccess(v -> ctx.response().setStatusCode(204).end());
  }

  private Future<?> seek(RoutingContext ctx) {
    Member m = member(ctx);
    JsonObject body = HttpJson.body(ctx);
    JsonFields.onlyKeys(body, SEEK_KEYS, "a seek request");
    String topic = JsonFields.string(body, "topic");
    if (topic == null) {
      throw new InvalidArgumentException("'topic' is required");
    }
    int given = (body.getValue("offset") != null ? 1 : 0) + (body.getValue("timestamp") != null ? 1 : 0)
        + (body.getValue("to") != null ? 1 : 0);
    if (given != 1) {
      throw new InvalidArgumentException("give exactly one of 'offset', 'timestamp' or 'to'");
    }
    long offset = JsonFields.wholeNumber(body, "offset", -1, 0, Long.MAX_VALUE);
    long timestamp = JsonFields.wholeNumber(body, "timestamp", -1, 0, Long.MAX_VALUE);
    String to = JsonFields.string(body, "to");
    if (to != null && !to.equals("beginning") && !to.equals("end")) {
      throw new InvalidArgumentException("'to' must be 'beginning' or 'end', got '" + to + "'");
    }
    int partition = (int) JsonFields.wholeNumber(body, "partition", -1, 0, Integer.MAX_VALUE);
    if (offset >= 0 && partition < 0) {
      throw new InvalidArgumentException("a seek to an offset needs 'partition'");
    }
    return m.consumer.assignment().compose(owned -> {
      List<TopicPartition> targets = new ArrayList<>();
      for (TopicPartition tp : owned) {
        if (tp.topic().equals(topic) && (partition < 0 || tp.partition() == partition)) {
          targets.add(tp);
        }
      }
      if (targets.isEmpty()) {
        return Future.failedFuture(new InvalidArgumentException("member '" + m.id + "' owns no partition "
            + (partition < 0 ? "of topic '" + topic + "'" : "'" + topic + "-" + partition + "'")
            + "; it owns " + owned));
      }
      Future<Void> moved;
      if (offset >= 0) {
        moved = m.consumer.seek(targets.get(0), offset);
      } else if (to == null) {
        moved = m.consumer.seekToTimestamp(targets, timestamp);
      } else {
        moved = to.equals("beginning") ? m.consumer.seekToBeginning(targets) : m.consumer.seekToEnd(targets);
      }
      // Records fetched before the seek are from the old position: the next poll starts at the new one.
      return moved.onSuccess(v -> {
        m.forget(targets);
        ctx.response().setStatusCode(204).end();
      });
    });
  }

  private Future<?> leave(RoutingContext ctx) {
    Member m = member(ctx);
    members.remove(m.id, m);
    return m.consumer.close().onSuccess(v -> ctx.response().setStatusCode(204).end());
  }

  private Future<?> describe(RoutingContext ctx) {
    String group = Names.validate("group", ctx.pathParam("group"));
    List<Member> local = new ArrayList<>();
    for (Member m : members.values()) {
      if (m.group.equals(group)) {
        local.add(m);
      }
    }
    List<Future<Set<TopicPartition>>> assignments = new ArrayList<>();
    for (Member m : local) {
      assignments.add(m.consumer.assignment().otherwise(Set.of()));
    }
    return topics.describeGroup(group).compose(d -> endOffsets(d).compose(ends -> Future.join(assignments).map(v -> {
      JsonArray memberJson = new JsonArray();
      for (int i = 0; i < local.size(); i++) {
        memberJson.add(new JsonObject().put("memberId", local.get(i).id).put("topics", new JsonArray(local.get(i).topics))
            .put("assignment", partitions(assignments.get(i).result())));
      }
      JsonObject assignment = new JsonObject();
      new TreeMap<>(d.members()).forEach((member, parts) -> assignment.put(member, partitions(parts)));
      JsonArray committed = new JsonArray();
      d.committed().entrySet().stream()
          .sorted(Map.Entry.comparingByKey(GroupRoutes::compare))
          .forEach(e -> {
            JsonObject c = new JsonObject().put("topic", e.getKey().topic()).put("partition", e.getKey().partition())
                .put("offset", e.getValue());
            Long end = ends.get(e.getKey());
            if (end != null) {
              c.put("endOffset", end).put("lag", Math.max(0, end - e.getValue()));
            }
            committed.add(c);
          });
      HttpJson.respond(ctx, 200, new JsonObject().put("group", d.group()).put("state", d.state())
          .put("generation", d.generation()).put("strategy", d.strategy()).put("members", memberJson)
          .put("assignment", assignment).put("committed", committed));
      return null;
    })));
  }

  /** End offsets of the partitions the group committed in; a topic deleted since is left out. */
  private Future<Map<TopicPartition, Long>> endOffsets(GroupDescription d) {
    Set<String> names = new HashSet<>();
    d.committed().keySet().forEach(tp -> names.add(tp.topic()));
    List<Future<TopicDescription>> described = new ArrayList<>();
    for (String name : names) {
      described.add(topics.describe(name));
    }
    return Future.join(described).transform(ignored -> {
      Map<TopicPartition, Long> ends = new HashMap<>();
      for (Future<TopicDescription> f : described) {
        if (f.succeeded()) {
          f.result().partitions().forEach(p -> ends.put(new TopicPartition(f.result().name(), p.partition()), p.endOffset()));
        }
      }
      return Future.succeededFuture(ends);
    });
  }

  private static JsonArray partitions(Collection<TopicPartition> parts) {
    JsonArray out = new JsonArray();
    parts.stream().sorted(GroupRoutes::compare)
        .forEach(tp -> out.add(new JsonObject().put("topic", tp.topic()).put("partition", tp.partition())));
    return out;
  }

  private static int compare(TopicPartition a, TopicPartition b) {
    int byTopic = a.topic().compareTo(b.topic());
    return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
  }

  private static TopicPartition partition(JsonObject o) {
    String topic = JsonFields.string(o, "topic");
    if (topic == null) {
      throw new InvalidArgumentException("'topic' is required");
    }
    return new TopicPartition(Names.validate("topic", topic), (int) required(o, "partition", Integer.MAX_VALUE));
  }

  private static long required(JsonObject o, String key, long max) {
    long n = JsonFields.wholeNumber(o, key, -1, 0, max);
    if (n < 0) {
      throw new InvalidArgumentException("'" + key + "' is required");
    }
    return n;
  }
}
