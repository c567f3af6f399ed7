package io.sluice.topic.internal;

import io.sluice.api.Durability;
import io.sluice.api.ErrorCode;
import io.sluice.api.Header;
import io.sluice.api.HeaderLimits;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.api.Names;
import io.sluice.api.NotFoundException;
import io.sluice.api.RecordBatch;
import io.sluice.api.RecordTooLargeException;
import io.sluice.api.SluiceException;
import io.sluice.api.StoreClosedException;
import io.sluice.topic.Partitioner;
import io.sluice.topic.Producer;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.RecordMetadata;
import io.sluice.topic.TopicPartition;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The producer: a per-partition accumulator of messages into batches, sent to partition owners over the
 * bus, at most one batch in flight per partition (so a retry can never reorder a partition).
 *
 * <p>Order of a send: metadata lookup (cached) and buffer reservation both preserve call order, so
 * messages reach their partition's batch in the order {@code send} was called.
 *
 * <p>Idempotence: a batch gets the producer id and the partition's next sequence when it is first sent,
 * and keeps them across retries; the owner answers a retried batch with its original offsets. If a batch
 * is given up after an ambiguous failure (it may or may not have been appended), the producer takes a
 * new producer id, so a later batch can never be mistaken for that one.
 *
 * <p>Flush bookkeeping: sends are counted per epoch (the sends started between two flushes), not tracked
 * one by one; a batch remembers how many of its records each epoch owns and settles them all at once when
 * it is acknowledged or given up. A flush closes the current epoch and completes when that epoch and every
 * older one have no unfinished send left, so it waits for exactly the sends started before it.
 *
 * <p>Hot path: a send to a topic whose metadata is cached and fresh, with buffer space free, is appended
 * synchronously without any intermediate future; the topic name was validated when its metadata was first
 * fetched, so it is not validated again per send.
 *
 * <p>Thread contract: confined to one event-loop context ({@link ContextBound}); public methods hop onto it.
 */
final class ProducerImpl implements Producer {

  /** The sends started between two flushes: a flush waits until its epoch and all older ones are drained. */
  private static final class Epoch {
    int unfinished;
    boolean closed;
    final Promise<Void> drained = Promise.promise();
  }

  private static final class PendingBatch {
    final RecordBatch.Builder builder = RecordBatch.builder();
    final List<Message> messages = new ArrayList<>();
    final List<Promise<RecordMetadata>> promises = new ArrayList<>();
    /** Epochs of the records, run-length: {@code epochs[i]} owns {@code epochSends[i]} records. */
    final List<Epoch> epochs = new ArrayList<>(1);
    int[] epochSends = new int[1];
    long reservedBytes;
    RecordBatch batch;
    long timestamp;
    long firstAttempt;
    long producerId = RecordBatch.NO_PRODUCER_ID;
    int sequence = RecordBatch.NO_SEQUENCE;
    boolean ambiguous;

    void addEpoch(Epoch epoch) {
      int last = epochs.size() - 1;
      if (last >= 0 && epochs.get(last) == epoch) {
        epochSends[last]++;
        return;
      }
      if (last + 1 == epochSends.length) {
        epochSends = Arrays.copyOf(epochSends, epochSends.length * 2);
      }
      epochs.add(epoch);
      epochSends[last + 1] = 1;
    }
  }

  private static final class PartitionQueue {
    final TopicPartition tp;
    final String address;
    PendingBatch open;
    final ArrayDeque<PendingBatch> sealed = new ArrayDeque<>();
    boolean inFlight;
    long lingerTimer = -1;
    long producerId = RecordBatch.NO_PRODUCER_ID;
    int nextSequence;

    PartitionQueue(TopicPartition tp) {
      this.tp = tp;
      this.address = Addresses.partition(tp.topic(), tp.partition());
    }
  }

  private record Reservation(long bytes, Promise<Void> promise, long timer) {
  }

