package io.sluice.topic.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import io.sluice.api.NotFoundException;
import io.sluice.api.OffsetOutOfRangeException;
import io.sluice.api.Record;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.StoreClosedException;
import io.sluice.topic.Consumer;
import io.sluice.topic.ConsumerOptions;
import io.sluice.topic.ConsumerRecord;
import io.sluice.topic.DeliverySemantics;
import io.sluice.topic.OffsetReset;
import io.sluice.topic.RebalanceListener;
import io.sluice.topic.TopicPartition;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The consumer: per owned partition a position, a bounded prefetch buffer filled by long-poll fetches,
 * and the offset handled so far; records are handed out round-robin across partitions, in offset order
 * within each.
 *
 * <p>Three offsets per partition: {@code fetchOffset} (next to fetch), {@code position} (next to hand
 * out: what {@link #commit()} commits) and {@code handled} (what the application is known to have
 * finished: what auto-commit commits, so auto-commit never commits a record still being worked on). A
 * seek bumps the partition's epoch, which discards any fetch answer still on its way.
 *
 * <p>Thread contract: confined to one event-loop context ({@link ContextBound}); public methods hop onto it.
 */
final class ConsumerImpl implements Consumer, GroupMember.Host {

  private static final class PartitionState {
    final TopicPartition tp;
    final String address;
    final ArrayDeque<Record> buffer = new ArrayDeque<>();
    long position = -1;
    long fetchOffset;
    long handled = -1;
    long committed = -1;
    int epoch;
    boolean fetching;
    boolean paused;
    boolean revoking;
    SluiceException error;
    long retryTimer = -1;
    List<Promise<Long>> positionWaiters = new ArrayList<>();

    PartitionState(TopicPartition tp) {
      this.tp = tp;
      this.address = Addresses.partition(tp.topic(), tp.partition());
    }
  }

  private enum Mode { NONE, SUBSCRIBED, ASSIGNED }

  private final Vertx vertx;
  private final ContextBound ctx;
  private final Bus bus;
  private final ConsumerOptions options;
  private final MetadataCache metadata;
  private final Runnable onClose;
  private final LinkedHashMap<TopicPartition, PartitionState> owned = new LinkedHashMap<>();
  private final List<PartitionState> order = new ArrayList<>();
  private int cursor;
  /** The partition of the record {@link #takeOne()} returned last. */
  private PartitionState taken;
  private Mode mode = Mode.NONE;
  private GroupMember member;
  private GroupMember offsetsClient;
  private RebalanceListener listener = new RebalanceListener() { };

  private Handler<ConsumerRecord> handler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> endHandler;
  private long demand = Long.MAX_VALUE;
  private boolean delivering;
  private final ArrayDeque<ConsumerRecord> ready = new ArrayDeque<>();
  private boolean gateCommitting;

  private Promise<List<ConsumerRecord>> pendingPoll;
  private long pollTimer = -1;
  private SluiceException pendingError;

  private long autoCommitTimer = -1;
  private boolean closed;
  private Future<Void> closing;

  ConsumerImpl(Vertx vertx, ConsumerOptions options, Runnable onClose) {
    this.vertx = vertx;
    this.ctx = new ContextBound(vertx);
    this.bus = new Bus(vertx);
    this.options = new ConsumerOptions(options);
    this.metadata = new MetadataCache(bus, 0, options.getRequestTimeoutMs());
    this.onClose = onClose;
    if (options.getGroupId() != null) {
      // Offsets calls (commit, committed) use a member's coordinator lookup even without membership.
      offsetsClient = new GroupMember(vertx, bus, this.options, this);
      if (options.isAutoCommit()) {
        ctx.run(() -> autoCommitTimer = vertx.setPeriodic(options.getAutoCommitIntervalMs(), id -> autoCommit()));
      }
    }
  }

  // ---- subscription and assignment --------------------------------------------------------------

  @Override
  public Future<Void> subscribe(Collection<String> topics) {
    return subscribe(topics, new RebalanceListener() { });
  }

  @Override
  public Future<Void> subscribe(Collection<String> topics, RebalanceListener rebalanceListener) {
    return ctx.call(() -> {
      checkOpen();
      if (options.getGroupId() == null) {
        throw new InvalidArgumentException("subscribe needs a groupId in the consumer options");
      }
      if (mode == Mode.ASSIGNED) {
        throw new InvalidArgumentException("this consumer has a manual assignment; unsubscribe before subscribing");
      }
      if (topics == null || topics.isEmpty()) {
        throw new InvalidArgumentException("subscribe needs at least one topic");
      }
      Set<String> names = new TreeSet<>(topics);
      names.forEach(t -> Names.validate("topic", t));
      List<Future<MetadataCache.TopicMeta>> checks = new ArrayList<>();
      names.forEach(t -> checks.add(metadata.get(t)));
      return Future.all(checks).compose(v -> {
        checkOpen();
        this.listener = rebalanceListener == null ? new RebalanceListener() { } : rebalanceListener;
        if (member == null) {
          member = new GroupMember(vertx, bus, options, this);
        }
        mode = Mode.SUBSCRIBED;
        return member.subscribe(names);
      });
    });
  }

  @Override
  public Future<Void> assign(Collection<TopicPartition> partitions) {
    return ctx.call(() -> {
      checkOpen();
      if (mode == Mode.SUBSCRIBED) {
        throw new InvalidArgumentException("this consumer is subscribed to a group; unsubscribe before assigning partitions");
      }
      Set<TopicPartition> wanted = new LinkedHashSet<>(partitions);
      return validateExisting(wanted).compose(v -> {
        checkOpen();
        List<TopicPartition> gone = new ArrayList<>();
        owned.keySet().forEach(tp -> {
          if (!wanted.contains(tp)) {
            gone.add(tp);
          }
        });
        List<TopicPartition> added = new ArrayList<>();
        wanted.forEach(tp -> {
          if (!owned.containsKey(tp)) {
            added.add(tp);
          }
        });
        Future<Void> committed = options.isAutoCommit() && options.getGroupId() != null ? commitHandled(gone) : Future.succeededFuture();
        return committed.recover(e -> Future.succeededFuture()).compose(x -> {
          removePartitions(gone);
          addPartitions(added);
          mode = owned.isEmpty() ? Mode.NONE : Mode.ASSIGNED;
          return initPositions(added);
        });
      });
    });
  }

  /** Checks that every partition exists: {@code unknown_topic} or {@code unknown_partition} otherwise. */
  private Future<Void> validateExisting(Collection<TopicPartition> partitions) {
    List<Future<Void>> checks = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      tp.validate();
      checks.add(metadata.get(tp.topic()).compose(meta -> tp.partition() < meta.partitions() ? Future.succeededFuture()
          : Future.failedFuture(new NotFoundException(ErrorCode.UNKNOWN_PARTITION, "topic '" + tp.topic() + "' has no partition "
              + tp.partition() + " (it has " + meta.partitions() + ")"))));
    }
    return Future.all(checks).mapEmpty();
  }

  @Override
  public Future<Void> unsubscribe() {
    return ctx.call(this::doUnsubscribe);
  }

  private Future<Void> doUnsubscribe() {
    if (handler == null) {
      // As with Kafka, unsubscribing or closing a polling consumer means it is done with what it polled.
      markPolledHandled();
    }
    if (mode == Mode.SUBSCRIBED) {
      // Stop heartbeats first (no rebalance may start a second revoke), commit and revoke while still a
      // member of the current generation, and only then leave.
      GroupMember m = member;
      m.quiesce();
      Future<Void> revoked = owned.isEmpty() ? Future.succeededFuture() : revoke(false);
      return revoked.eventually(m::leave).onComplete(ar -> {
        if (member == m) {
          member = null;
          mode = Mode.NONE;
        }
      });
    }
    if (mode == Mode.ASSIGNED) {
      mode = Mode.NONE;
      List<TopicPartition> all = new ArrayList<>(owned.keySet());
      Future<Void> committed = options.isAutoCommit() && options.getGroupId() != null ? commitHandled(all) : Future.succeededFuture();
      return committed.recover(e -> Future.succeededFuture()).onComplete(ar -> removePartitions(all));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Set<TopicPartition>> assignment() {
    return ctx.call(() -> Future.succeededFuture(new TreeSet<>(owned.keySet())));
  }

  @Override
  public Future<Void> assigned(List<TopicPartition> partitions) {
    if (closed || mode != Mode.SUBSCRIBED) {
      return Future.succeededFuture();
    }
    addPartitions(partitions);
    return listener.onPartitionsAssigned(List.copyOf(partitions)).recover(e -> {
      report(BusErrors.toSluice(e));
      return Future.succeededFuture();
    }).compose(v -> initPositions(partitions));
  }

  @Override
  public Future<Void> revoke(boolean lost) {
    List<TopicPartition> all = new ArrayList<>(owned.keySet());
    owned.values().forEach(ps -> ps.revoking = true);
    Future<Void> committed = !lost && options.isAutoCommit() ? commitHandled(all) : Future.succeededFuture();
    return committed.recover(e -> Future.succeededFuture())
        .compose(v -> lost ? listener.onPartitionsLost(all) : listener.onPartitionsRevoked(all))
        .recover(e -> {
          report(BusErrors.toSluice(e));
          return Future.succeededFuture();
        })
        .onComplete(ar -> removePartitions(all));
  }

  @Override
  public void fatal(SluiceException error) {
    report(error);
  }

  private void addPartitions(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      if (!owned.containsKey(tp)) {
        PartitionState ps = new PartitionState(tp);
        owned.put(tp, ps);
        order.add(ps);
      }
    }
  }

  private void removePartitions(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      PartitionState ps = owned.remove(tp);
      if (ps != null) {
        order.remove(ps);
        ps.epoch++;
        ps.buffer.clear();
        cancelRetry(ps);
        ps.positionWaiters.forEach(p -> p.tryFail(notOwned(tp)));
        ps.positionWaiters.clear();
      }
    }
    ready.removeIf(r -> !owned.containsKey(r.topicPartition()));
  }

  /** Sets the start position of new partitions: the committed offset, else the reset policy. */
  private Future<Void> initPositions(Collection<TopicPartition> partitions) {
    List<PartitionState> todo = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      PartitionState ps = owned.get(tp);
      if (ps != null && ps.position < 0) {
        todo.add(ps);
      }
    }
    if (todo.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<Map<TopicPartition, Long>> committed = options.getGroupId() == null ? Future.succeededFuture(Map.of())
        : fetchCommitted(todo.stream().map(ps -> ps.tp).toList());
    return committed.compose(offsets -> {
      List<Future<Void>> resets = new ArrayList<>();
      for (PartitionState ps : todo) {
        if (owned.get(ps.tp) != ps || ps.position >= 0) {
          continue;
        }
        Long c = offsets.get(ps.tp);
        if (c != null) {
          ps.committed = c;
          setPosition(ps, c);
        } else {
          resets.add(reset(ps, null));
        }
      }
      return Future.join(resets).<Void>mapEmpty().recover(e -> Future.succeededFuture());
    });
  }

  /**
   * Applies the reset policy to a partition without a usable position: earliest or latest moves it,
   * none leaves it stopped with an {@code offset_out_of_range} error until the application seeks.
   */
  private Future<Void> reset(PartitionState ps, SluiceException cause) {
    int epoch = ps.epoch;
    if (options.getAutoOffsetReset() == OffsetReset.NONE) {
      SluiceException e = cause != null ? cause : new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "no committed offset for "
          + ps.tp + " in group '" + options.getGroupId() + "' and autoOffsetReset is none: seek to a position");
      failPartition(ps, e);
      return Future.succeededFuture();
    }
    return ownerOffsets(ps.tp).map(o -> {
      if (owned.get(ps.tp) == ps && ps.epoch == epoch) {
        setPosition(ps, options.getAutoOffsetReset() == OffsetReset.EARLIEST ? o[0] : o[1]);
      }
      return (Void) null;
    }).onFailure(e -> {
      if (owned.get(ps.tp) == ps && ps.epoch == epoch) {
        failPartition(ps, BusErrors.toSluice(e));
      }
    });
  }

  private void setPosition(PartitionState ps, long offset) {
    ps.epoch++;
    ps.fetching = false;
    ps.buffer.clear();
    ps.position = offset;
    ps.fetchOffset = offset;
    ps.error = null;
    if (ps.handled >= 0) {
      ps.handled = Math.min(ps.handled, offset);
    }
    cancelRetry(ps);
    ready.removeIf(r -> r.topicPartition().equals(ps.tp));
    ps.positionWaiters.forEach(p -> p.tryComplete(offset));
    ps.positionWaiters.clear();
    maybeFetch(ps);
  }

  private void cancelRetry(PartitionState ps) {
    if (ps.retryTimer >= 0) {
      vertx.cancelTimer(ps.retryTimer);
      ps.retryTimer = -1;
    }
  }

  // ---- fetching ---------------------------------------------------------------------------------

  private void maybeFetch(PartitionState ps) {
    if (closed || owned.get(ps.tp) != ps || ps.fetching || ps.paused || ps.revoking || ps.position < 0 || ps.error != null
        || ps.retryTimer >= 0 || ps.buffer.size() >= options.getMaxPollRecords()) {
      return;
    }
    ps.fetching = true;
    int epoch = ps.epoch;
    JsonObject req = new JsonObject().put("offset", ps.fetchOffset).put("maxRecords", options.getMaxPollRecords())
        .put("maxBytes", options.getFetchMaxBytes()).put("maxWaitMs", options.getFetchMaxWaitMs());
    bus.<Records>call(ps.address, "fetch", req, options.getFetchMaxWaitMs() + options.getRequestTimeoutMs()).onComplete(ar -> {
      if (owned.get(ps.tp) != ps || ps.epoch != epoch) {
        return;
      }
      ps.fetching = false;
      if (ar.failed()) {
        fetchFailed(ps, BusErrors.toSluice(ar.cause()));
        return;
      }
      Records records = ar.result();
      for (Record r : records) {
        ps.buffer.add(r);
      }
      ps.fetchOffset = records.nextOffset();
      if (!records.isEmpty()) {
        dispatch();
      }
      maybeFetch(ps);
    });
  }

  private void fetchFailed(PartitionState ps, SluiceException e) {
    if (e.code() == ErrorCode.OFFSET_OUT_OF_RANGE) {
      // The position fell out of the log (retention trimmed below it, or a committed offset is past a
      // shorter log): the reset policy decides where to go on.
      reset(ps, e);
      return;
    }
    if (e.retriable()) {
      metadata.refresh(ps.tp.topic()).onComplete(ar -> {
        if (owned.get(ps.tp) != ps) {
          return;
        }
        if (ar.failed() || ps.tp.partition() >= ar.result().partitions()) {
          SluiceException gone = ar.failed() ? BusErrors.toSluice(ar.cause())
              : new NotFoundException(ErrorCode.UNKNOWN_PARTITION, "partition " + ps.tp + " no longer exists");
          if (!gone.retriable()) {
            failPartition(ps, gone);
            return;
          }
        }
        ps.retryTimer = vertx.setTimer(options.getRetryBackoffMs(), id -> {
          ps.retryTimer = -1;
          maybeFetch(ps);
        });
      });
      return;
    }
    failPartition(ps, e);
  }

  /** Stops a partition with an error until the application seeks (or the partition is revoked). */
  private void failPartition(PartitionState ps, SluiceException e) {
    ps.error = e;
    ps.positionWaiters.forEach(p -> p.tryFail(e));
    ps.positionWaiters.clear();
    report(e);
  }

  private void report(SluiceException e) {
    if (handler != null) {
      if (exceptionHandler != null) {
        exceptionHandler.handle(e);
      } else {
        // Like any Vert.x stream without an exception handler: the context reports it.
        ctx.context().reportException(e);
      }
      return;
    }
    if (pendingPoll != null) {
      Promise<List<ConsumerRecord>> p = pendingPoll;
      clearPoll();
      p.tryFail(e);
    } else {
      pendingError = e;
    }
  }

  // ---- delivery ---------------------------------------------------------------------------------

  /** Takes up to {@code max} records round-robin over the partitions, advancing their positions. */
  private List<ConsumerRecord> take(int max) {
    List<ConsumerRecord> out = new ArrayList<>();
    ConsumerRecord r;
    while (out.size() < max && (r = takeOne()) != null) {
      out.add(r);
    }
    return out;
  }

  /**
   * The next record round-robin over the partitions, advancing its partition's position; its partition is
   * left in {@link #taken}. Null when no partition has one. The stream handler takes records one at a time
   * through here, so a record costs no list and no partition lookup.
   */
  private ConsumerRecord takeOne() {
    int idle = 0;
    while (!order.isEmpty() && idle < order.size()) {
      cursor = cursor % order.size();
      PartitionState ps = order.get(cursor);
      cursor++;
      if (ps.paused || ps.revoking || ps.buffer.isEmpty()) {
        idle++;
        continue;
      }
      Record r = ps.buffer.poll();
      ps.position = r.offset() + 1;
      taken = ps;
      ConsumerRecord out = new ConsumerRecord(ps.tp.topic(), r);
      maybeFetch(ps);
      return out;
    }
    return null;
  }

  /** Takes a chunk for delivery; at-most-once commits its end positions first (and rewinds if that fails). */
  private Future<List<ConsumerRecord>> takeChunk(int max) {
    List<ConsumerRecord> chunk = take(max);
    if (chunk.isEmpty() || options.getDeliverySemantics() == DeliverySemantics.AT_LEAST_ONCE) {
      return Future.succeededFuture(chunk);
    }
    Map<TopicPartition, Long> first = new HashMap<>();
    Map<TopicPartition, Long> next = new HashMap<>();
    Map<TopicPartition, Integer> epochs = new HashMap<>();
    for (ConsumerRecord r : chunk) {
      first.putIfAbsent(r.topicPartition(), r.offset());
      next.put(r.topicPartition(), r.offset() + 1);
      epochs.put(r.topicPartition(), owned.get(r.topicPartition()).epoch);
    }
    gateCommitting = true;
    return commitOffsets(next, false).transform(ar -> {
      gateCommitting = false;
      List<ConsumerRecord> keep = new ArrayList<>();
      for (ConsumerRecord r : chunk) {
        PartitionState ps = owned.get(r.topicPartition());
        if (ps != null && ps.epoch == epochs.get(r.topicPartition())) {
          if (ar.succeeded()) {
            keep.add(r);
          } else if (r.offset() == first.get(ps.tp)) {
            setPosition(ps, r.offset());
          }
        }
      }
      if (ar.failed()) {
        return Future.failedFuture(ar.cause());
      }
      return Future.succeededFuture(keep);
    });
  }

  private void dispatch() {
    if (pendingPoll != null && !gateCommitting) {
      takeChunk(options.getMaxPollRecords()).onComplete(ar -> {
        if (pendingPoll == null) {
          return;
        }
        if (ar.failed()) {
          Promise<List<ConsumerRecord>> p = pendingPoll;
          clearPoll();
          p.tryFail(ar.cause());
        } else if (!ar.result().isEmpty()) {
          Promise<List<ConsumerRecord>> p = pendingPoll;
          clearPoll();
          p.tryComplete(ar.result());
        }
      });
      return;
    }
    if (handler == null || delivering) {
      return;
    }
    delivering = true;
    try {
      while (handler != null && demand > 0 && !closed) {
        ConsumerRecord r;
        PartitionState ps;
        if (options.getDeliverySemantics() == DeliverySemantics.AT_MOST_ONCE) {
          r = ready.poll();
          if (r == null) {
            if (!gateCommitting) {
              takeChunk(options.getMaxPollRecords()).onComplete(ar -> {
                if (ar.succeeded()) {
                  ready.addAll(ar.result());
                  if (!ar.result().isEmpty()) {
                    dispatch();
                  }
                } else {
                  report(BusErrors.toSluice(ar.cause()));
                }
              });
            }
            break;
          }
          ps = owned.get(r.topicPartition());
        } else {
          r = takeOne();
          if (r == null) {
            break;
          }
          ps = taken;
        }
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        int epoch = ps == null ? -1 : ps.epoch;
        try {
          handler.handle(r);
        } catch (RuntimeException e) {
          if (exceptionHandler != null) {
            exceptionHandler.handle(e);
          }
        }
        if (ps != null && owned.get(ps.tp) == ps && ps.epoch == epoch) {
          ps.handled = Math.max(ps.handled, r.offset() + 1);
        }
      }
    } finally {
      delivering = false;
    }
  }

  @Override
  public Future<List<ConsumerRecord>> poll(Duration timeout) {
    return ctx.call(() -> {
      checkOpen();
      if (handler != null) {
        throw new InvalidArgumentException("poll cannot be used while a stream handler is set");
      }
      if (pendingPoll != null) {
        throw new InvalidArgumentException("another poll is pending");
      }
      if (timeout == null || timeout.isNegative()) {
        throw new InvalidArgumentException("poll timeout must be >= 0");
      }
      // Calling poll again means the records of the previous poll were handled.
      markPolledHandled();
      if (pendingError != null) {
        SluiceException e = pendingError;
        pendingError = null;
        return Future.failedFuture(e);
      }
      if (gateCommitting) {
        return waitForRecords(timeout);
      }
      return takeChunk(options.getMaxPollRecords()).compose(chunk -> chunk.isEmpty() ? waitForRecords(timeout)
          : Future.succeededFuture(chunk));
    });
  }

  private void markPolledHandled() {
    for (PartitionState ps : owned.values()) {
      if (ps.position >= 0) {
        ps.handled = Math.max(ps.handled, ps.position);
      }
    }
  }

  private Future<List<ConsumerRecord>> waitForRecords(Duration timeout) {
    if (timeout.isZero() || closed) {
      return Future.succeededFuture(List.of());
    }
    pendingPoll = Promise.promise();
    Promise<List<ConsumerRecord>> mine = pendingPoll;
    pollTimer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
      pollTimer = -1;
      if (pendingPoll == mine) {
        pendingPoll = null;
        mine.tryComplete(List.of());
      }
    });
    return mine.future();
  }

  private void clearPoll() {
    pendingPoll = null;
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
      pollTimer = -1;
    }
  }

  // ---- commits ----------------------------------------------------------------------------------

  @Override
  public Future<Void> commit() {
    return ctx.call(() -> commitOffsets(positions(), true));
  }

  @Override
  public Future<Void> commitAsync() {
    return ctx.call(() -> commitOffsets(positions(), false));
  }

  @Override
  public Future<Void> commit(Map<TopicPartition, Long> offsets) {
    return ctx.call(() -> {
      Map<TopicPartition, Long> copy = new LinkedHashMap<>(offsets);
      for (Map.Entry<TopicPartition, Long> e : copy.entrySet()) {
        e.getKey().validate();
        if (e.getValue() == null || e.getValue() < 0) {
          throw new InvalidArgumentException("committed offset must be >= 0, got " + e.getValue() + " for " + e.getKey());
        }
      }
      return validateExisting(copy.keySet()).compose(v -> {
        List<Future<Void>> checks = new ArrayList<>();
        copy.forEach((tp, o) -> checks.add(ownerOffsets(tp).compose(range -> o <= range[1] ? Future.<Void>succeededFuture()
            : Future.failedFuture(new OffsetOutOfRangeException(Addresses.logName(tp.topic(), tp.partition()), o, range[0], range[1])))));
        return Future.all(checks);
      }).compose(v -> commitOffsets(copy, true));
    });
  }

  private Map<TopicPartition, Long> positions() {
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    owned.values().forEach(ps -> {
      if (ps.position >= 0) {
        out.put(ps.tp, ps.position);
      }
    });
    return out;
  }

  /** Commits what the application handled in these partitions (auto-commit, before giving them up). */
  private Future<Void> commitHandled(Collection<TopicPartition> partitions) {
    if (options.getDeliverySemantics() == DeliverySemantics.AT_MOST_ONCE) {
      // Already committed before delivery; committing what was handled would move offsets back.
      return Future.succeededFuture();
    }
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    for (TopicPartition tp : partitions) {
      PartitionState ps = owned.get(tp);
      if (ps != null && ps.handled >= 0 && ps.handled > ps.committed) {
        out.put(tp, ps.handled);
      }
    }
    return commitOffsets(out, false);
  }

  private void autoCommit() {
    if (closed || closing != null || options.getDeliverySemantics() == DeliverySemantics.AT_MOST_ONCE) {
      return;
    }
    if (mode == Mode.SUBSCRIBED && (member == null || !member.isStable())) {
      return;
    }
    commitHandled(new ArrayList<>(owned.keySet())).onFailure(e -> {
      SluiceException s = BusErrors.toSluice(e);
      if (s.code() != ErrorCode.ILLEGAL_GENERATION && s.code() != ErrorCode.UNKNOWN_MEMBER
          && s.code() != ErrorCode.REBALANCE_IN_PROGRESS) {
        report(s);
      }
    });
  }

  /** Sends a commit to the group's coordinator; with {@code retry}, retriable failures are retried until the request timeout. */
  private Future<Void> commitOffsets(Map<TopicPartition, Long> offsets, boolean retry) {
    if (options.getGroupId() == null) {
      return Future.failedFuture(new InvalidArgumentException("commit needs a groupId in the consumer options"));
    }
    if (offsets.isEmpty()) {
      return Future.succeededFuture();
    }
    long deadline = System.currentTimeMillis() + options.getRequestTimeoutMs();
    return commitAttempt(offsets, retry, deadline).onSuccess(v -> offsets.forEach((tp, o) -> {
      PartitionState ps = owned.get(tp);
      if (ps != null) {
        ps.committed = o;
      }
    }));
  }

  private Future<Void> commitAttempt(Map<TopicPartition, Long> offsets, boolean retry, long deadline) {
    GroupMember m = mode == Mode.SUBSCRIBED && member != null ? member : null;
    JsonObject req = new JsonObject().put("memberId", m == null ? "" : m.memberId()).put("generation", m == null ? -1 : m.generation())
        .put("offsets", Wire.offsets(offsets));
    return callGroup("commit", req).<Void>mapEmpty().recover(e -> {
      SluiceException s = BusErrors.toSluice(e);
      if (retry && s.retriable() && System.currentTimeMillis() + options.getRetryBackoffMs() < deadline) {
        Promise<Void> again = Promise.promise();
        vertx.setTimer(options.getRetryBackoffMs(), id -> commitAttempt(offsets, true, deadline).onComplete(again));
        return again.future();
      }
      return Future.failedFuture(s);
    });
  }

  private Future<JsonObject> callGroup(String op, JsonObject body) {
    GroupMember lookup = member != null ? member : offsetsClient;
    return lookup.coordinator().compose(v -> bus.<JsonObject>call(lookup.address(), op, body, options.getRequestTimeoutMs()))
        .recover(e -> {
          SluiceException s = BusErrors.toSluice(e);
          if (s.code() != ErrorCode.NOT_LEADER) {
            return Future.failedFuture(s);
          }
          lookup.coordinatorLost();
          return lookup.coordinator().compose(v -> bus.call(lookup.address(), op, body, options.getRequestTimeoutMs()));
        });
  }

  private Future<Map<TopicPartition, Long>> fetchCommitted(Collection<TopicPartition> partitions) {
    if (options.getGroupId() == null) {
      return Future.failedFuture(new InvalidArgumentException("committed offsets need a groupId in the consumer options"));
    }
    return callGroup("fetchOffsets", new JsonObject().put("partitions", Wire.partitions(partitions)))
        .map(reply -> Wire.offsets(reply.getJsonArray("offsets")));
  }

  @Override
  public Future<Long> committed(TopicPartition partition) {
    return committed(Set.of(partition)).map(m -> m.get(partition));
  }

  @Override
  public Future<Map<TopicPartition, Long>> committed(Set<TopicPartition> partitions) {
    return ctx.call(() -> validateExisting(partitions).compose(v -> fetchCommitted(partitions)));
  }

  // ---- positions --------------------------------------------------------------------------------

  private PartitionState ownedOrThrow(TopicPartition tp) {
    PartitionState ps = tp == null ? null : owned.get(tp);
    if (ps == null) {
      throw notOwned(tp);
    }
    return ps;
  }

  private static InvalidArgumentException notOwned(TopicPartition tp) {
    return new InvalidArgumentException("partition " + tp + " is not assigned to this consumer");
  }

  /** {start, end} of a partition, from its owner. */
  private Future<long[]> ownerOffsets(TopicPartition tp) {
    return bus.<JsonObject>call(Addresses.partition(tp.topic(), tp.partition()), "offsets", new JsonObject(), options.getRequestTimeoutMs())
        .map(o -> new long[] {o.getLong("start"), o.getLong("end")});
  }

  @Override
  public Future<Void> seek(TopicPartition partition, long offset) {
    return ctx.call(() -> {
      if (offset < 0) {
        throw new InvalidArgumentException("seek offset must be >= 0, got " + offset + " for " + partition);
      }
      ownedOrThrow(partition);
      return ownerOffsets(partition).compose(range -> {
        if (offset > range[1]) {
          return Future.failedFuture(new OffsetOutOfRangeException(Addresses.logName(partition.topic(), partition.partition()),
              offset, range[0], range[1]));
        }
        setPosition(ownedOrThrow(partition), offset);
        return Future.succeededFuture();
      });
    });
  }

  @Override
  public Future<Void> seekToBeginning(Collection<TopicPartition> partitions) {
    return seekEach(partitions, tp -> ownerOffsets(tp).map(r -> r[0]));
  }

  @Override
  public Future<Void> seekToEnd(Collection<TopicPartition> partitions) {
    return seekEach(partitions, tp -> ownerOffsets(tp).map(r -> r[1]));
  }

  @Override
  public Future<Void> seekToTimestamp(Collection<TopicPartition> partitions, long timestamp) {
    return seekEach(partitions, tp -> offsetForTime(tp, timestamp).compose(o -> o >= 0 ? Future.succeededFuture(o)
        : ownerOffsets(tp).map(r -> r[1])));
  }

  private Future<Void> seekEach(Collection<TopicPartition> partitions, java.util.function.Function<TopicPartition, Future<Long>> target) {
    return ctx.call(() -> {
      List<TopicPartition> tps = new ArrayList<>(partitions);
      tps.forEach(this::ownedOrThrow);
      List<Future<Long>> offsets = new ArrayList<>();
      tps.forEach(tp -> offsets.add(target.apply(tp)));
      return Future.all(offsets).map(v -> {
        for (int i = 0; i < tps.size(); i++) {
          PartitionState ps = owned.get(tps.get(i));
          if (ps != null) {
            setPosition(ps, offsets.get(i).result());
          }
        }
        return (Void) null;
      });
    });
  }

  private Future<Long> offsetForTime(TopicPartition tp, long timestamp) {
    return bus.<JsonObject>call(Addresses.partition(tp.topic(), tp.partition()), "offsetForTime",
        new JsonObject().put("timestamp", timestamp), options.getRequestTimeoutMs()).map(o -> o.getLong("offset"));
  }

  @Override
  public Future<Map<TopicPartition, Long>> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
    return ctx.call(() -> {
      Map<TopicPartition, Long> copy = new LinkedHashMap<>(timestamps);
      return validateExisting(copy.keySet()).compose(v -> {
        Map<TopicPartition, Future<Long>> answers = new LinkedHashMap<>();
        copy.forEach((tp, ts) -> answers.put(tp, offsetForTime(tp, ts == null ? 0 : ts)));
        return Future.all(new ArrayList<>(answers.values())).map(x -> {
          Map<TopicPartition, Long> out = new LinkedHashMap<>();
          answers.forEach((tp, f) -> {
            if (f.result() >= 0) {
              out.put(tp, f.result());
            }
          });
          return out;
        });
      });
    });
  }

  @Override
  public Future<Map<TopicPartition, Long>> beginningOffsets(Collection<TopicPartition> partitions) {
    return offsetsOf(partitions, 0);
  }

  @Override
  public Future<Map<TopicPartition, Long>> endOffsets(Collection<TopicPartition> partitions) {
    return offsetsOf(partitions, 1);
  }

  private Future<Map<TopicPartition, Long>> offsetsOf(Collection<TopicPartition> partitions, int which) {
    return ctx.call(() -> {
      List<TopicPartition> tps = new ArrayList<>(new LinkedHashSet<>(partitions));
      return validateExisting(tps).compose(v -> {
        List<Future<long[]>> answers = new ArrayList<>();
        tps.forEach(tp -> answers.add(ownerOffsets(tp)));
        return Future.all(answers).map(x -> {
          Map<TopicPartition, Long> out = new LinkedHashMap<>();
          for (int i = 0; i < tps.size(); i++) {
            out.put(tps.get(i), answers.get(i).result()[which]);
          }
          return out;
        });
      });
    });
  }

  @Override
  public Future<Long> position(TopicPartition partition) {
    return ctx.call(() -> {
      PartitionState ps = ownedOrThrow(partition);
      if (ps.position >= 0) {
        return Future.succeededFuture(ps.position);
      }
      if (ps.error != null) {
        return Future.failedFuture(ps.error);
      }
      Promise<Long> p = Promise.promise();
      ps.positionWaiters.add(p);
      return p.future();
    });
  }

  @Override
  public Future<Map<TopicPartition, Long>> lag() {
    return ctx.call(() -> {
      List<PartitionState> known = owned.values().stream().filter(ps -> ps.position >= 0).toList();
      List<Future<long[]>> answers = new ArrayList<>();
      known.forEach(ps -> answers.add(ownerOffsets(ps.tp)));
      return Future.all(answers).map(x -> {
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < known.size(); i++) {
          out.put(known.get(i).tp, Math.max(0, answers.get(i).result()[1] - known.get(i).position));
        }
        return out;
      });
    });
  }

  @Override
  public Consumer pause(Collection<TopicPartition> partitions) {
    List<TopicPartition> copy = new ArrayList<>(partitions);
    ctx.run(() -> copy.forEach(tp -> {
      PartitionState ps = owned.get(tp);
      if (ps != null) {
        ps.paused = true;
      }
    }));
    return this;
  }

  @Override
  public Consumer resume(Collection<TopicPartition> partitions) {
    List<TopicPartition> copy = new ArrayList<>(partitions);
    ctx.run(() -> {
      copy.forEach(tp -> {
        PartitionState ps = owned.get(tp);
        if (ps != null) {
          ps.paused = false;
          maybeFetch(ps);
        }
      });
      dispatch();
    });
    return this;
  }

  @Override
  public Future<Set<TopicPartition>> paused() {
    return ctx.call(() -> {
      Set<TopicPartition> out = new TreeSet<>();
      owned.values().forEach(ps -> {
        if (ps.paused) {
          out.add(ps.tp);
        }
      });
      return Future.succeededFuture(out);
    });
  }

  // ---- ReadStream -------------------------------------------------------------------------------

  @Override
  public Consumer exceptionHandler(Handler<Throwable> h) {
    ctx.run(() -> exceptionHandler = h);
    return this;
  }

  @Override
  public Consumer handler(Handler<ConsumerRecord> h) {
    ctx.run(() -> {
      handler = h;
      if (h != null && pendingError != null && exceptionHandler != null) {
        SluiceException e = pendingError;
        pendingError = null;
        exceptionHandler.handle(e);
      }
      dispatch();
    });
    return this;
  }

  @Override
  public Consumer pause() {
    ctx.run(() -> demand = 0);
    return this;
  }

  @Override
  public Consumer resume() {
    ctx.run(() -> {
      demand = Long.MAX_VALUE;
      dispatch();
    });
    return this;
  }

  @Override
  public Consumer fetch(long amount) {
    ctx.run(() -> {
      demand = amount <= 0 ? demand : (Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount);
      dispatch();
    });
    return this;
  }

  @Override
  public Consumer endHandler(Handler<Void> h) {
    ctx.run(() -> endHandler = h);
    return this;
  }

  // ---- close ------------------------------------------------------------------------------------

  private void checkOpen() {
    if (closed || closing != null) {
      throw new StoreClosedException("consumer '" + options.getClientId() + "' is closed");
    }
  }

  @Override
  public Future<Void> close() {
    return ctx.call(() -> {
      if (closing == null) {
        // Bounded: a close racing the node's shutdown may send to a coordinator that never answers.
        closing = doUnsubscribe().timeout(options.getCloseTimeoutMs(), TimeUnit.MILLISECONDS)
            .recover(e -> Future.succeededFuture()).eventually(() -> {
          closed = true;
          if (autoCommitTimer >= 0) {
            vertx.cancelTimer(autoCommitTimer);
          }
          removePartitions(new ArrayList<>(owned.keySet()));
          if (pendingPoll != null) {
            Promise<List<ConsumerRecord>> p = pendingPoll;
            clearPoll();
            p.tryComplete(List.of());
          }
          onClose.run();
          if (endHandler != null) {
            endHandler.handle(null);
          }
          return Future.succeededFuture();
        });
      }
      return closing;
    });
  }
}
