package io.sluice.cluster.internal;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.sluice.api.Durability;
import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import io.sluice.api.NotFoundException;
import io.sluice.api.OffsetOutOfRangeException;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.StoreClosedException;
import io.sluice.api.internal.BatchChecks;
import io.sluice.api.internal.LeadershipTracker;
import io.sluice.api.internal.Promises;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.Leadership;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogReplicas;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.SegmentInfo;
import io.sluice.api.store.StateStore;
import io.sluice.cluster.Acks;
import io.sluice.cluster.ClusterNode;
import io.sluice.cluster.ClusterOptions;
import io.sluice.cluster.LeadershipListener;
import io.sluice.cluster.Placement;
import io.sluice.cluster.ReplicatedLogStore;
import io.sluice.cluster.Replication;
import io.sluice.cluster.internal.Wire.Frame;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/*
 * How a replicated store works, and why (the model is Kafka's).
 *
 * Metadata. One Hazelcast map per store (namespace) holds, per log, its Assignment: replicas, leader,
 * leader epoch, in-sync replicas (ISR), version. It is only ever changed by compare-and-set
 * (IMap.replace(key, exactOldValue, newValue)) or putIfAbsent/remove, never under a lock: Hazelcast
 * Community has no CP subsystem. Every node listens to the map; events of one key arrive in order, and
 * they are the ONLY way a node learns a change (also its own), so every node applies the same sequence.
 * Leadership changes are made by one controller, the oldest member (ClusterNodeImpl), with a new epoch;
 * ISR changes by the current leader with the same epoch. Both are compare-and-sets on the same entry,
 * so a leader fenced by a newer epoch can no longer change anything.
 *
 * Replication. Followers pull: a fetch carries (log, incarnation, epoch, fetch offset = the follower's
 * end). The leader rejects another epoch (not_leader: the follower is behind or ahead in metadata and
 * retries), otherwise records the offset as the follower's position, waits (long-poll) for data past
 * it, and answers with whole stored batches (binary, as on disk), its high watermark, start offset
 * and epoch history. The follower appends the batches to its local log (getting the same offsets), takes
 * the new epochs into its history, and fetches again. The high watermark is the minimum position over
 * the ISR; only records below it are readable, and an acks=all append completes when it passes them.
 *
 * ISR. A follower that has not been caught up for replicaLagMaxMs is removed (by the leader); one whose
 * position reaches the high watermark (and the current epoch's start) is added back. The controller
 * removes dead members at once. An acks=all append is refused while |ISR| < minInSync.
 *
 * Leader change and truncation (KIP-101). A new leader appends (epoch, its end) to its epoch history.
 * A follower of a new leader first asks it for the end offset of its own latest epoch and truncates
 * its log to where that epoch ends on the leader (walking back epochs the leader never had), so a tail
 * it got from a failed leader but that was never committed is cut, and every replica ends identical.
 * Records below the high watermark are on every ISR member, so the new leader (elected from the ISR)
 * has them: no acknowledged acks=all record is lost.
 *
 * Reassignment (scale-out). The controller moves a replica in two compare-and-sets: first the new node joins
 * the replica set as an extra, out-of-sync replica (adding/removing in the entry), which fetches like any
 * follower and enters the ISR once caught up; only then is the replaced replica dropped from both sets (a
 * replaced leader hands its leadership over first) and its node deletes its copy. So RF copies exist at every
 * moment and acks=all never waits for a copy still catching up. Leaderships move by the graceful hand-over:
 * the leader stops taking appends (clients retry not_leader), keeps serving fetches until its followers
 * caught up, and only then asks the controller for the new epoch; a rebalanced leader stays in the ISR.
 *
 * Quorum (split brain). Hazelcast lets each side of a network split carry on as a cluster, with its own copy
 * of the map. A node that sees no majority (ClusterNode#hasQuorum) therefore acts as nothing: it refuses
 * appends, trims and fetches on the logs it leads (not_leader; no fetch means no high-watermark progress, so
 * acks=all cannot complete either) and changes no metadata. The majority elects new leaders from the ISR.
 * On heal the smaller side merges into the larger, whose entries win; the rejoined node re-applies the map
 * and its divergent tails are cut by the epoch logic above.
 *
 * Threading. Everything here runs on this verticle's context: map events, membership changes, event-bus
 * requests, timers and local-log completions are all funnelled onto it, so no state needs a lock. Blocking
 * Hazelcast calls run through executeBlocking. Public methods may be called from any thread: they hop
 * onto the context and complete on the caller's.
 */

/**
 * The replicated store of one namespace on one node; see the comment at the top of this file.
 *
 * <p>Thread contract: public methods are thread-safe and never block; all state is confined to the
 * verticle's context.
 */
public final class ReplicaManager extends VerticleBase implements ReplicatedLogStore {

  private static final System.Logger LOG = System.getLogger("io.sluice.cluster");
  /** The local log of epoch histories; names under this prefix are reserved. */
  static final String RESERVED_PREFIX = "__sluice";
  private static final String EPOCHS_LOG = RESERVED_PREFIX + ".epochs";
  private static final long RETRY_BACKOFF_MS = 50;
  /** Empty records per append when a follower skips to the leader's start (about 100 KB a batch). */
  private static final int FILLER_BATCH = 4096;
  /** The controller's in-flight key of a rebalance pass (not a log name: those have no parentheses). */
  private static final String REBALANCE = "(rebalance)";

  private final ClusterNodeImpl node;
  private final ClusterOptions o;
  private final LogStore local;
  private final String namespace;
  private final String self;
  private final IMap<String, String> map;
  /** The nodes running this store (node id → "1"): the only nodes a rebalance moves replicas to. */
  private final IMap<String, String> storeNodes;
  private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
  /** The store-neutral view of the same changes, for the modes (they know no cluster types). */
  private final LeadershipTracker leadership = new LeadershipTracker();
  private final Map<String, ReplicatedPartitionLog> handles = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile boolean halted;
  private String deploymentId;

  // Context-confined.
  private final Map<String, Assignment> assignments = new HashMap<>();
  private final Map<String, Replica> replicas = new HashMap<>();
  private final Map<String, Future<Void>> changes = new HashMap<>();
  private final Map<String, List<Runnable>> assignmentWatchers = new HashMap<>();
  private final java.util.Set<String> controllerInFlight = new java.util.HashSet<>();
  /** Logs whose leader the controller asked to hand over (a rebalance) → to whom, until it answers. */
  private final Map<String, String> yielding = new HashMap<>();
  /** Set when a node starts this store or a rebalance is asked for; the controller clears it once balanced. */
  private boolean rebalanceWanted;
  private long rebalanceWantedAt;
  private final Map<String, List<Promise<Frame>>> inFlight = new HashMap<>();
  private StateStore epochs;
  private MessageConsumer<Buffer> consumer;
  private volatile UUID entryListener;
  private UUID storeNodesListener;
  private long tickTimer = -1;
  private volatile boolean fetchingPaused;
  /** Whether this node saw a majority at the last check (membership change or tick); see ClusterNode#hasQuorum. */
  private boolean quorum = true;

  private ReplicaManager(ClusterNodeImpl node, LogStore local, String namespace) {
    this.node = node;
    this.o = node.settings();
    this.local = local;
    this.namespace = namespace;
    this.self = node.nodeId();
    this.map = node.hazelcast().getMap("sluice.assignments." + namespace);
    this.storeNodes = node.hazelcast().getMap("sluice.stores." + namespace);
  }

