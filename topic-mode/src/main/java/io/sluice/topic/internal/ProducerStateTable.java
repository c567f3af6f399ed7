package io.sluice.topic.internal;

import io.sluice.api.Durability;
import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
import io.sluice.api.store.AppendResult;
import io.sluice.topic.ProducerOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What a partition owner remembers of idempotent producers: per producer id, its epoch, the next
 * sequence it expects, and the offsets of its last {@value #RECENT} batches, so a retried batch (same id,
 * epoch and base sequence) is answered with the original offsets instead of being appended again.
 *
 * <p>Sequences: a producer's first batch may start at any sequence (its state may have been trimmed or
 * expired); after that a batch must start exactly at the next sequence. An older sequence that is no
 * longer remembered fails with {@code duplicate_sequence}, a gap with {@code out_of_order_sequence}. A batch
 * that lies inside a remembered one (the owner joined pipelined batches into one append) is a duplicate too.
 * A batch whose append fails is forgotten again, so the producer's retry is accepted.
 *
 * <p>Rebuilt on open from the batch headers in the log, so deduplication survives an owner restart.
 * Thread contract: confined to the owner's context.
 */
final class ProducerStateTable {

  static final int RECENT = ProducerOptions.MAX_IN_FLIGHT_LIMIT;

  /** One remembered batch; {@code result} completes when its append does. */
  static final class Batch {
    final int sequence;
    final int count;
    final Promise<AppendResult> result = Promise.promise();

    Batch(int sequence, int count) {
      this.sequence = sequence;
      this.count = count;
    }
  }

  private static final class Entry {
    short epoch;
    int nextSequence;
    long lastSeen;
    final ArrayDeque<Batch> recent = new ArrayDeque<>();
  }

  private final Map<Long, Entry> producers = new HashMap<>();

  /** The decision for an incoming batch: append it ({@code toAppend}) or answer it with a remembered result. */
  record Decision(Batch toAppend, Future<AppendResult> duplicateOf) {
  }

  static int nextSequence(int sequence, int count) {
    return (int) ((sequence + (long) count) % (1L << 31));
  }

  /**
   * Decides about a batch from an idempotent producer and, when it is to be appended, records it as
   * pending (call {@link #failed} if the append then fails).
   */
  Decision check(long producerId, short epoch, int sequence, int count, long now) {
    Entry e = producers.get(producerId);
    if (e != null && epoch < e.epoch) {
      throw new SluiceException(ErrorCode.CONFLICT, "producer " + producerId + " epoch " + epoch
          + " is fenced by epoch " + e.epoch);
    }
    if (e == null || epoch > e.epoch) {
      e = new Entry();
      e.epoch = epoch;
      producers.put(producerId, e);
    } else {
      for (Batch b : e.recent) {
        if (b.sequence == sequence && b.count == count) {
          e.lastSeen = now;
          return new Decision(null, b.result.future());
        }
        long skip = distance(b.sequence, sequence);
        if (skip + count <= b.count) {
          // A retried part of a remembered batch: the owner joined this producer's pipelined batches into one
          // append, and after a restart only the joined batch is known. Answer with the part's own offsets.
          e.lastSeen = now;
          return new Decision(null, b.result.future().map(r -> part(r, skip, count)));
        }
      }
      if (sequence != e.nextSequence) {
        if (isBefore(sequence, e.nextSequence)) {
          throw new SluiceException(ErrorCode.DUPLICATE_SEQUENCE, "producer " + producerId + " batch at sequence "
              + sequence + " is older than the " + RECENT + " remembered batches (next expected " + e.nextSequence + ")");
        }
        throw new SluiceException(ErrorCode.OUT_OF_ORDER_SEQUENCE, "producer " + producerId + " sent sequence "
            + sequence + " but " + e.nextSequence + " was expected");
      }
    }
    Batch b = new Batch(sequence, count);
    remember(e, b, now);
    return new Decision(b, null);
  }

  /** Forgets a batch whose append failed, so its retry is accepted. */
  void failed(long producerId, Batch batch, Throwable cause) {
    Entry e = producers.get(producerId);
    if (e != null && e.recent.remove(batch)) {
      e.nextSequence = batch.sequence;
    }
    batch.result.tryFail(cause);
  }

  /** Replays a batch header found in the log on open. */
  void replay(long producerId, short epoch, int sequence, int count, long baseOffset) {
    Entry e = producers.get(producerId);
    if (e == null || epoch > e.epoch) {
      e = new Entry();
      e.epoch = epoch;
      producers.put(producerId, e);
    }
    Batch b = new Batch(sequence, count);
    // Recovered batches only claim what is certain: the records are in the log.
    b.result.complete(new AppendResult(baseOffset, baseOffset + count - 1, -1L, Durability.MEMORY));
    remember(e, b, System.currentTimeMillis());
  }

  /** Drops producers not heard from since {@code olderThan} whose batches are all settled. */
  void expire(long olderThan) {
    for (Iterator<Entry> it = producers.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.lastSeen < olderThan && e.recent.stream().allMatch(b -> b.result.future().isComplete())) {
        it.remove();
      }
    }
  }

  int size() {
    return producers.size();
  }

  private static void remember(Entry e, Batch b, long now) {
    e.recent.addLast(b);
    if (e.recent.size() > RECENT) {
      e.recent.removeFirst();
    }
    e.nextSequence = nextSequence(b.sequence, b.count);
    e.lastSeen = now;
  }

  /** How far {@code to} lies after {@code from} in the wrapping 31-bit sequence space. */
  private static long distance(int from, int to) {
    return ((long) to - from + (1L << 31)) % (1L << 31);
  }

  private static AppendResult part(AppendResult whole, long skip, int count) {
    long base = whole.baseOffset() + skip;
    return new AppendResult(base, base + count - 1, whole.appendTime(), whole.durability());
  }

  /** Whether {@code a} comes before {@code b} in the wrapping 31-bit sequence space. */
  private static boolean isBefore(int a, int b) {
    long diff = ((long) b - a + (1L << 31)) % (1L << 31);
    return diff != 0 && diff < (1L << 30);
  }
}
