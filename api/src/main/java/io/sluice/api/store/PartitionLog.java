package io.sluice.api.store;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Records;
import io.sluice.api.RecordBatch;
import io.vertx.core.Future;
import java.util.List;
import java.util.OptionalLong;

/**
 * One append-only log of record batches, with dense offsets from 0: the storage under a topic
 * partition, a queue, or a state store.
 *
 * <h2>Contract (every implementation, checked by the contract suite)</h2>
 * <ul>
 *   <li>All methods return immediately and MUST NOT block the caller: blocking I/O runs on the store's
 *       own threads. Futures complete on the caller's Vert.x context when the call was made on one.</li>
 *   <li>Offsets are dense: a batch of n records appended when the end offset is e gets offsets e .. e+n-1,
 *       also under concurrent appends from many threads and contexts. Appends are totally ordered.</li>
 *   <li>The log holds offsets {@code [startOffset, endOffset)}. {@code startOffset} only grows (by
 *       {@link #trimBefore}); {@code endOffset} only grows (by appends).</li>
 *   <li>A failed call changes nothing: a rejected append assigns no offsets.</li>
 *   <li>Errors are {@link io.sluice.api.SluiceException}s: {@code invalid_argument},
 *       {@code record_too_large}, {@code batch_too_large}, {@code offset_out_of_range}, {@code store_closed},
 *       {@code storage_failure}, {@code corrupt_log}. Every method fails (never throws) with them.</li>
 *   <li>Once the log is closed every call fails with {@code store_closed}, except {@link #close()},
 *       {@link #name()}, {@link #options()} and {@link #isOpen()}.</li>
 * </ul>
 */
public interface PartitionLog {

  String name();

  /** The options the log was opened with (a copy). */
  LogOptions options();

  /**
   * Appends one batch, assigning its offsets in place ({@link RecordBatch#assignBaseOffset}); the log
   * takes ownership of the batch. Completes when the batch is as durable as the log's
   * {@link FsyncPolicy} requires, with the level reached.
   *
   * <p>Fails with {@code record_too_large} if a record exceeds {@link LogOptions#getMaxRecordBytes()}, with
   * {@code batch_too_large} if the batch exceeds {@link LogOptions#getMaxBatchBytes()} (both limits
   * inclusive: a record or batch of exactly the limit is accepted), and with {@code invalid_argument} if
   * the batch is null or not well formed (bad CRC, bad framing). A caller's appends issued one after the
   * other are appended in that order.
   */
  Future<AppendResult> append(RecordBatch batch);

  /**
   * Reads from {@code fromOffset}: at most {@code maxRecords} records, and whole batches up to
   * {@code maxBytes} bytes, except that a non-empty answer always holds at least the batch containing
   * {@code fromOffset} (so a reader always makes progress).
   *
   * <p>{@code fromOffset == endOffset} gives an empty answer (use {@link #awaitAppend} to wait).
   * Fails with {@code offset_out_of_range} if {@code fromOffset < startOffset} or {@code > endOffset},
   * and with {@code invalid_argument} if a limit is not positive.
   */
  Future<Records> read(long fromOffset, int maxRecords, int maxBytes);

  /** The first offset still held. */
  Future<Long> startOffset();

  /** The offset the next appended record will get. */
  Future<Long> endOffset();

  /**
   * The smallest offset whose record timestamp is {@code >= timestamp}, or empty if there is none.
   * Never below the start offset. Exact also when timestamps are out of order within the log.
   */
  Future<OptionalLong> offsetForTimestamp(long timestamp);

  /**
   * Moves the start offset up to {@code offset} (a no-op if it is already there or beyond) and frees
   * storage: whole segments below the new start are deleted. Reads below the new start fail with
   * {@code offset_out_of_range}. The new start offset is durable once the future completes.
   * Fails with {@code offset_out_of_range} if {@code offset > endOffset}, and with
   * {@code invalid_argument} if it is negative.
   */
  Future<Void> trimBefore(long offset);

  /**
   * Drops every record at or above {@code offset}, so the end offset becomes {@code offset}: how a
   * replica cuts a divergent tail after a leader change (the opposite end from {@link #trimBefore}).
   * The next append gets {@code offset}. Durable once the future completes. A no-op when
   * {@code offset >= endOffset}. {@code offset == startOffset} empties the log (start and end stay at
   * {@code offset}).
   *
   * <p>Fails with {@code offset_out_of_range} if {@code offset < startOffset}, with {@code invalid_argument}
   * if it is negative or falls inside a batch (a log keeps or drops whole batches, and a replica only ever
   * truncates at a batch boundary it copied from a leader). Readers waiting in {@link #awaitAppend} keep
   * waiting for appends past their offset.
   *
   * <p>The default implementation fails with {@code invalid_argument}, for stores that cannot truncate.
   */
  default Future<Void> truncateTo(long offset) {
    return Future.failedFuture(new InvalidArgumentException("log '" + name()
        + "' does not support truncateTo"));
  }

  /**
   * Completes with the end offset as soon as it is greater than {@code offset}, or with the end offset
   * as it is when {@code timeoutMs} has passed (at once when it is 0). No polling: appends wake the waiters.
   * Fails with {@code store_closed} if the log is closed while waiting.
   */
  Future<Long> awaitAppend(long offset, long timeoutMs);

  /** The segments, oldest first. */
  Future<List<SegmentInfo>> segments();

  /** Bytes held by the log. */
  Future<Long> sizeInBytes();

  /** Forces everything appended so far to stable storage, whatever the fsync policy. */
  Future<Void> flush();

  /**
   * Flushes and closes the log. Calls after close fail with {@code store_closed}; waiters are failed.
   * Closing twice is a no-op.
   */
  Future<Void> close();

  boolean isOpen();
}
