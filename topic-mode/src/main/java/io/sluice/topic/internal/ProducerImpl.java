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
import java.util.concurrent.TimeUnit;

/**
 * The producer: a per-partition accumulator of messages into batches, sent to partition owners over the
 * bus. An idempotent producer keeps up to {@code maxInFlightPerPartition} batches of a partition in flight;
 * the owner appends one producer's batches one append at a time and refuses every later batch once one
 * failed ({@code out_of_order_sequence}), so after a failure the producer waits for all answers and sends the
 * failed batches again in their order: a retry can never reorder a partition. Without idempotence one batch
 * per partition is in flight.
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
    /** Why the last attempt failed; null while the batch waits for its answer. */
    SluiceException error;

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
    /** Sealed batches not sent yet (or back for a retry), oldest first. */
    final ArrayDeque<PendingBatch> sealed = new ArrayDeque<>();
    /** Sent and not acknowledged, in send order (= sequence order). */
    final ArrayDeque<PendingBatch> inFlight = new ArrayDeque<>();
    /** A batch failed: nothing new is sent until every batch in flight has answered, then they are retried in order. */
    boolean recovering;
    long lingerTimer = -1;
    long producerId = RecordBatch.NO_PRODUCER_ID;
    int nextSequence;

    PartitionQueue(TopicPartition tp) {
      this.tp = tp;
      this.address = Addresses.partition(tp.topic(), tp.partition());
    }
  }

  private record Reservation(long bytes, Promise<Void> promise, long deadlineNanos) {
  }

  private final Vertx vertx;
  private final HeaderLimits headerLimits;
  private final ContextBound ctx;
  private final Bus bus;
  private final ProducerOptions options;
  private final Partitioner partitioner;
  private final MetadataCache metadata;
  private final Runnable onClose;
  private final int maxInFlight;
  private final Map<TopicPartition, PartitionQueue> queues = new HashMap<>();
  /** The same queues indexed by topic then partition, so a send finds its queue without allocating a key. */
  private final Map<String, PartitionQueue[]> queuesByTopic = new HashMap<>();
  private final ArrayDeque<Reservation> waiting = new ArrayDeque<>();
  /** One timer for the oldest waiter's deadline, not one per waiting send (timers cost more than sends do). */
  private long expiryTimer = -1;
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
    this.maxInFlight = options.isIdempotence() ? options.getMaxInFlightPerPartition() : 1;
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
    waiting.add(new Reservation(bytes, p, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.getMaxBlockMs())));
    armExpiry();
    return p.future();
  }

  /**
   * Every waiter waits the same {@code maxBlockMs}, so FIFO order is deadline order: one timer for the oldest
   * waiter is enough. It is not cancelled when that waiter gets its space; it fires, finds nothing due, and
   * re-arms for the waiter then oldest.
   */
  private void armExpiry() {
    if (expiryTimer >= 0 || waiting.isEmpty()) {
      return;
    }
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waiting.peek().deadlineNanos() - System.nanoTime()) + 1);
    expiryTimer = vertx.setTimer(delayMs, id -> {
      expiryTimer = -1;
      long now = System.nanoTime();
      boolean expired = false;
      while (!waiting.isEmpty() && waiting.peek().deadlineNanos() <= now) {
        waiting.poll().promise().tryFail(queueFull());
        expired = true;
      }
      if (expired) {
        grantWaiting();
      }
      armExpiry();
    });
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
      if (q.inFlight.size() < maxInFlight && !q.recovering && q.sealed.isEmpty()) {
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

  /** Whether a new batch for the partition would have to wait: its in-flight window is full or batches wait. */
  private boolean busy(String topic, int partition) {
    PartitionQueue q = queues.get(new TopicPartition(topic, partition));
    return q != null && (q.inFlight.size() >= maxInFlight || q.recovering || !q.sealed.isEmpty());
  }

  /** Sends sealed batches while the partition's window has room, each numbered when first sent. */
  private void trySend(PartitionQueue q) {
    while (!q.recovering && q.inFlight.size() < maxInFlight && !q.sealed.isEmpty()) {
      PendingBatch b = q.sealed.peek();
      long now = System.currentTimeMillis();
      if (b.batch == null) {
        if (producerId != RecordBatch.NO_PRODUCER_ID) {
          if (q.producerId != producerId) {
            if (!q.inFlight.isEmpty()) {
              // A new producer id starts only when the old one's batches have answered: the owner orders the
              // appends of one producer id, not of two, so batches of both must never be in flight together.
              return;
            }
            q.producerId = producerId;
            q.nextSequence = 0;
          }
          b.producerId = q.producerId;
          b.sequence = q.nextSequence;
          q.nextSequence = ProducerStateTable.nextSequence(b.sequence, b.messages.size());
          b.builder.producer(b.producerId, (short) 0, b.sequence);
        }
        b.timestamp = now;
        b.batch = b.builder.now(now).build();
        if (b.firstAttempt == 0) {
          b.firstAttempt = now;
        }
      }
      q.sealed.poll();
      q.inFlight.add(b);
      b.error = null;
      bus.<Buffer>call(q.address, "produce", b.batch, options.getRequestTimeoutMs()).onComplete(ar -> {
        if (ar.succeeded()) {
          acknowledged(q, b, ar.result());
        } else {
          failed(q, b, BusErrors.toSluice(ar.cause()));
        }
      });
    }
  }

  private void acknowledged(PartitionQueue q, PendingBatch b, Buffer reply) {
    long base = reply.getLong(0);
    Durability durability = Durability.values()[reply.getByte(16)];
    for (int i = 0; i < b.messages.size(); i++) {
      long ts = b.messages.get(i).timestamp() >= 0 ? b.messages.get(i).timestamp() : b.timestamp;
      b.promises.get(i).tryComplete(new RecordMetadata(q.tp.topic(), q.tp.partition(), base + i, ts, durability));
    }
    q.inFlight.remove(b);
    finish(q, b);
    if (q.recovering) {
      recoverWhenAllAnswered(q);
    }
  }

  /** An attempt failed: once every batch in flight has answered, the failed ones are retried or given up, in order. */
  private void failed(PartitionQueue q, PendingBatch b, SluiceException error) {
    b.error = error;
    q.recovering = true;
    recoverWhenAllAnswered(q);
  }

  private void recoverWhenAllAnswered(PartitionQueue q) {
    for (PendingBatch p : q.inFlight) {
      if (p.error == null) {
        return;
      }
    }
    List<PendingBatch> answered = new ArrayList<>(q.inFlight);
    q.inFlight.clear();
    recover(q, answered);
  }

  /**
   * Decides about the failed batches of a partition, oldest first, when none is in flight any more. A batch is
   * retried while its delivery timeout allows and the error is retriable; {@code out_of_order_sequence} means
   * the owner did not store it (an earlier batch failed, or the owner lost this producer's state), so it comes
   * again, renumbered under a new producer id if the owner refused the oldest one. A batch that may have been
   * stored ({@code ambiguous}) keeps its id and sequence, so the owner can recognise it; once numbering has to
   * change before it, it is given up instead of risking a second copy.
   */
  private void recover(PartitionQueue q, List<PendingBatch> answered) {
    long now = System.currentTimeMillis();
    List<PendingBatch> retry = new ArrayList<>(answered.size());
    boolean renumber = false;
    boolean askMetadata = false;
    for (int i = 0; i < answered.size(); i++) {
      PendingBatch b = answered.get(i);
      SluiceException error = b.error;
      boolean outOfOrder = error.code() == ErrorCode.OUT_OF_ORDER_SEQUENCE;
      // A full disk is retriable for the application, not within a send: it lasts until someone makes room, and
      // the store refused the whole batch, so the caller gets disk_full at once instead of a timeout minutes later.
      boolean retryHere = outOfOrder || (error.retriable() && error.code() != ErrorCode.DISK_FULL);
      boolean inTime = now + options.getRetryBackoffMs() - b.firstAttempt < options.getDeliveryTimeoutMs();
      if (!retryHere || !inTime || closed) {
        SluiceException e = error;
        if (retryHere) {
          b.ambiguous |= !outOfOrder;
          e = new SluiceException(ErrorCode.TIMEOUT, "batch for " + q.tp + " not acknowledged within deliveryTimeoutMs "
              + options.getDeliveryTimeoutMs() + " ms; it may or may not have been stored. Last error: " + e.getMessage(), e);
        }
        giveUp(q, b, e);
        renumber = true;
        continue;
      }
      if (outOfOrder && i == 0) {
        renumber = true;
      }
      if (!outOfOrder) {
        b.ambiguous = true;
        askMetadata |= error.code() == ErrorCode.NOT_LEADER;
      }
      if (renumber) {
        if (b.ambiguous) {
          giveUp(q, b, new SluiceException(ErrorCode.TIMEOUT, "batch for " + q.tp + " may or may not have been stored "
              + "and cannot be retried safely after an earlier batch failed. Last error: " + error.getMessage(), error));
          continue;
        }
        b.batch = null;
      }
      retry.add(b);
    }
    if (renumber && producerId != RecordBatch.NO_PRODUCER_ID && q.producerId == producerId) {
      producerId = newProducerId();
    }
    if (retry.isEmpty()) {
      q.recovering = false;
      trySend(q);
      return;
    }
    boolean refresh = askMetadata;
    vertx.setTimer(Math.max(1, options.getRetryBackoffMs()), id -> {
      // Nobody at the owner's address may mean the topic was deleted or shrunk: ask the registry.
      Future<?> check = refresh ? metadata.refresh(q.tp.topic()) : Future.succeededFuture();
      check.onComplete(ar -> {
        SluiceException gone = null;
        if (ar.failed() && !BusErrors.toSluice(ar.cause()).retriable()) {
          gone = BusErrors.toSluice(ar.cause());
        } else if (metadata.cached(q.tp.topic()) != null && q.tp.partition() >= metadata.cached(q.tp.topic()).partitions()) {
          gone = new NotFoundException(ErrorCode.UNKNOWN_PARTITION, "partition " + q.tp + " no longer exists");
        }
        for (int i = retry.size() - 1; i >= 0; i--) {
          if (gone != null) {
            giveUp(q, retry.get(i), gone);
          } else {
            q.sealed.addFirst(retry.get(i));
          }
        }
        q.recovering = false;
        trySend(q);
      });
    });
  }

  private void giveUp(PartitionQueue q, PendingBatch b, SluiceException e) {
    if (b.ambiguous || e.code() == ErrorCode.DUPLICATE_SEQUENCE) {
      if (producerId != RecordBatch.NO_PRODUCER_ID && b.producerId == producerId) {
        producerId = newProducerId();
      }
    }
    for (Promise<RecordMetadata> p : b.promises) {
      p.tryFail(e);
    }
    finish(q, b);
  }

  private void settled(PendingBatch b) {
    for (int i = 0; i < b.epochs.size(); i++) {
      settled(b.epochs.get(i), b.epochSends[i]);
    }
  }

  /** The batch is acknowledged or given up: its buffer space is free, its sends settled; send what waits. */
  private void finish(PartitionQueue q, PendingBatch b) {
    release(b.reservedBytes);
    settled(b);
    if (q.recovering) {
      return;
    }
    trySend(q);
    if (options.getLingerMs() == 0 && q.open != null && q.sealed.isEmpty() && q.inFlight.size() < maxInFlight) {
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