  private final Vertx vertx;
  private final HeaderLimits headerLimits;
  private final ContextBound ctx;
  private final Bus bus;
  private final ProducerOptions options;
  private final Partitioner partitioner;
  private final MetadataCache metadata;
  private final Runnable onClose;
  private final Map<TopicPartition, PartitionQueue> queues = new HashMap<>();
  /** The same queues indexed by topic then partition, so a send finds its queue without allocating a key. */
  private final Map<String, PartitionQueue[]> queuesByTopic = new HashMap<>();
  private final ArrayDeque<Reservation> waiting = new ArrayDeque<>();
  /** Oldest first; the last one is the current epoch, which new sends join. */
  private final ArrayDeque<Epoch> epochs = new ArrayDeque<>();
  private Epoch currentEpoch;
  private long bufferedBytes;
  private long producerId;
  private boolean closed;
  private int flushes;
  private Future<Void> closing;

  ProducerImpl(Vertx vertx, ProducerOptions options, HeaderLimits headerLimits, Runnable onClose) {
    this.vertx = vertx;
    this.headerLimits = headerLimits;
    this.ctx = new ContextBound(vertx);
    this.bus = new Bus(vertx);
    this.options = new ProducerOptions(options);
    this.partitioner = options.getPartitioner() != null ? options.getPartitioner() : Partitioner.sticky();
    this.metadata = new MetadataCache(bus, options.getMetadataMaxAgeMs(), options.getRequestTimeoutMs());
    this.onClose = onClose;
    this.producerId = options.isIdempotence() ? newProducerId() : RecordBatch.NO_PRODUCER_ID;
    this.currentEpoch = new Epoch();
    this.epochs.add(currentEpoch);
  }

  private static long newProducerId() {
    return ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
  }

  @Override
  public Future<RecordMetadata> send(String topic, Message message) {
    return send0(topic, -1, message);
  }

  @Override
  public Future<RecordMetadata> send(String topic, int partition, Message message) {
    if (partition < 0) {
      return Future.failedFuture(new InvalidArgumentException("partition must be >= 0, got " + partition));
    }
    return send0(topic, partition, message);
  }

