package io.sluice.queue.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.Header;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.SegmentInfo;
import io.sluice.queue.AckMode;
import io.sluice.queue.ConsumerOptions;
import io.sluice.queue.OverflowPolicy;
import io.sluice.queue.QueueConfig;
import io.sluice.queue.QueueHeaders;
import io.sluice.queue.QueuesOptions;
import io.sluice.queue.SendOptions;
import io.sluice.queue.internal.SettlementJournal.DedupId;
import io.sluice.queue.internal.SettlementJournal.Meta;
import io.sluice.queue.internal.SettlementJournal.Recovered;
import io.sluice.queue.internal.Wire.DeliveryBatch;
import io.sluice.queue.internal.Wire.DeliveryFrame;
import io.sluice.queue.internal.Wire.ReceiveRequest;
import io.sluice.queue.internal.Wire.SendReply;
import io.sluice.queue.internal.Wire.SendRequest;
import io.sluice.queue.internal.Wire.SettleRequest;
import io.sluice.queue.internal.Wire.SubscriberCommand;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/*
 * How a queue works
 * =================
 *
 * The messages of a queue are one log (q.<queue>); settlement is a second log (qc.<queue>, see
 * SettlementJournal). This verticle is the single writer of both and the only holder of the queue's
 * state, so nothing here takes a lock: every request arrives as an event-bus message on this verticle's
 * context, and every storage future completes on it.
 *
 * The shared cursor. Offsets below `scanOffset` have been looked at ("classified"); at and above it lies
 * the unread backlog [scanOffset, endOffset), of which the owner keeps only counts and bytes. The cursor
 * reads ahead of the consumers, but only until `readAhead` messages are ready, so a backlog of millions
 * costs no memory. Each message it passes becomes an Entry in `index` (offset -> entry), in one state:
 *
 *   READY ---deliver---> IN_FLIGHT ---ack---> SETTLING ---durable---> (removed)
 *     ^  ^                  |  |
 *     |  +--nack / lease----+  +--nack(delay)--> DELAYED --due--> READY (or BLOCKED)
 *     |     expired
 *   BLOCKED (a message of the same group is ahead)           DEAD_LETTERING --copied--> SETTLING
 *
 * Only unsettled messages have entries, so the index holds what is ready (bounded by readAhead), in
 * flight (bounded by the consumers' prefetch), delayed and group-blocked. `ready` is a second map of
 * the READY entries by offset: dispatch always takes the oldest, so first deliveries are FIFO and a
 * returned message goes back to its place at the front.
 *
 * Settlement is durable before it is visible: an ack moves the entry to SETTLING and appends a SETTLED
 * record; the entry leaves the index (and the ack is answered) when that record is durable. Many acks
 * share one record of offset ranges and one append (the journal batches whatever queued during the
 * previous append). The data log is then trimmed below the lowest entry still in the index (or the
 * cursor), so acked messages free whole segments; the index being ordered makes that lowest offset
 * a firstKey() away. Delivery counts are journaled too (DELIVERED, without waiting), so a poison
 * message that crashes the whole process still reaches maxDeliveries. The consumer's prefetch room
 * comes back when the ack arrives (leave(), before the SETTLED record is durable): a consumer that has
 * acked no longer holds the message, only its ack's future waits for durability.
 *
 * Why a message is delivered only once its append is durable (fsync=always), not as soon as it is
 * written: the two logs are forced independently, so a consumer could ack a message whose bytes are
 * still only in the page cache, and the SETTLED record for its offset could reach the disk first. A
 * crash then loses the message's tail of the data log while the journal says its offset is settled;
 * after the restart the next send gets that offset again and is skipped as settled: a message that
 * was acknowledged to its sender is lost, never delivered. Delivering early would need settlement
 * records held back until the data log's durable end passes them, which puts the data fsync back on
 * the ack path; the gain would be one fsync of end-to-end latency, no throughput. The send reply
 * goes out before the batch is classified and dispatched (onSend), so a producer's round trip is not
 * lengthened by the work of delivering its batch.
 *
 * Recovery replays the journal (settled ranges, delivery counts, nack delays) and restarts the cursor
 * at the log start: settled offsets are skipped, everything else is classified again, and every
 * lease of the previous run is gone, so in-flight messages become ready with their counts. Delay and
 * TTL are in the stored messages (relative headers plus the record timestamp, which the owner stamps
 * with its clock at enqueue), so the timer index is rebuilt just by passing the messages.
 *
 * Timers. One PriorityQueue holds due times (delayed messages) and lease ends (one item per delivered
 * chunk, whose entries share an expiry), and one Vert.x timer is armed for its head: no per-message
 * timers and no polling. Stale items (acked leases, rescheduled dues) are skipped when they surface.
 * TTL of waiting messages is checked when they are dispatched and by a sweep of the (bounded) ready
 * and blocked entries once a second.
 *
 * Consumers. A push consumer has credit (granted by the consumer as its handler takes deliveries) and,
 * in CLIENT mode, at most `prefetch` unsettled leases. Dispatch goes round robin over consumers with
 * room, giving each an equal share of what is ready (at most DISPATCH_CHUNK at a time), so a slow one
 * never holds more than its prefetch and the rest goes to the others. A pull is a one-shot subscriber
 * that is answered with its first share or when its wait ends. AUTO deliveries are settled durably
 * before they are sent: at-most-once means a crash may lose them, never repeat them.
 *
 * Groups: at most one message per group key is READY, IN_FLIGHT or DEAD_LETTERING (the line's head);
 * later ones wait BLOCKED in the line in offset order and the next one becomes ready when the head is
 * settled. A nacked head stays the head, so a group is processed in order.
 *
 * Records (the message bytes) are kept on entries while READY and IN_FLIGHT; DELAYED and BLOCKED ones
 * keep theirs within a byte budget (so 100,000 delayed messages fire without reads) and beyond it are
 * read back from the log, in offset-ordered runs, when they become ready.
 *
 * Re-entrancy: with the memory store every storage future is already complete, so callbacks run inside
 * the call that caused them. Loops (scan, fetch, journal writer) are written as trampolines, and code
 * never settles entries while iterating `index` or `ready`: it collects first, then acts.
 */

/**
 * The owner of one queue: a verticle that is the single writer of the queue's message log and
 * settlement journal, and serves sends, deliveries, settlement, admin and timers for it, reached only
 * over the event bus at {@code <address>.<queue>}.
 *
 * <p>Thread contract: all state is confined to this verticle's event-loop context; nothing blocks.
 */