  public static Future<ReplicatedLogStore> deploy(ClusterNode node, LogStore local, String namespace) {
    try {
      Names.validate("namespace", namespace);
      if (!(node instanceof ClusterNodeImpl impl)) {
        throw new InvalidArgumentException("not a node started by ClusterNode.start");
      }
      ReplicaManager m = new ReplicaManager(impl, local, namespace);
      return impl.vertx().deployVerticle(m).map(id -> {
        m.deploymentId = id;
        impl.register(m);
        return m;
      });
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private String address(String nodeId) {
    return "sluice.replica." + namespace + "." + nodeId;
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(address(self), this::onRequest);
    return consumer.completion()
        .compose(v -> StateStore.open(local, EPOCHS_LOG, new LogOptions()))
        .compose(s -> {
          epochs = s;
          return vertx.executeBlocking(() -> {
            entryListener = map.addEntryListener(new Listener(), true);
            storeNodesListener = storeNodes.addEntryListener(new StoreStarted(), false);
            storeNodes.put(self, "1");
            node.departed().remove(self);
            return new HashMap<>(map);
          });
        })
        .map(snapshot -> {
          snapshot.forEach((name, raw) -> {
            if (!assignments.containsKey(name)) {
              onEntry(name, raw, null);
            }
          });
          long tick = Math.max(50, Math.min(250, o.getReplicaLagMaxMs() / 4));
          tickTimer = vertx.setPeriodic(tick, id -> tick());
          return null;
        });
  }

  @Override
  public Future<?> stop() {
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
    }
    for (Replica r : replicas.values()) {
      r.generation++;
      failPending(r, Wire.notLeader(r.name, "the store on node " + self + " is closing"));
      r.hwWaiters.close();
    }
    UUID registration = entryListener;
    Future<Void> unlisten = registration == null || halted ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          storeNodes.removeEntryListener(storeNodesListener);
          storeNodes.remove(self);
          return map.removeEntryListener(registration);
        }).mapEmpty();
    return unlisten.recover(e -> Future.succeededFuture())
        .compose(v -> consumer.unregister().recover(e -> Future.succeededFuture()));
  }

  @Override
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    node.unregister(this);
    handles.values().forEach(ReplicatedPartitionLog::closeHandle);
    handles.clear();
    Promise<Void> done = Promises.onCallerContext();
    Future<Void> undeployed = deploymentId == null ? Future.succeededFuture()
        : vertx.undeploy(deploymentId).recover(e -> Future.succeededFuture());
    undeployed
        .compose(v -> epochs == null ? Future.<Void>succeededFuture() : epochs.close().recover(e -> Future.succeededFuture()))
        .compose(v -> local.close())
        .onComplete(done);
    return done.future();
  }

  /** A crash, for tests: stop everything without a word to anybody, and leave the local store as it is. */
  void halt() {
    halted = true;
    closed = true;
    handles.values().forEach(ReplicatedPartitionLog::closeHandle);
    context.runOnContext(v -> replicas.values().forEach(r -> {
      r.generation++;
      failPending(r, Wire.notLeader(r.name, "node " + self + " stopped"));
    }));
  }

  // ------------------------------------------------------------------ calls from any thread

  /** Runs {@code task} on the context; completes on the caller's. */
  <T> Future<T> onContext(Supplier<Future<T>> task) {
    Promise<T> promise = Promises.onCallerContext();
    if (closed) {
      promise.fail(new StoreClosedException("store is closed"));
      return promise.future();
    }
    context.runOnContext(v -> {
      if (closed) {
        promise.tryFail(new StoreClosedException("store is closed"));
        return;
      }
      try {
        task.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.tryFail(e);
      }
    });
    return promise.future();
  }

  @Override
  public String type() {
    return "replicated";
  }

  private static void checkName(String name) {
    Names.validate("log", name);
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new InvalidArgumentException(ErrorCode.INVALID_NAME, "log names starting with '" + RESERVED_PREFIX
          + "' are reserved", null);
    }
  }

  @Override
  public Future<PartitionLog> open(String name, LogOptions options) {
    try {
      return open(name, options, options == null ? Replication.of(o) : replicationOf(options));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * A log's own replication settings over this node's defaults. A default minInSync above the log's own
   * factor is lowered to it: asking for one replica must not make every {@code acks=all} append fail.
   */
  private Replication replicationOf(LogOptions options) {
    int factor = options.getReplicationFactor() != LogOptions.STORE_DEFAULT ? options.getReplicationFactor()
        : o.getReplicationFactor();
    int minInSync = options.getMinInSync() != LogOptions.STORE_DEFAULT ? options.getMinInSync()
        : Math.min(o.getMinInSync(), factor);
    return new Replication(factor, minInSync, o.getAcks());
  }

  @Override
  public Future<PartitionLog> open(String name, LogOptions options, Replication replication) {
    try {
      checkName(name);
      if (options == null || replication == null) {
        throw new InvalidArgumentException("log options are null");
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    LogOptions copy = new LogOptions(options);
    return onContext(() -> assignmentOf(name, copy, replication).map(a -> {
      ReplicatedPartitionLog h = handles.get(name);
      if (h == null || !h.isOpen() || !h.uid().equals(a.uid)) {
        h = new ReplicatedPartitionLog(this, name, a.uid, new LogOptions(a.logOptions));
        handles.put(name, h);
      }
      return (PartitionLog) h;
    }));
  }

  @Override
  public Future<Boolean> exists(String name) {
    try {
      checkName(name);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return onContext(() -> vertx.executeBlocking(() -> map.containsKey(name)));
  }

  @Override
  public Future<List<String>> list() {
    return onContext(() -> vertx.executeBlocking(() -> new ArrayList<>(new TreeSet<>(map.keySet()))));
  }

  @Override
  public Future<Void> drop(String name) {
    try {
      checkName(name);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return onContext(() -> vertx.executeBlocking(() -> map.remove(name)).compose(raw -> {
      if (raw == null) {
        return Future.failedFuture(NotFoundException.unknownLog(name));
      }
      ReplicatedPartitionLog h = handles.remove(name);
      if (h != null) {
        h.closeHandle();
      }
      String uid = Assignment.decode(name, raw).uid;
      return watch(name, () -> {
        Assignment now = assignments.get(name);
        return now == null || !now.uid.equals(uid);
      }).compose(v -> changes.getOrDefault(name, Future.succeededFuture()));
    }));
  }

  @Override
  public Future<Placement> placement(String name) {
    return knownAssignment(name).compose(a -> a.isPresent() ? Future.succeededFuture(a.get().toPlacement())
        : Future.failedFuture(NotFoundException.unknownLog(name)));
  }

  @Override
  public Future<Optional<LogReplicas>> replicas(String name) {
    return knownAssignment(name).map(a -> a.map(Assignment::toReplicas));
  }

  /** The log's assignment as this node applied it last; empty for a log it does not know. */
  private Future<Optional<Assignment>> knownAssignment(String name) {
    try {
      checkName(name);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return onContext(() -> Future.succeededFuture(Optional.ofNullable(assignments.get(name))));
  }

  @Override
  public Leadership leadership() {
    return leadership;
  }

  @Override
  public void addLeadershipListener(LeadershipListener listener) {
    listeners.add(listener);
  }

  void handleClosed(ReplicatedPartitionLog h) {
    handles.remove(h.name(), h);
  }

  /** The log's assignment, creating it (placed on the live nodes) if missing and allowed. */
  private Future<Assignment> assignmentOf(String name, LogOptions options, Replication replication) {
    Assignment known = assignments.get(name);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return vertx.executeBlocking(() -> map.get(name)).compose(raw -> {
      if (raw != null) {
        return whenAssigned(name, Assignment.decode(name, raw).uid);
      }
      if (!options.isCreateIfMissing()) {
        return Future.failedFuture(NotFoundException.unknownLog(name));
      }
      Assignment created;
      try {
        created = place(name, options, replication);
      } catch (SluiceException e) {
        return Future.failedFuture(e);
      }
      return vertx.executeBlocking(() -> map.putIfAbsent(name, created.raw()))
          .compose(winner -> whenAssigned(name, winner == null ? created.uid : Assignment.decode(name, winner).uid));
    });
  }

  /** Completes once this node has applied the assignment of incarnation {@code uid}. */
  private Future<Assignment> whenAssigned(String name, String uid) {
    return watch(name, () -> {
      Assignment a = assignments.get(name);
      return a != null && a.uid.equals(uid);
    }).map(v -> assignments.get(name));
  }

  /** Completes when {@code condition} holds after a map event of {@code name} (or now), within the request timeout. */
  private Future<Void> watch(String name, java.util.function.BooleanSupplier condition) {
    if (condition.getAsBoolean()) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    List<Runnable> watchers = assignmentWatchers.computeIfAbsent(name, k -> new ArrayList<>());
    Runnable[] self = new Runnable[1];
    long timer = vertx.setTimer(o.getRequestTimeoutMs(), id -> {
      assignmentWatchers.getOrDefault(name, new ArrayList<>()).remove(self[0]);
      promise.tryFail(new SluiceException(ErrorCode.TIMEOUT, "log '" + name + "': the cluster metadata did not settle"));
    });
    self[0] = () -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(timer);
        assignmentWatchers.getOrDefault(name, new ArrayList<>()).remove(self[0]);
        promise.tryComplete();
      }
    };
    watchers.add(self[0]);
    return promise.future();
  }

  /**
   * Placement: the nodes with the fewest replicas (then fewest leaderships) hold the new log, never two
   * replicas on one node; the one of them with the fewest leaderships leads. Ties rotate by the name's
   * hash so equal clusters spread logs instead of stacking them on the oldest node.
   */
  private Assignment place(String name, LogOptions options, Replication replication) {
    if (!quorum) {
      throw noQuorum(name);
    }
    List<String> live = node.liveNodes();
    if (live.size() < replication.factor() && options.getReplicationFactor() != LogOptions.STORE_DEFAULT) {
      // Asked for by the log's creator (Kafka's INVALID_REPLICATION_FACTOR): retrying would not help it.
      throw new InvalidArgumentException("log '" + name + "': replication factor " + replication.factor()
          + " exceeds the " + live.size() + " live nodes");
    }
    if (live.size() < replication.factor()) {
      throw new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS, "log '" + name + "' needs " + replication.factor()
          + " nodes, " + live.size() + " are live");
    }
    Map<String, Integer> replicaCount = new HashMap<>();
    Map<String, Integer> leaderCount = new HashMap<>();
    for (Assignment a : assignments.values()) {
      a.replicas.forEach(r -> replicaCount.merge(r, 1, Integer::sum));
      if (a.hasLeader()) {
        leaderCount.merge(a.leader, 1, Integer::sum);
      }
    }
    int rotate = Math.floorMod(name.hashCode(), live.size());
    List<String> order = new ArrayList<>(live.subList(rotate, live.size()));
    order.addAll(live.subList(0, rotate));
    order.sort((x, y) -> Integer.compare(replicaCount.getOrDefault(x, 0), replicaCount.getOrDefault(y, 0)));
    List<String> chosen = new ArrayList<>(order.subList(0, replication.factor()));
    String leader = chosen.get(0);
    for (String c : chosen) {
      if (leaderCount.getOrDefault(c, 0) < leaderCount.getOrDefault(leader, 0)) {
        leader = c;
      }
    }
    chosen.remove(leader);
    chosen.add(0, leader);
    LogOptions stored = new LogOptions(options).setCreateIfMissing(true);
    return new Assignment(name, UUID.randomUUID().toString(), chosen, leader, 0, chosen, 0, replication.minInSync(),
        replication.acks(), stored.toJson());
  }

  // ------------------------------------------------------------------ metadata events

  private final class Listener implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryRemovedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      deliver(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      deliver(event);
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      deliver(event);
    }

    private void deliver(EntryEvent<String, String> event) {
      if (!halted) {
        context.runOnContext(v -> onEntry(event.getKey(), event.getValue(), event.getOldValue()));
      }
    }
  }

  /** A node (re)started this store: a node joined, so the controller rebalances (every node notes it, in case it becomes controller). */
  private final class StoreStarted implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      wantRebalance();
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      wantRebalance();
    }

    private void wantRebalance() {
      if (!halted) {
        context.runOnContext(v -> ReplicaManager.this.wantRebalance());
      }
    }
  }

  private void wantRebalance() {
    if (!rebalanceWanted) {
      rebalanceWanted = true;
      rebalanceWantedAt = Replica.now();
    }
  }

  /** Applies one metadata change: {@code raw} is the new value (null when removed, then {@code oldRaw} was it). */
  private void onEntry(String name, String raw, String oldRaw) {
    if (halted) {
      return;
    }
    Assignment current = assignments.get(name);
    if (raw == null) {
      if (current != null && (oldRaw == null || Assignment.decode(name, oldRaw).uid.equals(current.uid))) {
        assignments.remove(name);
        ReplicatedPartitionLog h = handles.get(name);
        if (h != null && h.uid().equals(current.uid)) {
          handles.remove(name, h);
          h.closeHandle();
        }
        serially(name, () -> removeReplica(name));
      }
    } else {
      Assignment a = Assignment.decode(name, raw);
      if (current != null && current.uid.equals(a.uid) && current.version >= a.version) {
        return;
      }
      if (current != null && !current.uid.equals(a.uid)) {
        serially(name, () -> removeReplica(name));
      }
      assignments.put(name, a);
      if (a.replicas.contains(self)) {
        serially(name, () -> applyReplica(a));
      } else if (current != null && current.uid.equals(a.uid) && current.replicas.contains(self)) {
        // A reassignment moved this replica away: its copy is deleted.
        LOG.log(System.Logger.Level.INFO, "node " + self + ": log '" + name + "' moved away, dropping the local copy");
        serially(name, () -> removeReplica(name));
      }
    }
    List<Runnable> watchers = assignmentWatchers.get(name);
    if (watchers != null) {
      new ArrayList<>(watchers).forEach(Runnable::run);
      if (watchers.isEmpty()) {
        assignmentWatchers.remove(name);
      }
    }
    if (node.isController() && quorum) {
      controllerCheck(name);
    }
  }

  private void serially(String name, Supplier<Future<Void>> change) {
    Future<Void> next = changes.getOrDefault(name, Future.succeededFuture())
        .transform(ar -> halted ? Future.<Void>succeededFuture() : change.get())
        .recover(e -> {
          LOG.log(System.Logger.Level.WARNING, "node " + self + ": applying metadata of log '" + name + "' failed", e);
          return Future.succeededFuture();
        });
    changes.put(name, next);
  }

  private Future<Void> removeReplica(String name) {
    Replica r = replicas.remove(name);
    if (r == null) {
      return Future.succeededFuture();
    }
    boolean led = r.isLeader() && r.announced;
    r.announced = false;
    r.generation++;
    r.role = Replica.Role.NONE;
    failPending(r, Wire.notLeader(name, "the log was dropped"));
    r.hwWaiters.close();
    if (led) {
      notifyLeadership(name, false, r.assignment.epoch);
    }
    return epochs.remove(name)
        .compose(v -> local.drop(name).recover(e -> e instanceof SluiceException se && se.code() == ErrorCode.UNKNOWN_LOG
            ? Future.succeededFuture() : Future.failedFuture(e)));
  }

  /** Creates this node's replica if needed, then takes the role the assignment gives it. */
  private Future<Void> applyReplica(Assignment a) {
    Replica existing = replicas.get(a.log);
    Future<Replica> ready = existing != null ? Future.succeededFuture(existing) : createReplica(a);
    return ready.compose(r -> {
      Assignment before = r.assignment;
      r.assignment = a;
      if (a.leader.equals(self)) {
        if (!r.isLeader() || before == null || before.epoch != a.epoch) {
          return becomeLeader(r);
        }
        onIsrChanged(r);
        return Future.succeededFuture();
      }
      if (r.role != Replica.Role.FOLLOWER || before == null || before.epoch != a.epoch) {
        becomeFollower(r);
      }
      return Future.succeededFuture();
    });
  }

  private Future<Replica> createReplica(Assignment a) {
    Buffer stored = epochs.get(a.log);
    EpochHistory history = stored == null ? null : EpochHistory.decode(stored.toString());
    LogOptions options = new LogOptions(a.logOptions).setCreateIfMissing(true);
    Future<Void> fresh = Future.succeededFuture();
    if (history == null || !history.uid().equals(a.uid)) {
      // A copy of an older incarnation of this name (dropped while this node was away) is not this log.
      fresh = local.exists(a.log).compose(e -> e ? local.drop(a.log) : Future.succeededFuture());
      history = new EpochHistory(a.uid);
    }
    EpochHistory h = history;
    return fresh.compose(v -> local.open(a.log, options)).compose(log -> {
      Replica r = new Replica(vertx, a.log, log, h);
      replicas.put(a.log, r);
      return saveHistory(r).map(r);
    });
  }

  private Future<Void> saveHistory(Replica r) {
    return epochs.put(r.name, Buffer.buffer(r.history.encode()));
  }

  private void notifyLeadership(String name, boolean leader, long epoch) {
    leadership.changed(name, leader);
    for (LeadershipListener l : listeners) {
      try {
        l.leadershipChanged(name, leader, epoch);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a leadership listener failed", e);
      }
    }
  }

  // ------------------------------------------------------------------ leader

  private Future<Void> becomeLeader(Replica r) {
    boolean was = r.isLeader();
    r.generation++;
    r.role = Replica.Role.NONE;
    Assignment a = r.assignment;
    return r.appending.compose(v -> r.log.endOffset()).compose(end -> {
      r.leaderEnd = end;
      boolean changed = r.history.assign(a.epoch, end);
      r.highWatermark = Math.min(r.highWatermark, end);
      r.progress.clear();
      long now = Replica.now();
      for (String f : a.replicas) {
        if (!f.equals(self)) {
          Replica.Progress p = new Replica.Progress();
          p.position = a.isr.contains(f) ? r.highWatermark : -1;
          p.caughtUpAt = now;
          r.progress.put(f, p);
        }
      }
      r.leaving = false;
      return changed ? saveHistory(r) : Future.<Void>succeededFuture();
    }).map(v -> {
      r.role = Replica.Role.LEADER;
      if (!was) {
        // A new leader's high watermark can trail what the old one acknowledged; an owner that replayed its
        // state now would miss acknowledged records (a queue would redeliver acked messages). Announce once
        // the watermark covers the whole log this node holds (advanceHighWatermark does).
        r.announced = false;
        r.announceAt = r.leaderEnd;
      }
      advanceHighWatermark(r);
      return null;
    });
  }

  private void onIsrChanged(Replica r) {
    Assignment a = r.assignment;
    for (String f : a.isr) {
      Replica.Progress p = r.progress.get(f);
      if (p != null && p.position < 0) {
        p.position = r.highWatermark;
      }
    }
    if (a.acks == Acks.ALL && a.isr.size() < a.minInSync) {
      failPending(r, notEnoughReplicas(r));
    }
    advanceHighWatermark(r);
  }

  private static SluiceException notEnoughReplicas(Replica r) {
    return new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS, "log '" + r.name + "' has " + r.assignment.isr.size()
        + " in-sync replicas " + r.assignment.isr + ", needs " + r.assignment.minInSync);
  }

  private void failPending(Replica r, SluiceException e) {
    Replica.Pending p;
    while ((p = r.pending.poll()) != null) {
      vertx.cancelTimer(p.timerId());
      p.promise().tryFail(e);
    }
  }

  /** The high watermark: the smallest position over the in-sync replicas (the leader's is its end). */
  private void advanceHighWatermark(Replica r) {
    if (!r.isLeader()) {
      return;
    }
    long hw = r.leaderEnd;
    for (String f : r.assignment.isr) {
      if (!f.equals(self)) {
        Replica.Progress p = r.progress.get(f);
        hw = Math.min(hw, p == null || p.position < 0 ? r.highWatermark : p.position);
      }
    }
    if (hw > r.highWatermark) {
      r.highWatermark = hw;
      r.hwWaiters.wake(hw);
    }
    while (!r.pending.isEmpty() && r.pending.peek().local().lastOffset() < r.highWatermark) {
      Replica.Pending p = r.pending.poll();
      vertx.cancelTimer(p.timerId());
      AppendResult l = p.local();
      p.promise().tryComplete(new AppendResult(l.baseOffset(), l.lastOffset(), l.appendTime(), Durability.REPLICATED));
    }
    if (!r.announced && r.highWatermark >= r.announceAt) {
      r.announced = true;
      notifyLeadership(r.name, true, r.assignment.epoch);
    }
  }

  private void followerFetched(Replica r, String follower, long position) {
    Replica.Progress p = r.progress.computeIfAbsent(follower, k -> new Replica.Progress());
    long now = Replica.now();
    if (position >= r.leaderEnd) {
      p.caughtUpAt = now;
    } else if (p.lastFetchLeaderEnd >= 0 && position >= p.lastFetchLeaderEnd) {
      p.caughtUpAt = Math.max(p.caughtUpAt, p.lastFetchAt);
    }
    p.lastFetchLeaderEnd = r.leaderEnd;
    p.lastFetchAt = now;
    p.position = position;
    Assignment a = r.assignment;
    // A follower Hazelcast counts as gone (a split that leaves the event bus up) does not rejoin the ISR.
    if (!a.isr.contains(follower) && position >= r.highWatermark && position >= r.history.startOf(a.epoch)
        && node.liveNodes().contains(follower)) {
      List<String> grown = new ArrayList<>(a.isr);
      grown.add(follower);
      changeIsr(r, grown);
    }
    advanceHighWatermark(r);
  }

  /** Removes followers that have not been caught up for replicaLagMaxMs. */
  private void checkIsr(Replica r) {
    Assignment a = r.assignment;
    long now = Replica.now();
    List<String> kept = new ArrayList<>();
    for (String f : a.isr) {
      Replica.Progress p = r.progress.get(f);
      if (f.equals(self) || p == null || now - p.caughtUpAt <= o.getReplicaLagMaxMs()) {
        kept.add(f);
      }
    }
    if (kept.size() < a.isr.size()) {
      changeIsr(r, kept);
    }
  }

  /** The leader changes the in-sync set by compare-and-set at its own epoch; the map event applies it. */
  private void changeIsr(Replica r, List<String> isr) {
    if (r.isrChangeInFlight) {
      return;
    }
    r.isrChangeInFlight = true;
    Assignment from = r.assignment;
    Assignment to = from.withIsr(isr);
    vertx.executeBlocking(() -> map.replace(r.name, from.raw(), to.raw())).onComplete(ar -> {
      r.isrChangeInFlight = false;
      if (ar.failed()) {
        LOG.log(System.Logger.Level.DEBUG, "ISR change of '" + r.name + "' failed", ar.cause());
      } else if (ar.result()) {
        LOG.log(System.Logger.Level.INFO, "node " + self + ": log '" + r.name + "' in-sync replicas " + from.isr + " -> " + isr);
      }
    });
  }

  /** Fails unless this node leads {@code name}; while it hands the leadership over, only followers are served (so they catch up). */
  private void checkLeader(Replica r, String name, String op) {
    if (r == null || !r.isLeader()) {
      throw Wire.notLeader(name, "node " + self + " is not its leader");
    }
    boolean replication = op.equals("fetch") || op.equals("epochEnd");
    if (r.leaving && !replication) {
      throw Wire.notLeader(name, "node " + self + " is handing its leadership over");
    }
    boolean write = op.equals("append") || op.equals("trim");
    // A write also asks now, not only at the last tick: one between losing the majority and the next tick was taken.
    if (!quorum && (replication || write) || write && !node.hasQuorum()) {
      throw noQuorum(name);
    }
  }

  // ------------------------------------------------------------------ serving requests (on the leader)

  private void onRequest(Message<Buffer> m) {
    Frame req = Frame.from(m);
    Future<Frame> answer;
    try {
      if (closed) {
        throw Wire.notLeader(req.get("log"), "the store on node " + self + " is closed");
      }
      answer = serve(req, null);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(ar.result().body(), ar.result().delivery(o.getRequestTimeoutMs()));
      } else {
        Wire.fail(m, ar.cause());
      }
    });
  }

  /** Serves a call on this node, which must lead the log; {@code batch} is the append's batch when local. */
  Future<Frame> serve(Frame req, RecordBatch batch) {
    String op = req.get("op");
    String name = req.get("log");
    switch (op) {
      case "handOver":
        return controllerHandOver(name, req.get("from"), req.headers().get("to"));
      case "yield":
        return serveYield(name, req.get("to"));
      case "rebalance":
        wantRebalance();
        return Future.succeededFuture(Frame.empty());
      default:
        break;
    }
    Replica r = replicas.get(name);
    checkLeader(r, name, op);
    switch (op) {
      case "fetch":
        return serveFetch(r, req);
      case "epochEnd":
        return serveEpochEnd(r, req);
      case "append":
        return serveAppend(r, batch != null ? batch : RecordBatch.wrap(req.body()));
      case "read":
        return serveRead(r, req.getLong("from"), req.getInt("maxRecords"), req.getInt("maxBytes"));
      case "start":
        return r.log.startOffset().map(s -> Frame.empty().with("value", s));
      case "end":
        return Future.succeededFuture(Frame.empty().with("value", r.highWatermark));
      case "time":
        return r.log.offsetForTimestamp(req.getLong("timestamp")).map(t -> Frame.empty()
            .with("value", t.isPresent() && t.getAsLong() < r.highWatermark ? t.getAsLong() : -1));
      case "trim":
        return serveTrim(r, req.getLong("offset"));
      case "await":
        return r.hwWaiters.await(req.getLong("offset"), req.getLong("timeoutMs"), () -> r.highWatermark)
            .map(end -> Frame.empty().with("value", end));
      case "segments":
        return r.log.segments().map(ReplicaManager::encodeSegments);
      case "size":
        return r.log.sizeInBytes().map(s -> Frame.empty().with("value", s));
      case "flush":
        return r.log.flush().map(v -> Frame.empty());
      default:
        throw new InvalidArgumentException("unknown replica request '" + op + "'");
    }
  }

  private Future<Frame> serveAppend(Replica r, RecordBatch batch) {
    Assignment a = r.assignment;
    if (a.acks == Acks.ALL && a.isr.size() < a.minInSync) {
      return Future.failedFuture(notEnoughReplicas(r));
    }
    long generation = r.generation;
    return r.log.append(batch).compose(local -> {
      r.leaderEnd = Math.max(r.leaderEnd, local.lastOffset() + 1);
      if (generation != r.generation) {
        return Future.failedFuture(Wire.notLeader(r.name, "leadership moved during the append"));
      }
      Future<AppendResult> done;
      if (a.acks == Acks.LEADER) {
        done = Future.succeededFuture(local);
      } else {
        Promise<AppendResult> promise = Promise.promise();
        long timer = vertx.setTimer(o.getRequestTimeoutMs(), id -> {
          r.pending.removeIf(p -> p.promise() == promise);
          promise.tryFail(new SluiceException(ErrorCode.TIMEOUT, "log '" + r.name + "': in-sync replicas did not "
              + "confirm offsets " + local.baseOffset() + ".." + local.lastOffset() + " in time"));
        });
        r.pending.add(new Replica.Pending(local, promise, timer));
        done = promise.future();
      }
      advanceHighWatermark(r);
      return done;
    }).map(res -> Frame.empty().with("base", res.baseOffset()).with("last", res.lastOffset())
        .with("time", res.appendTime()).with("durability", res.durability().name()));
  }

  private Future<Frame> serveRead(Replica r, long from, int maxRecords, int maxBytes) {
    long hw = r.highWatermark;
    // A new leader may not know yet how far the old one had committed: an offset it holds but cannot
    // show yet reads as empty (come back later), not as out of range (which would make consumers reset).
    long visibleEnd = from > hw && from <= r.leaderEnd ? from : hw;
    return r.log.startOffset().compose(start -> {
      BatchChecks.checkRead(r.name, from, maxRecords, maxBytes, start, visibleEnd);
      if (from >= hw) {
        return Future.succeededFuture(Frame.empty().with("from", from).with("next", from));
      }
      int max = (int) Math.min(maxRecords, hw - from);
      return r.log.read(from, max, maxBytes).map(rs -> Frame.of(rs.encoded()).with("from", rs.fromOffset())
          .with("next", Math.min(rs.nextOffset(), hw)));
    });
  }

  private Future<Frame> serveTrim(Replica r, long offset) {
    return r.log.startOffset().compose(start -> {
      BatchChecks.checkTrim(r.name, offset, start, r.highWatermark);
      return r.log.trimBefore(offset);
    }).map(v -> Frame.empty());
  }

  private static Frame encodeSegments(List<SegmentInfo> segments) {
    JsonArray out = new JsonArray();
    for (SegmentInfo s : segments) {
      out.add(new JsonArray().add(s.baseOffset()).add(s.nextOffset()).add(s.sizeInBytes()).add(s.maxTimestamp())
          .add(s.active()));
    }
    return Frame.of(out.toBuffer());
  }

  static List<SegmentInfo> decodeSegments(Buffer body) {
    JsonArray in = new JsonArray(body);
    List<SegmentInfo> out = new ArrayList<>(in.size());
    for (int i = 0; i < in.size(); i++) {
      JsonArray s = in.getJsonArray(i);
      out.add(new SegmentInfo(s.getLong(0), s.getLong(1), s.getLong(2), s.getLong(3), s.getBoolean(4)));
    }
    return out;
  }

  private void checkEpoch(Replica r, Frame req) {
    if (!r.assignment.uid.equals(req.get("uid")) || r.assignment.epoch != req.getLong("epoch")) {
      throw Wire.notLeader(r.name, "stale request: epoch " + req.get("epoch") + " of " + req.get("uid")
          + ", the leader is at epoch " + r.assignment.epoch);
    }
  }

  private Future<Frame> serveEpochEnd(Replica r, Frame req) {
    checkEpoch(r, req);
    long[] end = r.history.endOf(req.getLong("asked"), r.leaderEnd);
    return Future.succeededFuture(Frame.empty().with("epoch", end[0]).with("end", end[1]));
  }

  private Future<Frame> serveFetch(Replica r, Frame req) {
    checkEpoch(r, req);
    String follower = req.get("replica");
    if (!r.assignment.replicas.contains(follower) || follower.equals(self)) {
      throw new InvalidArgumentException("node " + follower + " is not a follower of '" + r.name + "'");
    }
    long offset = req.getLong("offset");
    long generation = r.generation;
    return r.log.startOffset().compose(start -> {
      if (offset < start || offset > r.leaderEnd) {
        return Future.failedFuture(new OffsetOutOfRangeException(r.name, offset, start, r.leaderEnd));
      }
      followerFetched(r, follower, offset);
      Future<Long> ready = offset < r.leaderEnd ? Future.succeededFuture(r.leaderEnd)
          : r.log.awaitAppend(offset, o.getFetchWaitMs());
      return ready.compose(end -> {
        if (generation != r.generation) {
          return Future.failedFuture(Wire.notLeader(r.name, "leadership changed during the fetch"));
        }
        Future<Records> data = end > offset ? r.log.read(offset, Integer.MAX_VALUE, o.getFetchMaxBytes())
            : Future.succeededFuture(Records.empty(offset));
        return data.map(rs -> Frame.of(rs.isEmpty() ? Buffer.buffer() : rs.encoded()).with("hw", r.highWatermark)
            .with("start", start).with("epochs", r.history.entries()));
      });
    });
  }

  // ------------------------------------------------------------------ follower

  private void becomeFollower(Replica r) {
    if (r.isLeader()) {
      failPending(r, Wire.notLeader(r.name, "node " + self + " lost its leadership (epoch " + r.assignment.epoch + ")"));
      if (r.announced) {
        notifyLeadership(r.name, false, r.assignment.epoch);
      }
      r.announced = false;
    }
    r.generation++;
    r.role = Replica.Role.FOLLOWER;
    r.leaving = false;
    if (r.assignment.hasLeader()) {
      startFollowing(r, r.generation);
    }
  }

  /**
   * A request to another node. If that node leaves the cluster while the request is out, it fails at
   * once with {@code not_leader} (so callers retry at the new leader within a second instead of waiting
   * for the timeout): like a timeout, the request may or may not have been carried out.
   */
  private Future<Frame> request(String nodeId, String log, Frame req, long timeoutMs) {
    Promise<Frame> promise = Promise.promise();
    List<Promise<Frame>> out = inFlight.computeIfAbsent(nodeId, k -> new ArrayList<>());
    out.add(promise);
    vertx.eventBus().<Buffer>request(address(nodeId), req.body(), req.delivery(timeoutMs)).onComplete(ar -> {
      out.remove(promise);
      if (ar.succeeded()) {
        promise.tryComplete(Frame.from(ar.result()));
      } else {
        promise.tryFail(Wire.error(ar.cause(), log, nodeId));
      }
    });
    return promise.future();
  }

  /** Fails the requests out to nodes that are no longer members. */
  private void failRequestsToDeparted() {
    List<String> live = node.liveNodes();
    for (Map.Entry<String, List<Promise<Frame>>> e : inFlight.entrySet()) {
      if (!live.contains(e.getKey()) && !e.getValue().isEmpty()) {
        List<Promise<Frame>> gone = new ArrayList<>(e.getValue());
        e.getValue().clear();
        gone.forEach(p -> p.tryFail(new SluiceException(ErrorCode.NOT_LEADER, "node " + e.getKey() + " left the cluster")));
      }
    }
  }

  private Frame followerRequest(Replica r, String op) {
    return Frame.empty().with("op", op).with("log", r.name).with("uid", r.assignment.uid)
        .with("epoch", r.assignment.epoch).with("replica", self);
  }

  /** First cut the divergent tail (KIP-101), then fetch until the generation changes. */
  private void startFollowing(Replica r, long generation) {
    if (generation != r.generation || halted) {
      return;
    }
    // Appends of an earlier generation's fetch still in flight land first: the reconciliation sees the copy's real end.
    Future<Void> reconciled = r.appending.compose(v -> r.history.isEmpty() ? Future.succeededFuture()
        : reconcile(r, r.history.latestEpoch(), generation));
    reconciled.onComplete(ar -> {
      if (ar.succeeded()) {
        fetch(r, generation);
      } else {
        retryLater(r, generation, () -> startFollowing(r, generation));
      }
    });
  }

  private Future<Void> reconcile(Replica r, long epoch, long generation) {
    Assignment a = r.assignment;
    return request(a.leader, r.name, followerRequest(r, "epochEnd").with("asked", epoch), o.getRequestTimeoutMs())
        .compose(ans -> {
          if (generation != r.generation) {
            return Future.failedFuture(Wire.notLeader(r.name, "leadership changed"));
          }
          long leaderEpoch = ans.getLong("epoch");
          long leaderEnd = ans.getLong("end");
          return r.log.endOffset().compose(end -> {
            if (leaderEpoch < 0) {
              return truncate(r, 0);
            }
            long mine = r.history.epochAtMost(leaderEpoch);
            if (mine < 0) {
              return truncate(r, 0);
            }
            if (mine == leaderEpoch) {
              return truncate(r, Math.min(leaderEnd, r.history.endOf(mine, end)[1]));
            }
            return reconcile(r, mine, generation);
          });
        });
  }

  /** Cuts the local log at {@code offset} (at least its start); a cut inside a batch falls back to emptying it. */
  private Future<Void> truncate(Replica r, long offset) {
    return r.log.startOffset().compose(start -> r.log.endOffset().compose(end -> {
      long cut = Math.max(offset, start);
      if (cut >= end) {
        return Future.succeededFuture();
      }
      LOG.log(System.Logger.Level.INFO, "node " + self + ": truncating '" + r.name + "' from " + end + " to " + cut);
      return r.log.truncateTo(cut).recover(e -> {
        if (e instanceof SluiceException se && se.code() == ErrorCode.INVALID_ARGUMENT) {
          return r.log.truncateTo(start).map(v -> {
            r.history.truncateFromEnd(start);
            return null;
          });
        }
        return Future.failedFuture(e);
      }).compose(v -> {
        r.history.truncateFromEnd(cut);
        r.highWatermark = Math.min(r.highWatermark, cut);
        return saveHistory(r);
      });
    }));
  }

  private void fetch(Replica r, long generation) {
    if (generation != r.generation || halted) {
      return;
    }
    if (fetchingPaused) {
      retryLater(r, generation, () -> fetch(r, generation));
      return;
    }
    Assignment a = r.assignment;
    r.log.endOffset()
        .compose(end -> request(a.leader, r.name, followerRequest(r, "fetch").with("offset", end),
            o.getFetchWaitMs() + o.getRequestTimeoutMs()).compose(ans -> fetchingPaused
                ? Future.failedFuture(Wire.notLeader(r.name, "fetching is paused"))
                : appendFetched(r, generation, end, ans)))
        .onComplete(ar -> {
          if (generation != r.generation || halted) {
            return;
          }
          if (ar.succeeded()) {
            fetch(r, generation);
          } else if (ar.cause() instanceof SluiceException se && se.code() == ErrorCode.OFFSET_OUT_OF_RANGE) {
            retryLater(r, generation, () -> skipToLeaderStart(r, generation).onComplete(v -> startFollowing(r, generation)));
          } else {
            retryLater(r, generation, () -> fetch(r, generation));
          }
        });
  }

  /**
   * A follower whose end fell below the leader's start cannot fetch: the leader trimmed records the follower
   * never copied (a queue's acknowledged messages while the follower was down, retention). Like Kafka's
   * follower, it then drops its copy and starts empty at the leader's start. The store has no call to move
   * an empty log's start past its end, so the offsets in between are filled with empty records and trimmed
   * at once; the epoch history starts again from the leader's.
   */
  private Future<Void> skipToLeaderStart(Replica r, long generation) {
    return request(r.assignment.leader, r.name, followerRequest(r, "start"), o.getRequestTimeoutMs())
        .compose(ans -> r.log.startOffset().compose(start -> r.log.endOffset().compose(end -> {
          long leaderStart = ans.getLong("value");
          if (generation != r.generation || end >= leaderStart) {
            return Future.<Void>succeededFuture();
          }
          LOG.log(System.Logger.Level.INFO, "node " + self + ": '" + r.name + "' ends at " + end
              + ", below the leader's start " + leaderStart + ": starting again from there");
          return truncate(r, start).compose(v -> fillTo(r, leaderStart)).compose(v -> r.log.trimBefore(leaderStart))
              .compose(v -> {
                r.history.truncateFromEnd(0);
                return saveHistory(r);
              });
        })));
  }

  /** Appends empty records until the local log ends at {@code offset}. */
  private Future<Void> fillTo(Replica r, long offset) {
    return r.log.endOffset().compose(end -> {
      if (end >= offset) {
        return Future.<Void>succeededFuture();
      }
      List<io.sluice.api.Message> filler = new ArrayList<>();
      for (long i = end; i < offset && filler.size() < FILLER_BATCH; i++) {
        filler.add(io.sluice.api.Message.of(Buffer.buffer()));
      }
      return r.log.append(RecordBatch.of(filler)).compose(res -> fillTo(r, offset));
    });
  }

  private void retryLater(Replica r, long generation, Runnable action) {
    vertx.setTimer(RETRY_BACKOFF_MS * 2, id -> {
      if (generation == r.generation && !halted) {
        action.run();
      }
    });
  }

  /**
   * Appends one fetch answer's batches to the local copy. They are issued all at once, so a store that commits
   * appends in groups (one fsync for many) does so here too; the stores apply appends in call order, so each must
   * land at the leader's offset. If one fails or lands elsewhere, the copy is cut back to the first bad offset before
   * the fetch fails: a follower never keeps records at offsets that differ from the leader's.
   */
  private Future<Void> appendFetched(Replica r, long generation, long from, Frame ans) {
    if (generation != r.generation) {
      return Future.failedFuture(Wire.notLeader(r.name, "leadership changed"));
    }
    Buffer body = ans.body();
    List<RecordBatch> batches = new ArrayList<>();
    List<Long> bases = new ArrayList<>();
    long expected = from;
    for (int pos = 0; pos < body.length(); ) {
      int size = RecordBatch.sizeAt(body, pos);
      RecordBatch batch = RecordBatch.wrap(body.slice(pos, pos + size));
      pos += size;
      if (batch.baseOffset() != expected) {
        return Future.failedFuture(new OffsetOutOfRangeException(r.name, batch.baseOffset(), expected, expected));
      }
      batches.add(batch);
      bases.add(expected);
      expected = batch.lastOffset() + 1;
    }
    List<Future<AppendResult>> results = new ArrayList<>(batches.size());
    for (RecordBatch batch : batches) {
      results.add(r.log.append(batch));
    }
    // The store assigns offsets in place: the leader's are in bases, to compare with where each batch landed.
    Future<Void> appended = Future.join(results).transform(all -> checkAppended(r, bases, results));
    r.appending = appended.transform(ar -> Future.<Void>succeededFuture());
    long end = expected;
    return appended.compose(v -> {
      if (generation != r.generation) {
        return Future.failedFuture(Wire.notLeader(r.name, "leadership changed"));
      }
      boolean changed = r.history.follow(ans.headers().get("epochs"), end);
      r.highWatermark = Math.max(r.highWatermark, Math.min(ans.getLong("hw"), end));
      long leaderStart = ans.getLong("start");
      Future<Void> saved = changed ? saveHistory(r) : Future.succeededFuture();
      return saved.compose(x -> r.log.startOffset()).compose(start -> leaderStart > start
          ? r.log.trimBefore(Math.min(leaderStart, end)) : Future.succeededFuture());
    });
  }

  /** Succeeds if every batch landed at the leader's offset; else cuts the copy at the first that did not, and fails. */
  private Future<Void> checkAppended(Replica r, List<Long> bases, List<Future<AppendResult>> results) {
    for (int i = 0; i < bases.size(); i++) {
      Future<AppendResult> res = results.get(i);
      long base = bases.get(i);
      if (res.succeeded() && res.result().baseOffset() == base) {
        continue;
      }
      Throwable cause = res.failed() ? res.cause() : new SluiceException(ErrorCode.STORAGE_FAILURE, "log '" + r.name
          + "': fetched offset " + base + " landed at " + res.result().baseOffset());
      LOG.log(System.Logger.Level.WARNING, "node " + self + ": log '" + r.name + "': appending fetched offset " + base
          + " failed; cutting the copy back to it", cause);
      return r.log.truncateTo(base).transform(cut -> {
        if (cut.failed()) {
          cause.addSuppressed(cut.cause());
        }
        return Future.failedFuture(cause);
      });
    }
    return Future.succeededFuture();
  }

  // ------------------------------------------------------------------ controller

  void membershipChanged() {
    if (!halted && !closed) {
      context.runOnContext(v -> {
        failRequestsToDeparted();
        tick();
      });
    }
  }

  private void tick() {
    if (halted || closed) {
      return;
    }
    boolean now = node.hasQuorum();
    if (now != quorum) {
      quorum = now;
      quorumChanged();
    }
    if (!quorum) {
      return; // a minority changes no metadata: no ISR shrink, no election
    }
    for (Replica r : replicas.values()) {
      if (r.isLeader()) {
        checkIsr(r);
      }
    }
    if (node.isController()) {
      new ArrayList<>(assignments.keySet()).forEach(this::controllerCheck);
      // Settle first: right after nodes start, their followers may not fetch yet (nor reach each other).
      if (rebalanceWanted && Replica.now() - rebalanceWantedAt >= o.getReplicaLagMaxMs()) {
        rebalanceStep();
      }
    }
  }

  /**
   * Lost: leaders fail their waiting acks=all appends (not_leader: they may or may not survive, as on a
   * leader change) and refuse writes and fetches until the majority is back. Regained (the split healed
   * and Hazelcast merged this node back): the metadata listener is registered again and the current map
   * applied, so this node learns the leaders the majority elected meanwhile, follows them and truncates
   * its divergent tails (epoch logic).
   */
  private void quorumChanged() {
    List<String> live = node.liveNodes();
    if (!quorum) {
      LOG.log(System.Logger.Level.WARNING, "node " + self + " sees " + live + ", not a majority of the cluster: it "
          + "acknowledges no writes until it does");
      for (Replica r : replicas.values()) {
        if (r.isLeader()) {
          failPending(r, noQuorum(r.name));
        }
      }
      return;
    }
    LOG.log(System.Logger.Level.WARNING, "node " + self + " sees a majority again: " + live);
    UUID old = entryListener;
    vertx.executeBlocking(() -> {
      UUID fresh = map.addEntryListener(new Listener(), true);
      try {
        map.removeEntryListener(old);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "the old metadata listener is gone", e);
      }
      storeNodes.put(self, "1");
      entryListener = fresh;
      return new HashMap<>(map);
    }).onSuccess(snapshot -> snapshot.forEach((name, raw) -> onEntry(name, raw, null)));
  }

  private SluiceException noQuorum(String log) {
    return Wire.notLeader(log, "node " + self + " cannot see a majority of the cluster");
  }

  /**
   * The controller's rule for one log: a leader that is not live is replaced by the first live in-sync
   * replica with a new epoch (none live: no leader, and the ISR is kept so the last in-sync replica
   * can lead when it returns; an out-of-sync replica never leads); dead members leave the ISR.
   */
  private void controllerCheck(String name) {
    Assignment a = assignments.get(name);
    if (a == null || controllerInFlight.contains(name)) {
      return;
    }
    List<String> live = node.liveNodes();
    List<String> liveIsr = a.isr.stream().filter(live::contains).toList();
    Assignment next = null;
    if (!a.hasLeader() || !live.contains(a.leader)) {
      if (!liveIsr.isEmpty()) {
        next = a.withLeader(liveIsr.get(0), liveIsr);
      } else if (a.hasLeader()) {
        next = a.withLeader(Assignment.NO_LEADER, a.isr);
      }
    } else if (liveIsr.size() < a.isr.size()) {
      next = a.withIsr(liveIsr);
    } else if (a.moving()) {
      next = advanceMove(a, live);
    }
    if (next != null) {
      controllerSet(a, next);
    }
  }

  /**
   * The next step of a reassignment: abandoned if a new replica's node left; else, once every replica it
   * keeps is in sync, the replaced ones are dropped (a replaced leader first hands its leadership over).
   */
  private Assignment advanceMove(Assignment a, List<String> live) {
    if (!live.containsAll(a.adding)) {
      return a.withoutReplicas(a.adding);
    }
    List<String> kept = a.target();
    if (!a.isr.containsAll(kept)) {
      return null; // the new replica is still catching up
    }
    if (a.removing.contains(a.leader)) {
      askToYield(a, kept.stream().filter(live::contains).findFirst().orElse(null));
      return null;
    }
    return a.withoutReplicas(a.removing);
  }

  /** Asks the leader of {@code a} to hand its leadership to {@code to} (an in-sync replica) gracefully. */
  private void askToYield(Assignment a, String to) {
    if (to == null || yielding.containsKey(a.log)) {
      return;
    }
    yielding.put(a.log, to);
    Frame req = Frame.empty().with("op", "yield").with("log", a.log).with("to", to);
    Future<Frame> asked = a.leader.equals(self) ? serveYield(a.log, to)
        : request(a.leader, a.log, req, o.getHandOverTimeoutMs() + 2 * o.getRequestTimeoutMs());
    asked.onComplete(ar -> {
      yielding.remove(a.log);
      if (ar.failed()) {
        LOG.log(System.Logger.Level.DEBUG, "asking the leader of '" + a.log + "' to yield failed", ar.cause());
      }
    });
  }

  /**
   * On a leader: hands {@code name} to the in-sync replica {@code to}, as a graceful leave would, staying in
   * sync. Only to a follower that fetched here lately: one that has not started following yet (just
   * started, or not reachable yet over the event bus) would leave the new leader's followers unserved.
   */
  private Future<Frame> serveYield(String name, String to) {
    Replica r = replicas.get(name);
    Replica.Progress p = r == null ? null : r.progress.get(to);
    if (r == null || !r.isLeader() || r.leaving || !r.assignment.isr.contains(to) || p == null
        || p.lastFetchAt == 0 || Replica.now() - p.lastFetchAt > o.getReplicaLagMaxMs() / 2) {
      return Future.succeededFuture(Frame.empty().with("moved", false));
    }
    r.leaving = true;
    return handOver(r, Replica.now() + o.getHandOverTimeoutMs(), to).map(v -> Frame.empty().with("moved", true));
  }

  /*
   * Rebalancing (the controller, while rebalanceWanted). Counted over the live nodes that run this store, on
   * the replica sets logs will have once their moves complete. First replicas: a healthy log (not moving,
   * led, every replica live and in sync) gives its replica on a node holding at least two more than the
   * least loaded node without one to that node (a follower's replica rather than the leader's). Once no
   * replica move is planned or running, leaderships: a log led by a node leading at least two more than one
   * of its in-sync followers is handed to that follower. So counts end within one of each other. Moves are
   * compare-and-sets of the entry (replicas) or graceful hand-overs (leaders), at most maxConcurrentMoves
   * at once; the flag clears when a pass finds nothing to do.
   */
  private void rebalanceStep() {
    if (controllerInFlight.contains(REBALANCE)) {
      return;
    }
    controllerInFlight.add(REBALANCE);
    vertx.executeBlocking(() -> new ArrayList<>(storeNodes.keySet())).onComplete(ar -> {
      controllerInFlight.remove(REBALANCE);
      if (ar.succeeded() && node.isController() && !closed) {
        List<String> nodes = new ArrayList<>(node.liveNodes());
        nodes.retainAll(ar.result());
        planMoves(nodes);
      }
    });
  }

  private void planMoves(List<String> nodes) {
    long moving = assignments.values().stream().filter(Assignment::moving).count();
    int budget = (int) (o.getMaxConcurrentMoves() - moving - yielding.size());
    Map<String, Integer> replicaCount = new HashMap<>();
    Map<String, Integer> leaderCount = new HashMap<>();
    nodes.forEach(n -> {
      replicaCount.put(n, 0);
      leaderCount.put(n, 0);
    });
    for (Assignment a : assignments.values()) {
      a.target().forEach(r -> replicaCount.computeIfPresent(r, (k, c) -> c + 1));
      leaderCount.computeIfPresent(yielding.getOrDefault(a.log, a.leader), (k, c) -> c + 1);
    }
    List<Assignment> healthy = new ArrayList<>();
    for (String name : new TreeSet<>(assignments.keySet())) {
      Assignment a = assignments.get(name);
      if (!a.moving() && a.hasLeader() && nodes.containsAll(a.replicas) && a.isr.containsAll(a.replicas)
          && !controllerInFlight.contains(name) && !yielding.containsKey(name)) {
        healthy.add(a);
      }
    }
    boolean planned = false;
    for (Assignment a : healthy) {
      if (budget <= 0) {
        break;
      }
      String to = leastLoaded(nodes.stream().filter(n -> !a.replicas.contains(n)).toList(), replicaCount);
      if (to == null) {
        continue;
      }
      String from = null;
      for (String r : a.replicas) {
        boolean better = from == null || replicaCount.get(r) > replicaCount.get(from)
            || (replicaCount.get(r).equals(replicaCount.get(from)) && from.equals(a.leader));
        if (replicaCount.get(r) - replicaCount.get(to) >= 2 && better) {
          from = r;
        }
      }
      if (from != null) {
        replicaCount.merge(from, -1, Integer::sum);
        replicaCount.merge(to, 1, Integer::sum);
        LOG.log(System.Logger.Level.INFO, "controller " + self + ": moving the replica of '" + a.log + "' from " + from
            + " to " + to);
        controllerSet(a, a.withMove(from, to));
        budget--;
        planned = true;
      }
    }
    if (!planned && moving == 0) {
      for (Assignment a : healthy) {
        if (budget <= 0) {
          break;
        }
        String to = leastLoaded(a.isr.stream().filter(n -> !n.equals(a.leader)).toList(), leaderCount);
        if (to != null && leaderCount.get(a.leader) - leaderCount.get(to) >= 2) {
          leaderCount.merge(a.leader, -1, Integer::sum);
          leaderCount.merge(to, 1, Integer::sum);
          LOG.log(System.Logger.Level.INFO, "controller " + self + ": moving the leadership of '" + a.log + "' from "
              + a.leader + " to " + to);
          askToYield(a, to);
          budget--;
          planned = true;
        }
      }
    }
    if (!planned && moving == 0 && yielding.isEmpty()) {
      rebalanceWanted = false;
    }
  }

  private static String leastLoaded(List<String> candidates, Map<String, Integer> count) {
    String best = null;
    for (String c : candidates) {
      if (count.containsKey(c) && (best == null || count.get(c) < count.get(best))) {
        best = c;
      }
    }
    return best;
  }

  @Override
  public Future<Void> rebalance() {
    return onContext(() -> {
      String controller = node.controller();
      if (self.equals(controller)) {
        wantRebalance();
        return Future.succeededFuture();
      }
      Frame req = Frame.empty().with("op", "rebalance").with("log", "");
      return request(controller, "", req, o.getRequestTimeoutMs()).mapEmpty();
    });
  }

  private Future<Boolean> controllerSet(Assignment from, Assignment to) {
    controllerInFlight.add(from.log);
    return vertx.executeBlocking(() -> map.replace(from.log, from.raw(), to.raw())).andThen(ar -> {
      controllerInFlight.remove(from.log);
      if (ar.succeeded() && ar.result()) {
        LOG.log(System.Logger.Level.INFO, "controller " + self + ": log '" + from.log + "' leader " + to.leader
            + " epoch " + to.epoch + " isr " + to.isr);
      }
    });
  }

  /**
   * On the controller: a leader asks to hand {@code name} to an in-sync follower ({@code to}, or the first
   * live one). A leaving leader leaves the in-sync set; one yielding to rebalance stays in it (it caught its
   * followers up and took no appends since, so it holds exactly what the new leader holds).
   */
  private Future<Frame> controllerHandOver(String name, String from, String to) {
    Assignment a = assignments.get(name);
    if (a == null || !a.leader.equals(from) || !quorum) {
      return Future.succeededFuture(Frame.empty().with("moved", false));
    }
    List<String> live = node.liveNodes();
    List<String> candidates = a.isr.stream().filter(n -> !n.equals(from) && live.contains(n)).toList();
    if (candidates.isEmpty() || (to != null && !candidates.contains(to))) {
      return Future.succeededFuture(Frame.empty().with("moved", false));
    }
    Assignment next = to == null ? a.withLeader(candidates.get(0), candidates) : a.withLeader(to, a.isr);
    return controllerSet(a, next).map(ok -> Frame.empty().with("moved", ok));
  }

  @Override
  public Future<Void> handOverLeadership() {
    return onContext(() -> {
      List<Future<Void>> all = new ArrayList<>();
      for (Replica r : new ArrayList<>(replicas.values())) {
        if (r.isLeader()) {
          r.leaving = true;
          all.add(handOver(r, Replica.now() + o.getHandOverTimeoutMs(), null));
        }
      }
      return Future.join(all).mapEmpty();
    });
  }

  /** Waits (until {@code deadline}) for the in-sync followers to catch up, then asks the controller to move the leadership. */
  private Future<Void> handOver(Replica r, long deadline, String to) {
    boolean caughtUp = r.assignment.isr.stream().allMatch(f -> f.equals(self)
        || (r.progress.get(f) != null && r.progress.get(f).position >= r.leaderEnd));
    if (!caughtUp && Replica.now() < deadline && r.isLeader()) {
      Promise<Void> later = Promise.promise();
      vertx.setTimer(10, id -> handOver(r, deadline, to).onComplete(later));
      return later.future();
    }
    if (to != null && !caughtUp) {
      r.leaving = false; // a rebalance does not hand over to a follower that is behind: try again later
      return Future.succeededFuture();
    }
    String controller = node.controller();
    Frame req = Frame.empty().with("op", "handOver").with("log", r.name).with("from", self);
    if (to != null) {
      req = req.with("to", to);
    }
    Future<Frame> asked = self.equals(controller) ? controllerHandOver(r.name, self, to)
        : request(controller, r.name, req, o.getRequestTimeoutMs());
    return asked.compose(ans -> {
      if (!Boolean.parseBoolean(ans.get("moved"))) {
        r.leaving = false;
        return Future.succeededFuture();
      }
      return watch(r.name, () -> {
        Assignment now = assignments.get(r.name);
        return now == null || !now.leader.equals(self);
      });
    }).recover(e -> {
      r.leaving = false;
      return Future.failedFuture(e);
    });
  }

  // ------------------------------------------------------------------ calls of a log handle

  /**
   * Runs a handle's call at the log's leader: here when this node leads, else over the event bus;
   * while there is no reachable leader ({@code not_leader}) it retries until the retry timeout.
   * Context only.
   */
  Future<Frame> execute(String name, String uid, Frame req, RecordBatch batch, long deadline) {
    Assignment a = assignments.get(name);
    if (a == null || !a.uid.equals(uid)) {
      return Future.failedFuture(NotFoundException.unknownLog(name));
    }
    Future<Frame> attempt;
    if (!a.hasLeader()) {
      attempt = Future.failedFuture(Wire.notLeader(name, "no leader (no in-sync replica is live)"));
    } else if (!node.liveNodes().contains(a.leader)) {
      // A request to a departed node would only wait for its timeout: wait for the controller instead.
      attempt = Future.failedFuture(Wire.notLeader(name, "its leader " + a.leader + " left; a new one is being elected"));
    } else if (a.leader.equals(self)) {
      try {
        attempt = serve(req, batch);
      } catch (RuntimeException e) {
        attempt = Future.failedFuture(e);
      }
    } else {
      Frame remote = batch == null ? req : new Frame(batch.buffer(), req.headers());
      long timeout = o.getRequestTimeoutMs() + (req.headers().contains("timeoutMs") ? req.getLong("timeoutMs") : 0);
      attempt = request(a.leader, name, remote, timeout);
    }
    return attempt.recover(e -> {
      if (e instanceof SluiceException se && se.code() == ErrorCode.NOT_LEADER && !closed
          && Replica.now() + RETRY_BACKOFF_MS < deadline) {
        Promise<Frame> retry = Promise.promise();
        vertx.setTimer(RETRY_BACKOFF_MS, id -> execute(name, uid, req, batch, deadline).onComplete(retry));
        return retry.future();
      }
      return Future.failedFuture(e);
    });
  }

  long retryDeadline() {
    return Replica.now() + o.getRetryTimeoutMs();
  }

  // ------------------------------------------------------------------ test hooks

  /** For tests: this node's local copy of a log (null if it holds none). */
  Future<PartitionLog> localCopy(String name) {
    Promise<PartitionLog> p = Promise.promise();
    context.runOnContext(v -> {
      Replica r = replicas.get(name);
      p.complete(r == null ? null : r.log);
    });
    return p.future();
  }

  /** For tests: stops this node's followers from fetching (a slow or partitioned follower) until resumed. */
  void pauseFetching(boolean paused) {
    fetchingPaused = paused;
  }
}