  private Future<RecordMetadata> send0(String topic, int partition, Message message) {
    // Called on the producer's own context: every completion of the send's promise happens on this
    // context too, so its future can be handed out as is, without a second promise bound to the caller.
    if (ContextInternal.current() == ctx.context()) {
      try {
        return doSend(topic, partition, message);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    return ctx.call(() -> doSend(topic, partition, message));
  }

  /** The bytes a message takes in a batch: exactly what the log checks against {@code maxMessageBytes}. */
  static int recordSize(Message m) {
    int size = RecordBatch.RECORD_OVERHEAD + (m.key() == null ? 0 : m.key().length()) + (m.value() == null ? 0 : m.value().length());
    // Indexed, not for-each: an iterator per send was 1.4% of a producing JVM's allocated bytes (JFR).
    List<Header> headers = m.headers();
    for (int i = 0; i < headers.size(); i++) {
      Header h = headers.get(i);
      size += 2 + h.name().getBytes(StandardCharsets.UTF_8).length + 4 + h.value().length();
    }
    return size;
  }

  private Future<RecordMetadata> doSend(String topic, int explicitPartition, Message message) {
    if (closed || closing != null) {
      return Future.failedFuture(new StoreClosedException("producer '" + options.getClientId() + "' is closed"));
    }
    MetadataCache.TopicMeta fresh = metadata.fresh(topic);
    if (fresh == null) {
      // Only names that passed this check ever reach the cache, so a cached topic needs no check.
      Names.validate("topic", topic);
    }
    if (message == null) {
      throw new InvalidArgumentException("message is null");
    }
    headerLimits.check(message);
    int size = recordSize(message);
    Promise<RecordMetadata> promise = Promise.promise();
    Epoch epoch = currentEpoch;
    epoch.unfinished++;
    if (fresh != null) {
      route(topic, explicitPartition, message, size, fresh, promise, epoch);
    } else {
      metadata.get(topic).onComplete(ar -> {
        if (ar.failed()) {
          promise.fail(ar.cause());
          settled(epoch, 1);
        } else {
          route(topic, explicitPartition, message, size, ar.result(), promise, epoch);
        }
      });
    }
    return promise.future();
  }

  /** Chooses the partition, reserves buffer space and appends; or fails the send. */
  private void route(String topic, int explicitPartition, Message message, int size, MetadataCache.TopicMeta meta,
      Promise<RecordMetadata> promise, Epoch epoch) {
    int partition;
    try {
      if (size > meta.maxMessageBytes()) {
        throw new RecordTooLargeException("message of " + size + " bytes exceeds maxMessageBytes " + meta.maxMessageBytes()
            + " of topic '" + topic + "'");
      }
      if (size > options.getBufferMemory()) {
        throw new RecordTooLargeException("message of " + size + " bytes exceeds the producer's bufferMemory "
            + options.getBufferMemory());
      }
      if (explicitPartition >= 0) {
        if (explicitPartition >= meta.partitions()) {
          throw new NotFoundException(ErrorCode.UNKNOWN_PARTITION, "topic '" + topic + "' has no partition " + explicitPartition
              + " (it has " + meta.partitions() + ")");
        }
        partition = explicitPartition;
      } else {
        partition = partitioner.partition(topic, message, meta.partitions());
        if (partition < 0 || partition >= meta.partitions()) {
          throw new InvalidArgumentException("the partitioner chose partition " + partition + " of topic '" + topic + "' which has "
              + meta.partitions());
        }
      }
    } catch (SluiceException e) {
      promise.fail(e);
      settled(epoch, 1);
      return;
    }
    if (tryReserve(size)) {
      append(topic, partition, message, size, promise, epoch);
      return;
    }
    reserve(size).onComplete(r -> {
      if (r.failed()) {
        promise.fail(r.cause());
        settled(epoch, 1);
      } else {
        append(topic, partition, message, size, promise, epoch);
      }
    });
  }

  // ---- flush bookkeeping ---------------------------------------------------------------------------

  /** {@code sends} sends of {@code epoch} are complete (their promises already completed or failed). */
  private void settled(Epoch epoch, int sends) {
    epoch.unfinished -= sends;
    if (epoch.unfinished == 0 && epoch.closed) {
      completeDrainedEpochs();
    }
  }

  private void completeDrainedEpochs() {
    // An epoch completes only after every older one did: a flush waits for all sends started before it.
    while (epochs.peek().closed && epochs.peek().unfinished == 0) {
      epochs.poll().drained.complete();
    }
  }

  // ---- buffer memory: bounded, FIFO, waiting up to maxBlockMs --------------------------------------

  /** Takes {@code bytes} at once if nobody waits before us and they fit. */
  private boolean tryReserve(long bytes) {
    if (waiting.isEmpty() && bufferedBytes + bytes <= options.getBufferMemory()) {
      bufferedBytes += bytes;
      return true;
    }
    return false;
  }

  /** Waits for {@code bytes}, in FIFO order behind earlier waiters; call after {@link #tryReserve} failed. */
  private Future<Void> reserve(long bytes) {
    if (options.getMaxBlockMs() == 0) {
      return Future.failedFuture(queueFull());
    }
    Promise<Void> p = Promise.promise();
    Reservation[] self = new Reservation[1];
    long timer = vertx.setTimer(options.getMaxBlockMs(), id -> {
      if (waiting.remove(self[0])) {
        p.tryFail(queueFull());
        grantWaiting();
      }
    });
    self[0] = new Reservation(bytes, p, timer);
    waiting.add(self[0]);
    return p.future();
  }

  private SluiceException queueFull() {
    return new SluiceException(ErrorCode.QUEUE_FULL, "producer '" + options.getClientId() + "' buffer of "
        + options.getBufferMemory() + " bytes stayed full for maxBlockMs " + options.getMaxBlockMs() + " ms");
  }

  private void release(long bytes) {
    bufferedBytes -= bytes;
    grantWaiting();
  }

  private void grantWaiting() {
    while (!waiting.isEmpty() && bufferedBytes + waiting.peek().bytes() <= options.getBufferMemory()) {
      Reservation r = waiting.poll();
      vertx.cancelTimer(r.timer());
      bufferedBytes += r.bytes();
      r.promise().complete();
    }
  }

  // ---- batching ------------------------------------------------------------------------------------

  private PartitionQueue queue(String topic, int partition) {
    PartitionQueue[] byPartition = queuesByTopic.get(topic);
    if (byPartition != null && partition < byPartition.length && byPartition[partition] != null) {
      return byPartition[partition];
    }
    // First send to this partition (or the topic grew): rare, so allocating here is fine.
    if (byPartition == null || partition >= byPartition.length) {
      PartitionQueue[] grown = new PartitionQueue[partition + 1];
      if (byPartition != null) {
        System.arraycopy(byPartition, 0, grown, 0, byPartition.length);
      }
      byPartition = grown;
      queuesByTopic.put(topic, byPartition);
    }
    PartitionQueue q = queues.computeIfAbsent(new TopicPartition(topic, partition), PartitionQueue::new);
    byPartition[partition] = q;
    return q;
  }

  private void append(String topic, int partition, Message message, int size, Promise<RecordMetadata> promise, Epoch epoch) {
    PartitionQueue q = queue(topic, partition);
    if (q.open != null && q.open.builder.sizeInBytes() + size > options.getBatchBytes()) {
      seal(q);
    }
    if (q.open == null) {
      q.open = new PendingBatch();
    }
    q.open.builder.add(message);
    q.open.messages.add(message);
    q.open.promises.add(promise);
    q.open.addEpoch(epoch);
    q.open.reservedBytes += size;
    if (q.open.builder.sizeInBytes() >= options.getBatchBytes() || flushes > 0) {
      seal(q);
    } else if (options.getLingerMs() == 0) {
      if (!q.inFlight && q.sealed.isEmpty()) {
        seal(q);
      }
    } else if (q.lingerTimer < 0) {
      q.lingerTimer = vertx.setTimer(options.getLingerMs(), id -> {
        q.lingerTimer = -1;
        seal(q);
      });
    }
  }

  private void seal(PartitionQueue q) {
    if (q.lingerTimer >= 0) {
      vertx.cancelTimer(q.lingerTimer);
      q.lingerTimer = -1;
    }
    if (q.open == null) {
      return;
    }
    q.sealed.add(q.open);
    q.open = null;
    MetadataCache.TopicMeta meta = metadata.cached(q.tp.topic());
    if (meta != null) {
      if (partitioner instanceof StickyPartitioner sticky) {
        String topic = q.tp.topic();
        sticky.onNewBatch(topic, meta.partitions(), q.tp.partition(), partition -> busy(topic, partition));
      } else {
        partitioner.onNewBatch(q.tp.topic(), meta.partitions(), q.tp.partition());
      }
    }
    trySend(q);
  }

  /** Whether a new batch for the partition would have to wait: one of its batches is in flight or sealed. */
  private boolean busy(String topic, int partition) {
    PartitionQueue q = queues.get(new TopicPartition(topic, partition));
    return q != null && (q.inFlight || !q.sealed.isEmpty());
  }

  private void trySend(PartitionQueue q) {
    if (q.inFlight || q.sealed.isEmpty()) {
      return;
    }
    PendingBatch b = q.sealed.peek();
    long now = System.currentTimeMillis();
    if (b.batch == null) {
      if (producerId != RecordBatch.NO_PRODUCER_ID) {
        if (q.producerId != producerId) {
          q.producerId = producerId;
          q.nextSequence = 0;
        }
        b.producerId = q.producerId;
        b.sequence = q.nextSequence;
        b.builder.producer(b.producerId, (short) 0, b.sequence);
      }
      b.timestamp = now;
      b.batch = b.builder.now(now).build();
      b.firstAttempt = now;
    }
    q.inFlight = true;
    bus.<Buffer>call(q.address, "produce", b.batch, options.getRequestTimeoutMs()).onComplete(ar -> {
      if (ar.succeeded()) {
        acknowledged(q, b, ar.result());
      } else {
        failed(q, b, BusErrors.toSluice(ar.cause()));
      }
    });
  }

  private void acknowledged(PartitionQueue q, PendingBatch b, Buffer reply) {
    long base = reply.getLong(0);
    Durability durability = Durability.values()[reply.getByte(16)];
    if (b.producerId != RecordBatch.NO_PRODUCER_ID && b.producerId == q.producerId) {
      q.nextSequence = ProducerStateTable.nextSequence(b.sequence, b.messages.size());
    }
    for (int i = 0; i < b.messages.size(); i++) {
      long ts = b.messages.get(i).timestamp() >= 0 ? b.messages.get(i).timestamp() : b.timestamp;
      b.promises.get(i).tryComplete(new RecordMetadata(q.tp.topic(), q.tp.partition(), base + i, ts, durability));
    }
    finish(q, b);
    settled(b);
  }

  private void failed(PartitionQueue q, PendingBatch b, SluiceException error) {
    long now = System.currentTimeMillis();
    // A full disk is retriable for the application, not within a send: it lasts until someone makes room, and
    // the store refused the whole batch, so the caller gets disk_full at once instead of a timeout minutes later.
    boolean retryHere = error.retriable() && error.code() != ErrorCode.DISK_FULL;
    if (retryHere && now + options.getRetryBackoffMs() - b.firstAttempt < options.getDeliveryTimeoutMs() && !closed) {
      b.ambiguous = true;
      // Stay "in flight" while waiting, so no later batch of this partition overtakes the retry.
      vertx.setTimer(Math.max(1, options.getRetryBackoffMs()), id -> {
        // Nobody at the owner's address may mean the topic was deleted or shrunk: ask the registry.
        Future<?> check = error.code() == ErrorCode.NOT_LEADER ? metadata.refresh(q.tp.topic()) : Future.succeededFuture();
        check.onComplete(ar -> {
          q.inFlight = false;
          SluiceException gone = null;
          if (ar.failed() && !BusErrors.toSluice(ar.cause()).retriable()) {
            gone = BusErrors.toSluice(ar.cause());
          } else if (metadata.cached(q.tp.topic()) != null && q.tp.partition() >= metadata.cached(q.tp.topic()).partitions()) {
            gone = new NotFoundException(ErrorCode.UNKNOWN_PARTITION, "partition " + q.tp + " no longer exists");
          }
          if (gone != null) {
            giveUp(q, b, gone);
          } else {
            trySend(q);
          }
        });
      });
      return;
    }
    SluiceException e = error;
    if (retryHere) {
      b.ambiguous = true;
      e = new SluiceException(ErrorCode.TIMEOUT, "batch for " + q.tp + " not acknowledged within deliveryTimeoutMs "
          + options.getDeliveryTimeoutMs() + " ms; it may or may not have been stored. Last error: " + e.getMessage(), e);
    }
    giveUp(q, b, e);
  }

  private void giveUp(PartitionQueue q, PendingBatch b, SluiceException e) {
    if (b.ambiguous || e.code() == ErrorCode.OUT_OF_ORDER_SEQUENCE || e.code() == ErrorCode.DUPLICATE_SEQUENCE) {
      if (producerId != RecordBatch.NO_PRODUCER_ID && b.producerId == producerId) {
        producerId = newProducerId();
      }
    }
    for (Promise<RecordMetadata> p : b.promises) {
      p.tryFail(e);
    }
    finish(q, b);
    settled(b);
  }

  private void settled(PendingBatch b) {
    for (int i = 0; i < b.epochs.size(); i++) {
      settled(b.epochs.get(i), b.epochSends[i]);
    }
  }

  private void finish(PartitionQueue q, PendingBatch b) {
    q.sealed.poll();
    q.inFlight = false;
    release(b.reservedBytes);
    trySend(q);
    if (options.getLingerMs() == 0 && q.open != null && q.sealed.isEmpty() && !q.inFlight) {
      seal(q);
    }
  }

  @Override
  public Future<Void> flush() {
    return ctx.call(this::doFlush);
  }

  private Future<Void> doFlush() {
    Epoch flushed = currentEpoch;
    flushed.closed = true;
    currentEpoch = new Epoch();
    epochs.add(currentEpoch);
    for (PartitionQueue q : queues.values()) {
      seal(q);
    }
    // Sends still waiting for metadata or buffer space reach a batch later: while a flush is pending,
    // append seals at once instead of lingering.
    flushes++;
    Future<Void> all = flushed.drained.future();
    completeDrainedEpochs();
    return all.transform(ar -> {
      flushes--;
      return Future.<Void>succeededFuture();
    });
  }

  @Override
  public Future<Void> close() {
    return ctx.call(() -> {
      if (closing == null) {
        closing = doFlush().eventually(() -> {
          closed = true;
          onClose.run();
          return Future.succeededFuture();
        });
      }
      return closing;
    });
  }
}
