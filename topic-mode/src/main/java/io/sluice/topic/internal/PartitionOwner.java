package io.sluice.topic.internal;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
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

/**
 * The single writer of one partition's log: every append of the partition goes through this verticle,
 * reached at {@link Addresses#partition}. Operations (header {@code op}):
 * <ul>
 *   <li>{@code produce}: body a {@link RecordBatch}; reply a 17-byte buffer (base offset, append time,
 *       durability ordinal). Batches of idempotent producers are deduplicated ({@link ProducerStateTable}).</li>
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
    log.append(batch).onComplete(ar -> {
      if (ar.succeeded()) {
        d.toAppend().result.tryComplete(ar.result());
      } else {
        producers.failed(pid, d.toAppend(), ar.cause());
      }
      replyAppend(msg, ar);
    });
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
