package io.sluice.topic.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.topic.TopicConfig;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The single writer of one partition's log: every append of the partition goes through this verticle,
 * reached at {@link Addresses#partition}. Operations (header {@code op}):
 * <ul>
 *   <li>{@code produce}: body a {@link RecordBatch}; reply a 17-byte buffer (base offset, append time,
 *       durability ordinal). Batches of idempotent producers are deduplicated ({@link ProducerStateTable}),
 *       and appended one producer append at a time: batches a producer pipelines while its previous append
 *       runs are joined into the next append, and refused with it ({@link #appendNext}).</li>
 *   <li>{@code fetch}: body {@code {offset, maxRecords, maxBytes, maxWaitMs}}; reply {@link Records}. At the
 *       end of the log the request waits up to {@code maxWaitMs} for an append (long-poll, no polling).</li>
 *   <li>{@code offsets}: reply {@code {start, end}}; {@code offsetForTime}: body {@code {timestamp}}, reply
 *       {@code {offset}} (-1 if none); {@code retention}: apply retention now.</li>
 * </ul>
 * It also applies retention on a timer ({@link RetentionRule}), trimming whole segments.
 *
 * <p>Thread contract: everything runs on the verticle's context.
 */
final class PartitionOwner extends VerticleBase {

  /** A producer's batches waiting for its append in progress, oldest first. */
  private static final class Chain {
    boolean appending;
    final ArrayDeque<Queued> queued = new ArrayDeque<>();
  }

  private record Queued(Message<Object> msg, RecordBatch batch, ProducerStateTable.Batch state) {
  }

  static final long PRODUCER_EXPIRY_MS = 24L * 3600 * 1000;
  private static final int REPLAY_BYTES = 8 * 1024 * 1024;
  private static final int MAX_FETCH_RECORDS = 100_000;
  private static final int MAX_FETCH_BYTES = 64 * 1024 * 1024;
  private static final long MAX_FETCH_WAIT_MS = 60_000;

  private final LogStore store;
  private final String topic;
  private final int partition;
  private final TopicConfig config;
  private final long retentionCheckMs;
  private final ProducerStateTable producers = new ProducerStateTable();
  /** Idempotent producers with an append in progress, by producer id. */
  private final Map<Long, Chain> chains = new HashMap<>();
  private int maxBatchBytes;
  private PartitionLog log;
  private MessageConsumer<Object> consumer;
  private long retentionTimer = -1;
  private boolean retentionRunning;

  PartitionOwner(LogStore store, String topic, int partition, TopicConfig config, long retentionCheckMs) {
    this.store = store;
    this.topic = topic;
    this.partition = partition;
    this.config = new TopicConfig(config);
    this.retentionCheckMs = retentionCheckMs;
  }

  @Override
  public Future<?> start() {
    maxBatchBytes = config.toLogOptions().getMaxBatchBytes();
    return store.open(Addresses.logName(topic, partition), config.toLogOptions())
        .compose(l -> {
          log = l;
          return l.startOffset();
        })
        .compose(start -> replayProducers(start, Long.MIN_VALUE))
        .compose(v -> {
          consumer = vertx.eventBus().consumer(Addresses.partition(topic, partition), this::handle);
          retentionTimer = vertx.setPeriodic(retentionCheckMs, id -> applyRetention());
          return consumer.completion();
        });
  }

  @Override
  public Future<?> stop() {
    if (retentionTimer >= 0) {
      vertx.cancelTimer(retentionTimer);
    }
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    for (Map.Entry<Long, Chain> e : List.copyOf(chains.entrySet())) {
      Chain chain = e.getValue();
      if (!chain.queued.isEmpty()) {
        List<Queued> waiting = new ArrayList<>(chain.queued);
        chain.queued.clear();
        failChain(e.getKey(), chain, waiting, new SluiceException(ErrorCode.NOT_LEADER, "the owner of partition "
            + topic + "-" + partition + " stopped before storing the batch"));
      }
    }
    return unregistered.eventually(() -> log == null ? Future.succeededFuture() : log.close());
  }

  /** Rebuilds the idempotence state from the producer ids and sequences in the batch headers. */
  private Future<Void> replayProducers(long from, long lastBase) {
    return log.read(from, 1_000_000, REPLAY_BYTES).compose(records -> {
      if (records.isEmpty()) {
        return Future.succeededFuture();
      }
      long last = lastBase;
      for (RecordBatch b : records.batches()) {
        if (b.baseOffset() > last) {
          last = b.baseOffset();
          if (b.producerId() >= 0) {
            producers.replay(b.producerId(), b.producerEpoch(), b.baseSequence(), b.recordCount(), b.baseOffset());
          }
        }
      }
      return replayProducers(records.nextOffset(), last);
    });
  }

  private void handle(Message<Object> msg) {
    String op = msg.headers().get(Addresses.OP);
    try {
      switch (op == null ? "" : op) {
        case "produce" -> produce(msg);
        case "fetch" -> fetch(msg);
        case "offsets" -> log.startOffset().compose(s -> log.endOffset().map(e -> new JsonObject().put("start", s).put("end", e)))
            .onComplete(ar -> reply(msg, ar));
        case "offsetForTime" -> log.offsetForTimestamp(((JsonObject) msg.body()).getLong("timestamp"))
            .map(o -> new JsonObject().put("offset", o.isPresent() ? o.getAsLong() : -1L))
            .onComplete(ar -> reply(msg, ar));
        case "retention" -> retentionNow().onComplete(ar -> reply(msg, ar.map(v -> new JsonObject())));
        default -> throw new InvalidArgumentException("unknown operation '" + op + "' for partition " + topic + "-" + partition);
      }
    } catch (RuntimeException e) {
      BusErrors.fail(msg, e);
    }
  }

  private void produce(Message<Object> msg) {
    if (!(msg.body() instanceof RecordBatch batch)) {
      throw new InvalidArgumentException("produce needs a record batch body");
    }
    long pid = batch.producerId();
    if (pid < 0) {
      log.append(batch).onComplete(ar -> replyAppend(msg, ar));
      return;
    }
    ProducerStateTable.Decision d = producers.check(pid, batch.producerEpoch(), batch.baseSequence(), batch.recordCount(),
        System.currentTimeMillis());
    if (d.duplicateOf() != null) {
      d.duplicateOf().onComplete(ar -> replyAppend(msg, ar));
      return;
    }
    Chain chain = chains.computeIfAbsent(pid, k -> new Chain());
    chain.queued.add(new Queued(msg, batch, d.toAppend()));
    if (!chain.appending) {
      appendNext(pid, chain);
    }
  }

  /**
   * Appends what a producer has queued, joined into one batch (up to the log's batch limit), and only after
   * its previous append finished: a producer may pipeline several batches of this partition, and a later
   * batch must never be stored when an earlier one was refused (the log would accept it after the gap).
   */
  private void appendNext(long pid, Chain chain) {
    if (chain.queued.isEmpty()) {
      chains.remove(pid);
      return;
    }
    List<Queued> group = new ArrayList<>();
    Queued first = chain.queued.poll();
    group.add(first);
    int bytes = first.batch.sizeInBytes();
    long expected = ProducerStateTable.nextSequence(first.batch.baseSequence(), first.batch.recordCount());
    while (!chain.queued.isEmpty()) {
      RecordBatch next = chain.queued.peek().batch;
      int more = next.sizeInBytes() - RecordBatch.HEADER_SIZE;
      if (bytes + more > maxBatchBytes || next.producerEpoch() != first.batch.producerEpoch() || next.baseSequence() != expected) {
        break;
      }
      group.add(chain.queued.poll());
      bytes += more;
      expected = ProducerStateTable.nextSequence(next.baseSequence(), next.recordCount());
    }
    List<RecordBatch> batches = new ArrayList<>(group.size());
    for (Queued q : group) {
      batches.add(q.batch);
    }
    chain.appending = true;
    log.append(RecordBatch.concat(batches)).onComplete(ar -> {
      chain.appending = false;
      if (ar.failed()) {
        failChain(pid, chain, group, ar.cause());
        return;
      }
      AppendResult whole = ar.result();
      long base = whole.baseOffset();
      for (Queued q : group) {
        int count = q.batch.recordCount();
        AppendResult part = new AppendResult(base, base + count - 1, whole.appendTime(), whole.durability());
        base += count;
        q.state.result.tryComplete(part);
        replyAppend(q.msg, Future.succeededFuture(part));
      }
      appendNext(pid, chain);
    });
  }

  /**
   * The append of {@code group} failed: it and everything queued behind it are refused, newest first so the
   * producer's next expected sequence ends at the first refused batch. The first gets the cause; the others
   * {@code out_of_order_sequence}, which tells the producer they were not stored and come again after it.
   */
  private void failChain(long pid, Chain chain, List<Queued> group, Throwable cause) {
    List<Queued> refused = new ArrayList<>(group);
    refused.addAll(chain.queued);
    chain.queued.clear();
    chains.remove(pid);
    for (int i = refused.size() - 1; i >= 0; i--) {
      Queued q = refused.get(i);
      Throwable why = i == 0 ? cause : new SluiceException(ErrorCode.OUT_OF_ORDER_SEQUENCE, "batch at sequence "
          + q.batch.baseSequence() + " of producer " + pid + " was not stored because the batch at sequence "
          + refused.get(0).batch.baseSequence() + " before it failed: " + cause.getMessage());
      producers.failed(pid, q.state, why);
      replyAppend(q.msg, Future.failedFuture(why));
    }
  }

  private static void replyAppend(Message<Object> msg, AsyncResult<AppendResult> ar) {
    if (ar.failed()) {
      BusErrors.fail(msg, ar.cause());
      return;
    }
    AppendResult r = ar.result();
    msg.reply(Buffer.buffer(17).appendLong(r.baseOffset()).appendLong(r.appendTime()).appendByte((byte) r.durability().ordinal()));
  }

  private void fetch(Message<Object> msg) {
    JsonObject req = (JsonObject) msg.body();
    long offset = req.getLong("offset", -1L);
    // Clamped so one client cannot make the owner build huge answers or park requests for ever.
    int maxRecords = Math.min(req.getInteger("maxRecords", 500), MAX_FETCH_RECORDS);
    int maxBytes = Math.min(req.getInteger("maxBytes", 1024 * 1024), MAX_FETCH_BYTES);
    long maxWait = Math.min(req.getLong("maxWaitMs", 0L), MAX_FETCH_WAIT_MS);
    if (offset < 0) {
      throw new InvalidArgumentException("fetch offset must be >= 0, got " + offset);
    }
    log.endOffset()
        .compose(end -> offset == end && maxWait > 0 ? log.awaitAppend(offset, maxWait) : Future.succeededFuture(end))
        .compose(end -> log.read(offset, maxRecords, maxBytes))
        .onComplete(ar -> reply(msg, ar.map(r -> r.forPartition(partition))));
  }

  private static void reply(Message<Object> msg, AsyncResult<?> ar) {
    if (ar.succeeded()) {
      msg.reply(ar.result());
    } else {
      BusErrors.fail(msg, ar.cause());
    }
  }

  private void applyRetention() {
    if (!retentionRunning) {
      retentionNow();
    }
  }

  private Future<Void> retentionNow() {
    retentionRunning = true;
    long now = System.currentTimeMillis();
    producers.expire(now - PRODUCER_EXPIRY_MS);
    return log.segments().compose(segments -> {
      long point = RetentionRule.trimPoint(segments, now, config.getRetentionMs(), config.getRetentionBytes());
      return point < 0 ? Future.<Void>succeededFuture() : log.trimBefore(point);
    }).onComplete(ar -> retentionRunning = false);
  }
}