final class QueueOwner extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(QueueOwner.class.getName());

  /** Event-bus header naming an admin action (describe, purge) on an owner's address. */
  static final String ADMIN_HEADER = "sluice-admin";

  private static final int READ_MAX_RECORDS = 2000;
  private static final int READ_MAX_BYTES = 1024 * 1024;
  private static final int DISPATCH_CHUNK = 256;
  private static final Dedup[] NO_DEDUP = new Dedup[0];
  private static final int MAX_INDEXED = 1_000_000;
  private static final int MAX_RECEIVE = 10_000;
  private static final long MAX_WAIT_MS = 5 * 60_000;
  private static final long TRIM_DELAY_MS = 10;
  /**
   * How often the log start may move without freeing a sealed segment, which it only does when the queue
   * has drained (the trim to the end gives back the active segment). Every trim makes the store write its
   * checkpoint durably in the log's writer queue, in front of the appends behind it: trimming a busy queue
   * every few milliseconds cost the sends as many fsyncs as their own appends did. Space only comes back a
   * whole segment at a time, so a trim inside the active segment of a queue that still holds messages is
   * not made at all.
   */
  static final long PARTIAL_TRIM_EVERY_MS = 500;
  private static final long RETRY_MS = 1000;
  private static final int DEAD_LETTER_CHUNK = 500;

  private static final byte DUE = 1;
  private static final byte LEASE = 2;

  private record Timer(long at, byte kind, Entry entry, Entry[] entries, long[] tokens) {
  }

  /** A remembered dedup id; {@code offset} is -1 while its send is being appended. */
  private static final class Dedup {
    final String id;
    final long at;
    long offset = -1;
    Promise<Long> appended;

    Dedup(String id, long at, long offset) {
      this.id = id;
      this.at = at;
      this.offset = offset;
    }
  }

  /** One line of a message group: the head may be delivered, the others wait in offset order. */
  private static final class GroupLine {
    Entry head;
    final ArrayDeque<Entry> waiting = new ArrayDeque<>();
  }

  private final String name;
  private final QueueConfig config;
  private final LogStore store;
  private final String address;
  private final String deadLetterAddress;
  private final int readAhead;
  private final long heldBudget;
  private final long requestTimeoutMs;

  private PartitionLog log;
  private PartitionLog controlLog;
  private SettlementJournal journal;
  private MessageConsumer<Object> busConsumer;
  private boolean stopping;

  // ---- the cursor and the backlog ----
  private long scanOffset;
  private long endOffset;
  private long trimmedTo;
  /** Dedup ids of messages below this offset have been journaled (they may be trimmed away). */
  private long carriedUpTo;
  /** Unsettled messages and bytes at or above the cursor. */
  private long aheadCount;
  private long aheadBytes;
  /** Settled offsets at or above the cursor (recovered, purged): the cursor skips them. */
  private OffsetRanges settledAhead = new OffsetRanges();
  /** Recovered delivery counts and nack delays of offsets at or above the cursor. */
  private TreeMap<Long, Meta> metaAhead = new TreeMap<>();

  // ---- entries ----
  /** Every entry by offset; a settled receipt is found here with an array probe (see OffsetMap). */
  private final OffsetMap<Entry> index = new OffsetMap<>();
  private final OffsetMap<Entry> ready = new OffsetMap<>();
  private final Map<String, GroupLine> groups = new HashMap<>();
  private long liveCount;
  private long liveBytes;
  private long inFlightCount;
  private long delayedCount;
  private long deadLetteringCount;
  private long deadLetteringBytes;
  private long heldBytes;

  // ---- sends in flight ----
  private long pendingCount;
  private long pendingBytes;
  private int pendingAppends;
  private Promise<Void> appendsDrained;

  // ---- dedup ----
  private final LinkedHashMap<String, Dedup> dedup = new LinkedHashMap<>();
  private final ArrayDeque<Dedup> uncarried = new ArrayDeque<>();

  // ---- timers ----
  private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
  private long timerId = -1;
  private long timerAt = Long.MAX_VALUE;
  private long sweepTimer = -1;
  private boolean trimScheduled;

  // ---- consumers ----
  /**
   * A push consumer that renews its subscription (one in a cluster, every second) and stops doing so for this
   * long is taken for dead (its node died): its leases return at once instead of when they run out.
   */
  static final long SUBSCRIPTION_LEASE_MS = 10_000;
  private long subscriptionCheckTimer = -1;
  private final Map<String, Subscriber> subscribers = new HashMap<>();
  private final ArrayDeque<Subscriber> rotation = new ArrayDeque<>();
  private long leaseSeq = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);
  /** Numbers settle requests, for {@link Entry#settleRequest}. */
  private long settleRequests;

  private boolean scanning;
  /** Set after a failed read until the retry: keeps scan and dispatch from calling each other in a loop. */
  private boolean scanPaused;
  private boolean fetching;
  private boolean dispatching;
  private boolean trimming;
  /** {@link System#nanoTime} of the last trim that freed no segment (a performance pace, not a semantic time). */
  private long lastPartialTrim = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(PARTIAL_TRIM_EVERY_MS);

  QueueOwner(String name, QueueConfig config, LogStore store, QueuesOptions options) {
    this.name = name;
    this.config = new QueueConfig(config);
    this.store = store;
    this.address = QueuesImpl.ownerAddress(options.getAddress(), name);
    this.deadLetterAddress = config.getDeadLetterQueue() == null ? null
        : QueuesImpl.ownerAddress(options.getAddress(), config.getDeadLetterQueue());
    this.readAhead = options.getReadAhead();
    this.heldBudget = options.getHeldBytes();
    this.requestTimeoutMs = options.getRequestTimeoutMs();
  }

  static String dataLogName(String queue) {
    return "q." + queue;
  }

  static String controlLogName(String queue) {
    return "qc." + queue;
  }

  static LogOptions dataLogOptions(QueueConfig config) {
    return new LogOptions().setSegmentBytes(config.getSegmentBytes()).setFsync(config.getFsync())
        .setMaxRecordBytes(config.getMaxMessageBytes())
        .setMaxBatchBytes(Math.max(LogOptions.DEFAULT_MAX_BATCH_BYTES, config.getMaxMessageBytes() + 4096))
        .setReplicationFactor(config.getReplicationFactor()).setMinInSync(config.getMinInSync());
  }

  /** The settlement journal is replicated like the messages: a settlement must survive what a message does. */
  static LogOptions controlLogOptions(QueueConfig config) {
    return new LogOptions().setSegmentBytes(Math.min(config.getSegmentBytes(), 8 * 1024 * 1024))
        .setFsync(config.getFsync()).setMaxRecordBytes(8 * 1024 * 1024).setMaxBatchBytes(16 * 1024 * 1024)
        .setReplicationFactor(config.getReplicationFactor()).setMinInSync(config.getMinInSync());
  }

  // ================================================================== lifecycle

  @Override
  public Future<?> start() {
    LogOptions data = dataLogOptions(config);
    LogOptions control = controlLogOptions(config);
    return store.open(dataLogName(name), data)
        .compose(l -> {
          log = l;
          return store.open(controlLogName(name), control);
        })
        .compose(c -> {
          controlLog = c;
          return SettlementJournal.replay(c);
        })
        .compose(this::recover)
        .compose(v -> {
          journal = new SettlementJournal(controlLog, this::snapshot);
          busConsumer = vertx.eventBus().consumer(address, this::onMessage);
          return busConsumer.completion();
        })
        .onSuccess(v -> {
          if (config.getMessageTtlMs() > 0) {
            startSweep();
          }
          scan();
        })
        .onFailure(e -> closeLogs());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    cancelTimer();
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    if (subscriptionCheckTimer >= 0) {
      vertx.cancelTimer(subscriptionCheckTimer);
    }
    Future<Void> unregistered = busConsumer == null ? Future.succeededFuture() : busConsumer.unregister();
    DeliveryBatch end = new DeliveryBatch(name, true, List.of());
    for (Subscriber s : new ArrayList<>(rotation)) {
      if (s.pull != null) {
        finishPull(s);
      } else {
        vertx.eventBus().send(s.address, end);
      }
    }
    rotation.clear();
    subscribers.clear();
    Future<Void> appends = Future.succeededFuture();
    if (pendingAppends > 0) {
      appendsDrained = Promise.promise();
      appends = appendsDrained.future();
    }
    return Future.join(unregistered, appends)
        .transform(v -> {
          if (journal == null) {
            return Future.succeededFuture();
          }
          // A checkpoint on the way out makes the next open replay one checkpoint instead of a long tail.
          journal.requestCheckpoint();
          return journal.drained();
        })
        .transform(v -> closeLogs());
  }

  private Future<Void> closeLogs() {
    List<Future<Void>> closing = new ArrayList<>();
    if (log != null) {
      closing.add(log.close());
    }
    if (controlLog != null) {
      closing.add(controlLog.close());
    }
    return Future.join(closing).mapEmpty();
  }

  /** Sets the cursor to the log start and counts the backlog, skipping what the journal says is settled. */
  private Future<Void> recover(Recovered rec) {
    return Future.all(log.startOffset(), log.endOffset()).compose(cf -> {
      long start = cf.resultAt(0);
      long end = cf.resultAt(1);
      trimmedTo = start;
      carriedUpTo = start;
      scanOffset = start;
      endOffset = end;
      settledAhead = rec.settled;
      settledAhead.removeBelow(start);
      metaAhead = new TreeMap<>(rec.meta.tailMap(start, true));
      long now = clock();
      for (DedupId d : rec.dedup.values()) {
        if (config.getDedupWindowMs() > 0 && d.at() + config.getDedupWindowMs() > now) {
          dedup.put(d.id(), new Dedup(d.id(), d.at(), d.offset()));
        }
      }
      Promise<Void> done = Promise.promise();
      census(start, end, now, done);
      return done.future();
    });
  }

  private void census(long from, long end, long now, Promise<Void> done) {
    while (from < end) {
      Future<Records> f = log.read(from, READ_MAX_RECORDS * 5, 4 * READ_MAX_BYTES);
      if (!f.isComplete()) {
        f.onComplete(ar -> {
          if (ar.failed()) {
            done.fail(ar.cause());
          } else {
            census(countBacklog(ar.result(), now), end, now, done);
          }
        });
        return;
      }
      if (f.failed()) {
        done.fail(f.cause());
        return;
      }
      from = countBacklog(f.result(), now);
    }
    done.complete();
  }

  private long countBacklog(Records records, long now) {
    for (Record r : records) {
      if (settledAhead.contains(r.offset())) {
        continue;
      }
      aheadCount++;
      aheadBytes += MessageProps.sizeOf(r);
      if (config.getDedupWindowMs() > 0 && !r.headers().isEmpty()) {
        MessageProps p = propsOf(r);
        if (p.dedupId() != null && r.timestamp() + config.getDedupWindowMs() > now) {
          Dedup d = new Dedup(p.dedupId(), r.timestamp(), r.offset());
          dedup.remove(d.id);
          dedup.put(d.id, d);
          uncarried.add(d);
        }
      }
    }
    return records.isEmpty() ? Long.MAX_VALUE : records.nextOffset();
  }

  private static long clock() {
    return System.currentTimeMillis();
  }

  // ================================================================== requests

  private void onMessage(io.vertx.core.eventbus.Message<Object> msg) {
    if (stopping) {
      Failures.reply(msg, new SluiceException(ErrorCode.NOT_LEADER, "queue '" + name + "' is stopping"));
      return;
    }
    try {
      Object body = msg.body();
      if (body instanceof SendRequest send) {
        onSend(msg, send.batch(), false);
      } else if (body instanceof SettleRequest settle) {
        onSettle(msg, settle);
      } else if (body instanceof SubscriberCommand command) {
        onSubscriber(msg, command);
      } else if (body instanceof ReceiveRequest receive) {
        onReceive(msg, receive);
      } else if (msg.headers().contains(ADMIN_HEADER)) {
        onAdmin(msg, msg.headers().get(ADMIN_HEADER));
      } else {
        onPlainSend(msg);
      }
    } catch (RuntimeException e) {
      if (!(e instanceof SluiceException)) {
        LOG.log(Level.WARNING, "queue '" + name + "' failed on a request", e);
      }
      Failures.reply(msg, e);
    }
  }

  /** A plain event-bus body (Buffer, String, JsonObject, byte[]): one message; bus headers become its headers. */
  private void onPlainSend(io.vertx.core.eventbus.Message<Object> msg) {
    Object body = msg.body();
    Buffer value;
    if (body == null) {
      value = null;
    } else if (body instanceof Buffer b) {
      value = b;
    } else if (body instanceof String s) {
      value = Buffer.buffer(s);
    } else if (body instanceof JsonObject j) {
      value = j.toBuffer();
    } else if (body instanceof byte[] bytes) {
      value = Buffer.buffer(bytes);
    } else {
      throw new InvalidArgumentException("a queue takes Buffer, String, JsonObject or byte[] bodies, not "
          + body.getClass().getName());
    }
    Message m = Message.of(value);
    MultiMap headers = msg.headers();
    if (!headers.isEmpty()) {
      List<Header> hs = new ArrayList<>(headers.size());
      for (Map.Entry<String, String> h : headers) {
        hs.add(Header.of(h.getKey(), h.getValue()));
      }
      m = m.withHeaders(hs);
    }
    onSend(msg, RecordBatch.of(m), true);
  }

  private void onSend(io.vertx.core.eventbus.Message<Object> msg, RecordBatch batch, boolean plain) {
    long now = clock();
    String bad = batch.verify();
    if (bad != null) {
      throw new InvalidArgumentException("malformed record batch: " + bad);
    }
    // A batch whose records carry no headers has no queue properties (no dedup id, delay, TTL or group),
    // and each record's size is its length field: nothing needs decoding before the append. Its records
    // are decoded once, from the appended batch (offsets and enqueue time in place), or read back later.
    boolean headerless = MessageProps.headerless(batch);
    List<Record> records = headerless ? null : batch.toList();
    int n = batch.recordCount();
    evictDedup(now);
    MessageProps[] props = null;
    Dedup[] repeats = null;
    int[] sameAs = null;
    int[] kept = null;
    int keep = 0;
    long keepBytes = 0;
    if (headerless) {
      keep = n;
      keepBytes = batch.sizeInBytes() - RecordBatch.HEADER_SIZE;
    } else {
      props = new MessageProps[n];
      int[] sizes = new int[n];
      for (int i = 0; i < n; i++) {
        props[i] = MessageProps.of(records.get(i));
        sizes[i] = MessageProps.sizeOf(records.get(i));
      }
      // Deduplicate: against remembered ids (within the window) and within the batch itself.
      repeats = new Dedup[n];
      sameAs = new int[n];
      Arrays.fill(sameAs, -1);
      kept = new int[n];
      Map<String, Integer> inBatch = null;
      for (int i = 0; i < n; i++) {
        String id = props[i].dedupId();
        if (id != null && config.getDedupWindowMs() > 0) {
          Dedup d = dedup.get(id);
          if (d != null && d.at + config.getDedupWindowMs() > now) {
            repeats[i] = d;
            continue;
          }
          if (inBatch == null) {
            inBatch = new HashMap<>();
          }
          Integer first = inBatch.putIfAbsent(id, i);
          if (first != null) {
            sameAs[i] = first;
            continue;
          }
        }
        kept[keep++] = i;
        keepBytes += sizes[i];
      }
    }
    if (keep > 0 && config.getOverflow() == OverflowPolicy.REJECT_NEW) {
      long depth = limitCount() + pendingCount + keep;
      long bytes = limitBytes() + pendingBytes + keepBytes;
      if ((config.getMaxLength() > 0 && depth > config.getMaxLength())
          || (config.getMaxBytes() > 0 && bytes > config.getMaxBytes())) {
        throw new SluiceException(ErrorCode.QUEUE_FULL, "queue '" + name + "' is full (maxLength "
            + config.getMaxLength() + ", maxBytes " + config.getMaxBytes() + "); nothing was stored");
      }
    }
    long[] ids = new long[n];
    if (keep == 0) {
      replyIds(msg, plain, ids, repeats, sameAs);
      return;
    }
    int[] keptAt = kept;
    Dedup[] repeated = repeats;
    int[] sameAsFirst = sameAs;
    RecordBatch toAppend = batch;
    if (keep < n) {
      RecordBatch.Builder b = RecordBatch.builder().now(now);
      for (int k = 0; k < keep; k++) {
        b.add(records.get(kept[k]).toMessage());
      }
      toAppend = b.build();
    }
    MessageProps.stampEnqueueTime(toAppend, now);
    Dedup[] reserved = props == null ? NO_DEDUP : new Dedup[keep];
    for (int k = 0; props != null && k < keep; k++) {
      String id = props[kept[k]].dedupId();
      if (id != null && config.getDedupWindowMs() > 0) {
        Dedup d = new Dedup(id, now, -1);
        d.appended = Promise.promise();
        // Re-inserted, not overwritten in place: the map's order is the eviction order.
        dedup.remove(id);
        dedup.put(id, d);
        reserved[k] = d;
      }
    }
    int keepCount = keep;
    long addBytes = keepBytes;
    pendingCount += keepCount;
    pendingBytes += addBytes;
    pendingAppends++;
    RecordBatch appending = toAppend;
    log.append(appending).onComplete(ar -> {
      pendingCount -= keepCount;
      pendingBytes -= addBytes;
      pendingAppends--;
      if (ar.failed()) {
        for (Dedup d : reserved) {
          if (d != null) {
            dedup.remove(d.id, d);
            d.appended.fail(ar.cause());
          }
        }
        Failures.reply(msg, ar.cause());
      } else {
        for (int k = 0; k < keepCount; k++) {
          ids[keptAt == null ? k : keptAt[k]] = ar.result().baseOffset() + k;
        }
        // The reply first: the sender's next batch should not wait behind the classification and dispatch
        // of this one (under fsync=always the producers' round trip is what bounds their throughput).
        // Nothing the sender can ask next overtakes it: its next request runs on this context after this task.
        replyIds(msg, plain, ids, repeated, sameAsFirst);
        onAppended(ar.result(), keepCount == n ? records : null, appending, keepCount, addBytes, reserved, now);
      }
      if (pendingAppends == 0 && appendsDrained != null) {
        appendsDrained.tryComplete();
      }
    });
  }

  /**
   * @param decoded the batch's records as decoded before the append (offsets and timestamps not yet
   *                assigned), or null when they were not decoded (no headers) or the batch was rebuilt
   */
  private void onAppended(AppendResult result, List<Record> decoded, RecordBatch batch, int count, long bytes,
      Dedup[] reserved, long enqueuedAt) {
    endOffset = Math.max(endOffset, result.lastOffset() + 1);
    aheadCount += count;
    aheadBytes += bytes;
    for (int k = 0; k < reserved.length; k++) {
      Dedup d = reserved[k];
      if (d != null) {
        d.offset = result.baseOffset() + k;
        uncarried.add(d);
        d.appended.complete(d.offset);
      }
    }
    if (stopping) {
      return;
    }
    // The common case: the cursor is at the end, so classify straight from the appended batch
    // instead of reading back what was just written.
    if (!scanning && scanOffset == result.baseOffset() && shouldScan()) {
      scanning = true;
      long now = clock();
      if (decoded != null) {
        // Same bytes (slices of the appended buffer): only the offsets and enqueue time are new.
        long offset = result.baseOffset();
        for (Record r : decoded) {
          classify(new Record(-1, offset++, enqueuedAt, r.key(), r.value(), r.headers()), now);
        }
      } else {
        if (batch.baseOffset() != result.baseOffset()) {
          // A log that sends the batch elsewhere (replicated) assigned the offsets in its copy, not here;
          // the append is complete, so these bytes are the owner's again.
          batch.assignBaseOffset(result.baseOffset());
        }
        for (Iterator<Record> it = batch.iterator(); it.hasNext(); ) {
          classify(it.next(), now);
        }
      }
      scanOffset = result.lastOffset() + 1;
      scanning = false;
    }
    if (config.getOverflow() == OverflowPolicy.DROP_OLDEST) {
      enforceLimits();
    }
    dispatch();
  }

  /** @param repeats and {@code sameAs}: null when the batch had no dedup ids */
  private void replyIds(io.vertx.core.eventbus.Message<Object> msg, boolean plain, long[] ids, Dedup[] repeats, int[] sameAs) {
    if (repeats == null) {
      msg.reply(plain ? (Object) ids[0] : new SendReply(ids));
      return;
    }
    List<Future<Long>> waits = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      if (repeats[i] != null) {
        Dedup d = repeats[i];
        if (d.offset >= 0) {
          ids[i] = d.offset;
        } else {
          int at = i;
          waits.add(d.appended.future().onSuccess(id -> ids[at] = id));
        }
      }
    }
    Future.all(waits).onComplete(ar -> {
      if (ar.failed()) {
        Failures.reply(msg, ar.cause());
        return;
      }
      for (int i = 0; i < ids.length; i++) {
        if (sameAs[i] >= 0) {
          ids[i] = ids[sameAs[i]];
        }
      }
      if (plain) {
        msg.reply(ids[0]);
      } else {
        msg.reply(new SendReply(ids));
      }
    });
  }

  private void evictDedup(long now) {
    long window = config.getDedupWindowMs();
    for (Iterator<Dedup> it = dedup.values().iterator(); it.hasNext(); ) {
      Dedup d = it.next();
      if (d.offset < 0 || d.at + window > now) {
        break;
      }
      it.remove();
    }
  }

  private void onSettle(io.vertx.core.eventbus.Message<Object> msg, SettleRequest req) {
    long now = clock();
    int n = req.offsets().length;
    if (n == 0) {
      throw new InvalidArgumentException("no receipts");
    }
    if (req.kind() == Wire.NACK && (req.arg() < 0 || req.arg() > SendOptions.MAX_DELAY_MS)) {
      throw new InvalidArgumentException("nack delay must be between 0 and " + SendOptions.MAX_DELAY_MS + " ms, got " + req.arg());
    }
    if (req.kind() == Wire.EXTEND && (req.arg() < 1 || req.arg() > QueueConfig.MAX_VISIBILITY_TIMEOUT_MS)) {
      throw new InvalidArgumentException("lease extension must be between 1 and " + QueueConfig.MAX_VISIBILITY_TIMEOUT_MS
          + " ms, got " + req.arg());
    }
    // Validate every receipt before changing anything: a batch is settled all or nothing.
    // A receipt given twice is found by stamping each entry with this request's number, not by a set.
    List<Entry> entries = new ArrayList<>(n);
    long request = ++settleRequests;
    for (int i = 0; i < n; i++) {
      Entry e = index.get(req.offsets()[i]);
      if (e == null || e.state != Entry.IN_FLIGHT || e.token != req.tokens()[i] || e.leaseExpiresAt <= now) {
        throw Failures.unknownReceipt(Receipts.format(name, req.offsets()[i], req.tokens()[i]));
      }
      if (e.settleRequest == request) {
        throw new InvalidArgumentException("receipt " + Receipts.format(name, e.offset, e.token) + " given twice");
      }
      e.settleRequest = request;
      entries.add(e);
    }
    switch (req.kind()) {
      case Wire.ACK -> settle(entries, SettlementJournal.REASON_ACKED).onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(null);
        } else {
          Failures.reply(msg, ar.cause());
        }
      });
      case Wire.NACK -> {
        List<long[]> dues = new ArrayList<>();
        for (Entry e : entries) {
          returnEntry(e, req.arg(), now, dues);
        }
        List<Future<Void>> parts = new ArrayList<>();
        for (int i = 0; i < dues.size(); i += SettlementJournal.MAX_ITEMS_PER_EVENT) {
          parts.add(journal.write(SettlementJournal.due(dues.subList(i, Math.min(dues.size(), i + SettlementJournal.MAX_ITEMS_PER_EVENT)))));
        }
        Future<Void> durable = Future.all(parts).mapEmpty();
        durable.onComplete(ar -> {
          if (ar.succeeded()) {
            msg.reply(null);
          } else {
            Failures.reply(msg, ar.cause());
          }
        });
        dispatch();
      }
      case Wire.EXTEND -> {
        long until = now + req.arg();
        for (Entry e : entries) {
          e.leaseExpiresAt = until;
          addTimer(new Timer(until, LEASE, null, new Entry[] {e}, new long[] {e.token}));
        }
        msg.reply(null);
      }
      default -> throw new InvalidArgumentException("unknown settle kind " + req.kind());
    }
  }

  private void onSubscriber(io.vertx.core.eventbus.Message<Object> msg, SubscriberCommand cmd) {
    switch (cmd.kind()) {
      case Wire.SUBSCRIBE -> {
        if (cmd.id() == null || cmd.address() == null || cmd.mode() == null || cmd.prefetch() < 1
            || cmd.prefetch() > ConsumerOptions.MAX_PREFETCH) {
          throw new InvalidArgumentException("bad subscription " + cmd);
        }
        long visibility = cmd.visibilityMs() > 0 ? cmd.visibilityMs() : config.getVisibilityTimeoutMs();
        int credit = Math.max(0, Math.min(cmd.prefetch(), cmd.credit()));
        Subscriber known = subscribers.get(cmd.id());
        if (known != null) {
          // A consumer that could not reach this owner for a while subscribes again: it forgot the credit it
          // had granted, so the credit starts over from what it says now; its leases stay.
          known.credit = credit;
          msg.reply(null);
          dispatch();
          return;
        }
        Subscriber s = new Subscriber(cmd.id(), cmd.address(), cmd.mode(), cmd.prefetch(), visibility, null);
        s.credit = credit;
        subscribers.put(s.id, s);
        rotation.add(s);
        msg.reply(null);
        dispatch();
      }
      case Wire.RENEW -> {
        Subscriber s = subscribers.get(cmd.id());
        if (s != null) {
          s.renewedAt = clock();
          checkSubscriptions();
        }
        msg.reply(s != null);
      }
      case Wire.CREDIT -> {
        Subscriber s = subscribers.get(cmd.id());
        // Answered only when asked (a consumer in a cluster): whether this owner serves it.
        msg.reply(s != null);
        if (s != null && cmd.credit() > 0) {
          s.credit = (int) Math.min(s.prefetch, (long) s.credit + cmd.credit());
          dispatch();
        }
      }
      case Wire.UNSUBSCRIBE -> {
        Subscriber s = subscribers.get(cmd.id());
        if (s != null) {
          unsubscribe(s);
        }
        msg.reply(null);
        dispatch();
      }
      default -> throw new InvalidArgumentException("unknown subscriber command " + cmd.kind());
    }
  }

  private void unsubscribe(Subscriber s) {
    subscribers.remove(s.id);
    s.done = true;
    rotation.remove(s);
    returnHeldBy(s);
  }

  /** Once a consumer renews, drops renewing consumers silent for {@link #SUBSCRIPTION_LEASE_MS}. */
  private void checkSubscriptions() {
    if (subscriptionCheckTimer >= 0 || stopping) {
      return;
    }
    subscriptionCheckTimer = vertx.setPeriodic(SUBSCRIPTION_LEASE_MS / 4, id -> {
      long now = clock();
      List<Subscriber> silent = new ArrayList<>();
      for (Subscriber s : subscribers.values()) {
        if (s.renewedAt > 0 && now - s.renewedAt > SUBSCRIPTION_LEASE_MS) {
          silent.add(s);
        }
      }
      silent.forEach(this::unsubscribe);
      if (!silent.isEmpty()) {
        dispatch();
      }
    });
  }

  /** The CLIENT leases of a consumer that left go back to the queue at once (their counts stay). */
  private void returnHeldBy(Subscriber s) {
    if (s.inFlight == 0) {
      return;
    }
    List<Entry> held = new ArrayList<>();
    for (Entry e : index) {
      if (e.state == Entry.IN_FLIGHT && e.holder == s) {
        held.add(e);
      }
    }
    long now = clock();
    List<long[]> none = new ArrayList<>();
    for (Entry e : held) {
      returnEntry(e, 0, now, none);
    }
  }

  private void onReceive(io.vertx.core.eventbus.Message<Object> msg, ReceiveRequest req) {
    if (req.max() < 1 || req.max() > MAX_RECEIVE) {
      throw new InvalidArgumentException("max must be between 1 and " + MAX_RECEIVE + ", got " + req.max());
    }
    if (req.waitMs() < 0 || req.waitMs() > MAX_WAIT_MS) {
      throw new InvalidArgumentException("wait must be between 0 and " + MAX_WAIT_MS + " ms, got " + req.waitMs());
    }
    if (req.visibilityMs() < 0 || req.visibilityMs() > QueueConfig.MAX_VISIBILITY_TIMEOUT_MS) {
      throw new InvalidArgumentException("visibility timeout out of range: " + req.visibilityMs());
    }
    long visibility = req.visibilityMs() > 0 ? req.visibilityMs() : config.getVisibilityTimeoutMs();
    Subscriber s = new Subscriber(null, null, AckMode.CLIENT, req.max(), visibility, msg);
    rotation.add(s);
    dispatch();
    if (s.done) {
      return;
    }
    long wait = req.waitMs();
    if (wait == 0 && (scanning || fetching)) {
      // Messages are on their way from the log: a zero wait should not miss them.
      wait = 50;
    }
    if (wait == 0) {
      finishPull(s);
    } else {
      s.waitTimer = vertx.setTimer(wait, id -> {
        s.waitTimer = -1;
        finishPull(s);
      });
    }
  }

  private void finishPull(Subscriber s) {
    if (s.done) {
      return;
    }
    s.done = true;
    rotation.remove(s);
    if (s.waitTimer >= 0) {
      vertx.cancelTimer(s.waitTimer);
    }
    s.pull.reply(new DeliveryBatch(name, false, List.of()));
  }

  private void onAdmin(io.vertx.core.eventbus.Message<Object> msg, String action) {
    switch (action) {
      case "describe" -> describe().onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          Failures.reply(msg, ar.cause());
        }
      });
      case "purge" -> purge().onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          Failures.reply(msg, ar.cause());
        }
      });
      default -> throw new InvalidArgumentException("unknown admin action '" + action + "'");
    }
  }

  private Future<JsonObject> describe() {
    long depth = aheadCount + liveCount;
    long delayed = delayedCount + deadLetteringCount;
    JsonObject stats = new JsonObject().put("name", name).put("config", config.toJson()).put("depth", depth)
        .put("ready", Math.max(0, depth - inFlightCount - delayed)).put("inFlight", inFlightCount)
        .put("delayed", delayed).put("consumers", subscribers.size()).put("bytes", aheadBytes + liveBytes);
    Future<Long> oldest = oldestUnsettledTimestamp();
    return Future.all(oldest, log.sizeInBytes()).map(cf -> {
      long ts = cf.<Long>resultAt(0);
      return stats.put("storedBytes", cf.<Long>resultAt(1)).put("oldestMessageAgeMs", ts < 0 ? 0 : Math.max(0, clock() - ts));
    });
  }

  private Future<Long> oldestUnsettledTimestamp() {
    for (Entry e : index) {
      if (e.live()) {
        return Future.succeededFuture(e.enqueuedAt);
      }
    }
    if (aheadCount == 0) {
      return Future.succeededFuture(-1L);
    }
    return log.read(scanOffset, READ_MAX_RECORDS, READ_MAX_BYTES).map(rs -> {
      for (Record r : rs) {
        if (!settledAhead.contains(r.offset())) {
          return r.timestamp();
        }
      }
      return -1L;
    });
  }

  /** Settles every message that is not in flight (or being dead-lettered); answers how many. */
  private Future<Long> purge() {
    List<Entry> victims = new ArrayList<>();
    for (Entry e : index) {
      if (e.state == Entry.READY || e.state == Entry.DELAYED || e.state == Entry.BLOCKED) {
        victims.add(e);
      }
    }
    long count = victims.size() + aheadCount;
    Future<Void> backlog = Future.succeededFuture();
    if (endOffset > scanOffset) {
      // The backlog is settled at once in memory (the cursor skips it from now on) and durably below.
      long from = scanOffset;
      long to = endOffset;
      settledAhead.add(from, to);
      metaAhead.subMap(from, to).clear();
      aheadCount = 0;
      aheadBytes = 0;
      List<long[]> range = new ArrayList<>();
      range.add(new long[] {from, to});
      backlog = journal.write(SettlementJournal.settledRanges(SettlementJournal.SETTLED, SettlementJournal.REASON_PURGED, range));
    }
    Future<Void> indexed = settle(victims, SettlementJournal.REASON_PURGED);
    scheduleTrim();
    // Moves the cursor past the purged backlog, so the trim can free it.
    dispatch();
    return Future.all(backlog, indexed).map(v -> count);
  }

  // ================================================================== the cursor

  private boolean shouldScan() {
    return !stopping && !scanPaused && scanOffset < endOffset && index.size() < MAX_INDEXED
        && (ready.size() < readAhead || overLimit());
  }

  /**
   * Moves the cursor forward while there is room for ready messages (a trampoline: see the essay), then
   * dispatches if it classified anything. Dispatch calls back here only while {@link #shouldScan()}.
   */
  private void scan() {
    if (scanning) {
      return;
    }
    scanning = true;
    boolean progressed = false;
    while (shouldScan()) {
      Future<Records> f = log.read(scanOffset, READ_MAX_RECORDS, READ_MAX_BYTES);
      if (!f.isComplete()) {
        f.onComplete(ar -> {
          boolean more = scanned(f);
          scanning = false;
          if (more) {
            dispatch();
          }
        });
        return;
      }
      if (!scanned(f)) {
        break;
      }
      progressed = true;
    }
    scanning = false;
    if (progressed) {
      dispatch();
    }
  }

  private boolean scanned(Future<Records> f) {
    if (f.failed()) {
      LOG.log(Level.WARNING, "queue '" + name + "' could not read its log at " + scanOffset + "; retrying", f.cause());
      scanPaused = true;
      vertx.setTimer(RETRY_MS, id -> {
        scanPaused = false;
        scan();
      });
      return false;
    }
    Records rs = f.result();
    if (rs.isEmpty()) {
      return false;
    }
    long now = clock();
    for (Record r : rs) {
      if (r.offset() >= scanOffset) {
        classify(r, now);
      }
    }
    scanOffset = Math.max(scanOffset, rs.nextOffset());
    if (!settledAhead.isEmpty()) {
      settledAhead.removeBelow(scanOffset);
    }
    return true;
  }

  /** The cursor passes one message: it becomes an entry (or is skipped, expired, or dropped). */
  private void classify(Record r, long now) {
    long off = r.offset();
    if (!settledAhead.isEmpty() && settledAhead.contains(off)) {
      return;
    }
    int size = MessageProps.sizeOf(r);
    aheadCount--;
    aheadBytes -= size;
    MessageProps p = propsOf(r);
    long ttl = p.ttlMs() > 0 ? p.ttlMs() : config.getMessageTtlMs();
    Entry e = new Entry(off, size, r.timestamp(), ttl > 0 ? r.timestamp() + ttl : 0, p.group(), r);
    if (p.ttlMs() > 0 && sweepTimer < 0) {
      startSweep();
    }
    e.dueAt = p.delayMs() > 0 ? r.timestamp() + p.delayMs() : 0;
    Meta m = metaAhead.isEmpty() ? null : metaAhead.remove(off);
    if (m != null) {
      e.deliveryCount = m.deliveryCount;
      e.firstDeliveredAt = m.firstDeliveredAt;
      if (m.dueAt > 0) {
        e.returnDueAt = m.dueAt;
        e.dueAt = Math.max(e.dueAt, m.dueAt);
      }
    }
    index.put(off, e);
    liveCount++;
    liveBytes += size;
    e.state = Entry.READY;
    if (config.getOverflow() == OverflowPolicy.DROP_OLDEST && overLimit()) {
      deadLetter(List.of(e), QueueHeaders.REASON_OVERFLOW, SettlementJournal.REASON_DROPPED);
    } else if (e.expiresAt > 0 && e.expiresAt <= now) {
      deadLetter(List.of(e), QueueHeaders.REASON_EXPIRED, SettlementJournal.REASON_EXPIRED);
    } else if (e.dueAt > now) {
      makeDelayed(e);
    } else {
      arrive(e);
    }
  }

  private static MessageProps propsOf(Record r) {
    try {
      return MessageProps.of(r);
    } catch (InvalidArgumentException stale) {
      // Validated when sent; a value that no longer parses (older version) must not block the queue.
      return MessageProps.NONE;
    }
  }

  // ================================================================== entry states

  /** A message that may be delivered now: ready, unless another of its group is ahead of it. */
  private void arrive(Entry e) {
    if (e.group != null) {
      GroupLine line = groups.computeIfAbsent(e.group, g -> new GroupLine());
      if (line.head != null && line.head != e) {
        e.state = Entry.BLOCKED;
        hold(e);
        line.waiting.add(e);
        return;
      }
      line.head = e;
    }
    e.state = Entry.READY;
    ready.put(e.offset, e);
  }

  private void makeDelayed(Entry e) {
    e.state = Entry.DELAYED;
    delayedCount++;
    hold(e);
    addTimer(new Timer(e.dueAt, DUE, e, null, null));
  }

  /** Keeps a waiting entry's bytes while the budget allows, so it can be delivered without a read. */
  private void hold(Entry e) {
    if (e.record == null || e.held) {
      return;
    }
    if (heldBytes + e.size <= heldBudget) {
      e.held = true;
      heldBytes += e.size;
    } else {
      e.record = null;
    }
  }

  /** Takes an entry out of its current state's structures and counts. */
  private void leave(Entry e) {
    switch (e.state) {
      case Entry.READY -> ready.remove(e.offset);
      case Entry.DELAYED -> delayedCount--;
      case Entry.IN_FLIGHT -> {
        inFlightCount--;
        if (e.holder != null) {
          e.holder.inFlight--;
          e.holder = null;
        }
      }
      case Entry.DEAD_LETTERING -> {
        deadLetteringCount--;
        deadLetteringBytes -= e.size;
      }
      default -> {
        // BLOCKED entries leave their line lazily.
      }
    }
    if (e.held) {
      e.held = false;
      heldBytes -= e.size;
    }
  }

  /** An in-flight message comes back: nack, expired lease, or its consumer left. */
  private void returnEntry(Entry e, long delayMs, long now, List<long[]> dues) {
    leave(e);
    e.token = 0;
    if (config.getMaxDeliveries() > 0 && e.deliveryCount >= config.getMaxDeliveries()) {
      deadLetter(List.of(e), QueueHeaders.REASON_MAX_DELIVERIES, SettlementJournal.REASON_DISCARDED);
      return;
    }
    if (delayMs > 0) {
      e.dueAt = now + delayMs;
      e.returnDueAt = e.dueAt;
      dues.add(new long[] {e.offset, e.dueAt});
      makeDelayed(e);
    } else {
      arrive(e);
    }
  }

  /** After the head of a group is settled, the next waiting message of the group becomes ready. */
  private void advanceGroup(Entry settled) {
    if (settled.group == null) {
      return;
    }
    GroupLine line = groups.get(settled.group);
    if (line == null || line.head != settled) {
      return;
    }
    line.head = null;
    Entry next;
    while ((next = line.waiting.poll()) != null) {
      if (next.state == Entry.BLOCKED) {
        leave(next);
        line.head = next;
        next.state = Entry.READY;
        ready.put(next.offset, next);
        break;
      }
    }
    if (line.head == null) {
      groups.remove(settled.group);
    }
  }

  /**
   * Settles entries: they are gone for consumers at once, and leave the index when the SETTLED record
   * is durable. If that append fails they come back as ready (their leases are lost).
   */
  private Future<Void> settle(List<Entry> entries, byte reason) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    long[] offsets = new long[entries.size()];
    for (int i = 0; i < offsets.length; i++) {
      Entry e = entries.get(i);
      leave(e);
      e.state = Entry.SETTLING;
      liveCount--;
      liveBytes -= e.size;
      offsets[i] = e.offset;
    }
    Arrays.sort(offsets);
    Future<Void> durable;
    int chunk = SettlementJournal.MAX_ITEMS_PER_EVENT;
    if (offsets.length <= chunk) {
      durable = journal.write(SettlementJournal.settled(reason, offsets, offsets.length));
    } else {
      // Keeps each record under the journal's record limit; every part is a valid settlement by itself.
      List<Future<Void>> parts = new ArrayList<>();
      for (int from = 0; from < offsets.length; from += chunk) {
        long[] part = Arrays.copyOfRange(offsets, from, Math.min(offsets.length, from + chunk));
        parts.add(journal.write(SettlementJournal.settled(reason, part, part.length)));
      }
      durable = Future.all(parts).mapEmpty();
    }
    return durable.andThen(ar -> {
      for (Entry e : entries) {
        if (ar.succeeded()) {
          index.remove(e.offset);
          e.record = null;
          advanceGroup(e);
        } else if (e.state == Entry.SETTLING) {
          liveCount++;
          liveBytes += e.size;
          e.token = 0;
          arrive(e);
        }
      }
      scheduleTrim();
      dispatch();
    });
  }

  /**
   * Moves entries to the dead-letter queue (a send to its owner), then settles them here. Without a
   * dead-letter queue they are settled with {@code fallback}. A failed copy is retried a second later.
   */
  private void deadLetter(List<Entry> entries, String reason, byte fallback) {
    if (deadLetterAddress == null) {
      settle(entries, fallback);
      return;
    }
    for (Entry e : entries) {
      leave(e);
      e.state = Entry.DEAD_LETTERING;
      deadLetteringCount++;
      deadLetteringBytes += e.size;
    }
    load(entries).compose(v -> {
      RecordBatch.Builder b = RecordBatch.builder();
      for (Entry e : entries) {
        List<Header> headers = new ArrayList<>(e.record.headers().size() + 4);
        for (Header h : e.record.headers()) {
          String n = h.name();
          if (!n.equals(QueueHeaders.DELAY_MS) && !n.equals(QueueHeaders.TTL_MS) && !n.equals(QueueHeaders.DEDUP_ID)
              && !n.startsWith("sluice.dlq.")) {
            headers.add(h);
          }
        }
        headers.add(Header.of(QueueHeaders.DEAD_LETTER_REASON, reason));
        headers.add(Header.of(QueueHeaders.DEAD_LETTER_QUEUE, name));
        headers.add(Header.of(QueueHeaders.DEAD_LETTER_ID, Long.toString(e.offset)));
        headers.add(Header.of(QueueHeaders.DEAD_LETTER_DELIVERIES, Integer.toString(e.deliveryCount)));
        b.add(Message.of(e.record.key(), e.record.value()).withHeaders(headers));
      }
      return vertx.eventBus().request(deadLetterAddress, new SendRequest(b.build()),
          new DeliveryOptions().setSendTimeout(requestTimeoutMs));
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        settle(entries, SettlementJournal.REASON_DEAD_LETTERED);
        return;
      }
      if (stopping) {
        return;
      }
      LOG.log(Level.WARNING, "queue '" + name + "' could not dead-letter " + entries.size() + " messages to '"
          + config.getDeadLetterQueue() + "'; retrying", Failures.fromReply(ar.cause(), config.getDeadLetterQueue()));
      long due = clock() + RETRY_MS;
      for (Entry e : entries) {
        if (e.state == Entry.DEAD_LETTERING) {
          leave(e);
          e.deadLetterReason = reason;
          e.dueAt = due;
          makeDelayed(e);
        }
      }
    });
  }

  private void deadLetterAll(List<Entry> entries, String reason, byte fallback) {
    for (int i = 0; i < entries.size(); i += DEAD_LETTER_CHUNK) {
      deadLetter(new ArrayList<>(entries.subList(i, Math.min(entries.size(), i + DEAD_LETTER_CHUNK))), reason, fallback);
    }
  }

  // ================================================================== limits

  /** Messages counted against maxLength: held ones, minus those on their way to the dead-letter queue. */
  private long limitCount() {
    return aheadCount + liveCount - deadLetteringCount;
  }

  private long limitBytes() {
    return aheadBytes + liveBytes - deadLetteringBytes;
  }

  private boolean overLimit() {
    return (config.getMaxLength() > 0 && limitCount() > config.getMaxLength())
        || (config.getMaxBytes() > 0 && limitBytes() > config.getMaxBytes());
  }

  /** Drop-oldest: drop the oldest entries not in flight; the cursor drops from the backlog if that is not enough. */
  private void enforceLimits() {
    if (!overLimit()) {
      return;
    }
    long excessCount = config.getMaxLength() > 0 ? limitCount() - config.getMaxLength() : 0;
    long excessBytes = config.getMaxBytes() > 0 ? limitBytes() - config.getMaxBytes() : 0;
    List<Entry> victims = new ArrayList<>();
    for (Entry e : index) {
      if (excessCount <= 0 && excessBytes <= 0) {
        break;
      }
      if (e.state == Entry.READY || e.state == Entry.DELAYED || e.state == Entry.BLOCKED) {
        victims.add(e);
        excessCount--;
        excessBytes -= e.size;
      }
    }
    deadLetterAll(victims, QueueHeaders.REASON_OVERFLOW, SettlementJournal.REASON_DROPPED);
  }

  // ================================================================== dispatch

  /** Hands ready messages to subscribers with room, round robin, an equal share each. */
  private void dispatch() {
    if (dispatching || stopping) {
      return;
    }
    dispatching = true;
    List<Entry> expired = null;
    List<Entry> exhausted = null;
    try {
      while (!ready.isEmpty()) {
        int active = 0;
        for (Subscriber s : rotation) {
          if (s.capacity() > 0) {
            active++;
          }
        }
        if (active == 0) {
          break;
        }
        Subscriber s = nextWithCapacity();
        int share = (ready.size() + active - 1) / active;
        if (s.pull == null) {
          // A pull is answered once, so it takes its whole share; pushes take turns in chunks.
          share = Math.min(DISPATCH_CHUNK, share);
        }
        share = Math.max(1, share);
        int n = Math.min(s.capacity(), share);
        List<Entry> picked = new ArrayList<>(n);
        boolean needRecords = false;
        long now = clock();
        while (picked.size() < n) {
          Entry e = ready.first();
          if (e == null) {
            break;
          }
          if (e.record == null) {
            needRecords = true;
            break;
          }
          ready.pollFirst();
          if (e.expiresAt > 0 && e.expiresAt <= now) {
            (expired == null ? expired = new ArrayList<>() : expired).add(e);
          } else if (config.getMaxDeliveries() > 0 && e.deliveryCount >= config.getMaxDeliveries()) {
            (exhausted == null ? exhausted = new ArrayList<>() : exhausted).add(e);
          } else {
            picked.add(e);
          }
        }
        if (!picked.isEmpty()) {
          deliver(s, picked, now);
        }
        if (needRecords) {
          loadReady();
          break;
        }
      }
    } finally {
      dispatching = false;
    }
    if (expired != null) {
      deadLetterAll(expired, QueueHeaders.REASON_EXPIRED, SettlementJournal.REASON_EXPIRED);
    }
    if (exhausted != null) {
      deadLetterAll(exhausted, QueueHeaders.REASON_MAX_DELIVERIES, SettlementJournal.REASON_DISCARDED);
    }
    if (shouldScan()) {
      scan();
    }
  }

  private Subscriber nextWithCapacity() {
    for (int i = 0, n = rotation.size(); i < n; i++) {
      Subscriber s = rotation.poll();
      rotation.add(s);
      if (s.capacity() > 0) {
        return s;
      }
    }
    return null;
  }

  private void deliver(Subscriber s, List<Entry> picked, long now) {
    int n = picked.size();
    List<DeliveryFrame> frames = new ArrayList<>(n);
    s.credit -= n;
    if (s.mode == AckMode.AUTO) {
      for (Entry e : picked) {
        e.deliveryCount++;
        if (e.firstDeliveredAt == 0) {
          e.firstDeliveredAt = now;
        }
        frames.add(new DeliveryFrame(e.offset, 0, e.deliveryCount, e.firstDeliveredAt, 0, e.record));
      }
      // At-most-once: durably settled first, sent after.
      settle(picked, SettlementJournal.REASON_AUTO).onComplete(ar -> {
        if (ar.succeeded()) {
          send(s, frames);
        } else {
          s.credit += n;
          dispatch();
        }
      });
      return;
    }
    long expiry = now + s.visibilityMs;
    Entry[] leased = new Entry[n];
    long[] tokens = new long[n];
    long[] offsets = new long[n];
    for (int i = 0; i < n; i++) {
      Entry e = picked.get(i);
      e.state = Entry.IN_FLIGHT;
      e.token = ++leaseSeq;
      e.leaseExpiresAt = expiry;
      e.holder = s;
      e.deliveryCount++;
      if (e.firstDeliveredAt == 0) {
        e.firstDeliveredAt = now;
      }
      inFlightCount++;
      s.inFlight++;
      leased[i] = e;
      tokens[i] = e.token;
      offsets[i] = e.offset;
      frames.add(new DeliveryFrame(e.offset, e.token, e.deliveryCount, e.firstDeliveredAt, expiry, e.record));
    }
    addTimer(new Timer(expiry, LEASE, null, leased, tokens));
    journal.writeAndForget(SettlementJournal.delivered(offsets, n));
    send(s, frames);
  }

  private void send(Subscriber s, List<DeliveryFrame> frames) {
    DeliveryBatch batch = new DeliveryBatch(name, false, frames);
    if (s.pull != null) {
      s.done = true;
      rotation.remove(s);
      if (s.waitTimer >= 0) {
        vertx.cancelTimer(s.waitTimer);
        s.waitTimer = -1;
      }
      s.pull.reply(batch);
    } else {
      vertx.eventBus().send(s.address, batch);
    }
  }

  // ================================================================== reading records back

  /** Reads the records of the first ready entries that have none (they waited beyond the held budget). */
  private void loadReady() {
    if (fetching) {
      return;
    }
    List<Entry> missing = new ArrayList<>();
    int looked = 0;
    for (Entry e : ready) {
      if (e.record == null) {
        missing.add(e);
      }
      if (missing.size() >= READ_MAX_RECORDS || ++looked >= 4 * READ_MAX_RECORDS) {
        break;
      }
    }
    fetching = true;
    load(missing).onComplete(ar -> {
      fetching = false;
      if (ar.failed()) {
        LOG.log(Level.WARNING, "queue '" + name + "' could not read messages back; retrying", ar.cause());
        vertx.setTimer(RETRY_MS, id -> dispatch());
      } else {
        dispatch();
      }
    });
  }

  /** Gives every entry without a record its record, reading the log in offset-ordered runs. */
  private Future<Void> load(List<Entry> entries) {
    List<Entry> missing = new ArrayList<>();
    for (Entry e : entries) {
      if (e.record == null) {
        missing.add(e);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    missing.sort((a, b) -> Long.compare(a.offset, b.offset));
    Promise<Void> done = Promise.promise();
    loadStep(missing, 0, done);
    return done.future();
  }

  private void loadStep(List<Entry> missing, int from, Promise<Void> done) {
    int i = from;
    while (i < missing.size()) {
      if (missing.get(i).record != null) {
        i++;
        continue;
      }
      long first = missing.get(i).offset;
      int j = i;
      while (j + 1 < missing.size() && missing.get(j + 1).offset - first < READ_MAX_RECORDS) {
        j++;
      }
      int max = (int) (missing.get(j).offset - first + 1);
      Future<Records> f = log.read(first, max, READ_MAX_BYTES);
      int at = i;
      if (!f.isComplete()) {
        f.onComplete(ar -> {
          int next = assign(f, missing, at, done);
          if (next >= 0) {
            loadStep(missing, next, done);
          }
        });
        return;
      }
      i = assign(f, missing, at, done);
      if (i < 0) {
        return;
      }
    }
    done.tryComplete();
  }

  /** @return the index of the first entry the read did not cover, or -1 after failing {@code done} */
  private int assign(Future<Records> f, List<Entry> missing, int i, Promise<Void> done) {
    if (f.failed()) {
      done.tryFail(f.cause());
      return -1;
    }
    Records rs = f.result();
    if (rs.isEmpty()) {
      done.tryFail(new SluiceException(ErrorCode.STORAGE_FAILURE, "queue '" + name + "': message "
          + missing.get(i).offset + " is missing from its log"));
      return -1;
    }
    for (Record r : rs) {
      while (i < missing.size() && missing.get(i).offset < r.offset()) {
        i++;
      }
      if (i < missing.size() && missing.get(i).offset == r.offset()) {
        Entry e = missing.get(i);
        if (e.record == null) {
          e.record = r;
          if (e.state == Entry.DELAYED || e.state == Entry.BLOCKED) {
            hold(e);
          }
        }
        i++;
      }
    }
    while (i < missing.size() && missing.get(i).offset < rs.nextOffset()) {
      i++;
    }
    return i;
  }

  // ================================================================== timers

  private void addTimer(Timer t) {
    timers.add(t);
    if (t.at < timerAt) {
      armTimer();
    }
  }

  private void cancelTimer() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    timerAt = Long.MAX_VALUE;
  }

  private void armTimer() {
    cancelTimer();
    Timer head = timers.peek();
    if (head == null || stopping) {
      return;
    }
    timerAt = head.at;
    timerId = vertx.setTimer(Math.max(1, head.at - clock()), id -> {
      timerId = -1;
      timerAt = Long.MAX_VALUE;
      onTimers();
    });
  }

  private void onTimers() {
    long now = clock();
    List<Entry> due = new ArrayList<>();
    List<Entry> lapsed = new ArrayList<>();
    while (!timers.isEmpty() && timers.peek().at <= now) {
      Timer t = timers.poll();
      if (t.kind == DUE) {
        Entry e = t.entry;
        if (e.state == Entry.DELAYED && e.dueAt <= now) {
          due.add(e);
        }
      } else {
        for (int i = 0; i < t.entries.length; i++) {
          Entry e = t.entries[i];
          if (e.state == Entry.IN_FLIGHT && e.token == t.tokens[i] && e.leaseExpiresAt <= now) {
            lapsed.add(e);
          }
        }
      }
    }
    List<long[]> none = new ArrayList<>();
    for (Entry e : lapsed) {
      returnEntry(e, 0, now, none);
    }
    List<Entry> expired = new ArrayList<>();
    Map<String, List<Entry>> retries = new HashMap<>();
    for (Entry e : due) {
      if (e.state != Entry.DELAYED) {
        continue;
      }
      leave(e);
      e.dueAt = 0;
      if (e.deadLetterReason != null) {
        retries.computeIfAbsent(e.deadLetterReason, r -> new ArrayList<>()).add(e);
      } else if (e.expiresAt > 0 && e.expiresAt <= now) {
        expired.add(e);
      } else {
        arrive(e);
      }
    }
    if (!expired.isEmpty()) {
      deadLetterAll(expired, QueueHeaders.REASON_EXPIRED, SettlementJournal.REASON_EXPIRED);
    }
    retries.forEach((reason, es) -> deadLetterAll(es, reason, SettlementJournal.REASON_DISCARDED));
    armTimer();
    dispatch();
  }

  /** TTL of waiting messages: a sweep of the ready and blocked entries (bounded by read-ahead) each second. */
  private void startSweep() {
    if (sweepTimer >= 0 || stopping) {
      return;
    }
    sweepTimer = vertx.setPeriodic(1000, id -> {
      long now = clock();
      List<Entry> expired = new ArrayList<>();
      for (Entry e : ready) {
        if (e.expiresAt > 0 && e.expiresAt <= now) {
          expired.add(e);
        }
      }
      for (GroupLine line : groups.values()) {
        for (Entry e : line.waiting) {
          if (e.state == Entry.BLOCKED && e.expiresAt > 0 && e.expiresAt <= now) {
            expired.add(e);
          }
        }
      }
      deadLetterAll(expired, QueueHeaders.REASON_EXPIRED, SettlementJournal.REASON_EXPIRED);
    });
  }

  // ================================================================== trimming and checkpoints

  private void scheduleTrim() {
    scheduleTrim(TRIM_DELAY_MS);
  }

  private void scheduleTrim(long delayMs) {
    if (trimScheduled || stopping) {
      return;
    }
    trimScheduled = true;
    vertx.setTimer(Math.max(1, delayMs), id -> {
      trimScheduled = false;
      trim();
    });
  }

  /**
   * Trims the message log below the lowest unsettled message. Dedup ids of trimmed messages that are
   * still inside the window are journaled first, so a restart still knows them.
   */
  private void trim() {
    if (trimming || stopping) {
      return;
    }
    long target = index.isEmpty() ? scanOffset : Math.min(index.firstKey(), scanOffset);
    if (target <= trimmedTo) {
      return;
    }
    trimming = true;
    log.segments().onComplete(ar -> {
      long freeing = ar.succeeded() ? wholeSegmentsBelow(ar.result(), target) : target;
      if (freeing > trimmedTo) {
        trimTo(freeing);
        return;
      }
      if (target < endOffset) {
        // Moving the start inside the active segment frees nothing, and its durable checkpoint stalls the
        // appends queued behind it: under steady traffic that was a stall every pace interval, which only
        // an open-loop sender sees in full. The next settlement asks again; once the queue drains the
        // target is the end, and that trim gives the last segment back.
        trimming = false;
        return;
      }
      long sinceMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastPartialTrim);
      if (sinceMs < PARTIAL_TRIM_EVERY_MS) {
        trimming = false;
        scheduleTrim(PARTIAL_TRIM_EVERY_MS - sinceMs);
        return;
      }
      lastPartialTrim = System.nanoTime();
      trimTo(target);
    });
  }

  /** The end of the last segment that lies wholly below {@code target}, or -1: where a trim frees space. */
  private static long wholeSegmentsBelow(List<SegmentInfo> segments, long target) {
    long end = -1;
    for (SegmentInfo s : segments) {
      if (!s.active() && s.nextOffset() <= target) {
        end = Math.max(end, s.nextOffset());
      }
    }
    return end;
  }

  private void trimTo(long target) {
    if (stopping) {
      trimming = false;
      return;
    }
    carriedUpTo = Math.max(carriedUpTo, target);
    long now = clock();
    List<DedupId> carry = new ArrayList<>();
    while (!uncarried.isEmpty() && uncarried.peek().offset < target) {
      Dedup d = uncarried.poll();
      if (dedup.get(d.id) == d && d.at + config.getDedupWindowMs() > now) {
        carry.add(new DedupId(d.id, d.offset, d.at));
      }
    }
    List<Future<Void>> parts = new ArrayList<>();
    for (int i = 0; i < carry.size(); i += 4096) {
      parts.add(journal.write(SettlementJournal.dedup(SettlementJournal.DEDUP, carry.subList(i, Math.min(carry.size(), i + 4096)))));
    }
    Future<Void> carried = Future.all(parts).mapEmpty();
    carried.compose(v -> log.trimBefore(target)).onComplete(ar -> {
      trimming = false;
      if (ar.succeeded()) {
        trimmedTo = target;
        // A trim to a segment's end may leave more behind it: come back for it even if no ack arrives.
        scheduleTrim();
      } else {
        LOG.log(Level.WARNING, "queue '" + name + "' could not trim its log", ar.cause());
      }
    });
  }

  /**
   * The settlement state as checkpoint events: settled ranges from the log start to the end, delivery
   * counts and nack delays of unsettled messages, and dedup ids whose messages were trimmed. Entries
   * being settled count as settled: their SETTLED records are in the same journal cycle, before this.
   */
  private List<Buffer> snapshot() {
    List<Buffer> events = new ArrayList<>();
    List<long[]> ranges = new ArrayList<>();
    List<long[]> meta = new ArrayList<>();
    long prev = trimmedTo;
    for (Entry e : index) {
      if (!e.live()) {
        continue;
      }
      if (e.offset > prev) {
        ranges.add(new long[] {prev, e.offset});
      }
      prev = e.offset + 1;
      if (e.deliveryCount > 0 || e.returnDueAt > 0) {
        meta.add(new long[] {e.offset, e.deliveryCount, e.firstDeliveredAt, e.returnDueAt});
      }
    }
    if (scanOffset > prev) {
      ranges.add(new long[] {prev, scanOffset});
    }
    for (long[] r : settledAhead) {
      if (r[1] > scanOffset) {
        ranges.add(new long[] {Math.max(r[0], scanOffset), r[1]});
      }
    }
    for (Map.Entry<Long, Meta> m : metaAhead.entrySet()) {
      Meta v = m.getValue();
      meta.add(new long[] {m.getKey(), v.deliveryCount, v.firstDeliveredAt, v.dueAt});
    }
    int chunk = SettlementJournal.MAX_ITEMS_PER_EVENT;
    for (int i = 0; i < ranges.size(); i += chunk) {
      events.add(SettlementJournal.settledRanges(SettlementJournal.CK_SETTLED, (byte) 0,
          ranges.subList(i, Math.min(ranges.size(), i + chunk))));
    }
    for (int i = 0; i < meta.size(); i += chunk) {
      events.add(SettlementJournal.meta(meta.subList(i, Math.min(meta.size(), i + chunk))));
    }
    long now = clock();
    List<DedupId> ids = new ArrayList<>();
    for (Dedup d : dedup.values()) {
      if (d.offset >= 0 && d.offset < carriedUpTo && d.at + config.getDedupWindowMs() > now) {
        ids.add(new DedupId(d.id, d.offset, d.at));
      }
    }
    for (int i = 0; i < ids.size(); i += 4096) {
      events.add(SettlementJournal.dedup(SettlementJournal.CK_DEDUP, ids.subList(i, Math.min(ids.size(), i + 4096))));
    }
    return events;
  }
}
