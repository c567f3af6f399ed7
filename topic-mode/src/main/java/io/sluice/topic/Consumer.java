package io.sluice.topic;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads records from topic partitions, either as a member of a consumer group ({@link #subscribe}: the
 * group's coordinator assigns partitions and rebalances them as members come and go) or on partitions
 * chosen by the application ({@link #assign}).
 *
 * <p>Two ways to read, not at the same time: a {@link ReadStream} ({@link #handler}, with
 * {@link #pause()}/{@link #resume()}/{@link #fetch(long)} back-pressure), or {@link #poll(Duration)}.
 * Either way, records of one partition arrive in offset order; the consumer prefetches at most
 * {@code maxPollRecords} records per partition, fetching by long-poll at the partition owner.
 *
 * <p>Positions and commits: the <em>position</em> of a partition is the offset of the next record to
 * hand out. {@link #commit()} stores the positions durably for the group. With auto-commit (default),
 * only handled records are committed: in stream mode once the handler returned, in poll mode once the
 * next {@code poll} is called (at-least-once). With {@link DeliverySemantics#AT_MOST_ONCE} the consumer
 * commits before handing records over.
 *
 * <p>Errors: calls fail with typed {@link io.sluice.api.SluiceException}s ({@code unknown_topic},
 * {@code unknown_partition}, {@code invalid_argument}, {@code offset_out_of_range},
 * {@code illegal_generation}, ...); errors found in the background (out of range with reset
 * {@code NONE}, a deleted topic, a failed auto-commit) go to the {@link #exceptionHandler} in stream mode
 * and fail the next {@code poll}.
 *
 * <p>Thread contract: thread-safe. The consumer runs on one event-loop context: handlers and listeners
 * are called there; calls from other threads are carried over to it in order; futures complete on the
 * caller's context.
 */
public interface Consumer extends ReadStream<ConsumerRecord> {

  /** Joins the group ({@code groupId} required) and consumes the partitions it assigns. Fails on unknown topics. */
  Future<Void> subscribe(Collection<String> topics);

  Future<Void> subscribe(Collection<String> topics, RebalanceListener listener);

  /** Consumes exactly these partitions, without group membership (commits still go to {@code groupId} if set). */
  Future<Void> assign(Collection<TopicPartition> partitions);

  /** Leaves the group or drops the manual assignment (committing handled records first with auto-commit). */
  Future<Void> unsubscribe();

  /** The partitions currently owned. */
  Future<Set<TopicPartition>> assignment();

  /**
   * Up to {@code maxPollRecords} records: at once if some are buffered, otherwise the first to arrive
   * within {@code timeout} (then an empty list). Calling {@code poll} marks the records of the previous poll
   * as handled. Fails with {@code invalid_argument} while a handler is set or another poll is pending.
   */
  Future<List<ConsumerRecord>> poll(Duration timeout);

  /**
   * Commits the current positions of all owned partitions and completes once they are durable
   * (Kafka's {@code commitSync}: retries retriable errors until {@code requestTimeoutMs}). Fails with
   * {@code illegal_generation} or {@code unknown_member} if a rebalance took the partitions away.
   */
  Future<Void> commit();

  /** Commits these offsets (the next offset to read, per partition). Offsets must be in {@code [0, endOffset]}. */
  Future<Void> commit(Map<TopicPartition, Long> offsets);

  /** One commit attempt of the current positions, without retries (Kafka's {@code commitAsync}). */
  Future<Void> commitAsync();

  /** The last committed offset, or null if none. */
  Future<Long> committed(TopicPartition partition);

  Future<Map<TopicPartition, Long>> committed(Set<TopicPartition> partitions);

  /**
   * Moves an owned partition's position. Fails with {@code invalid_argument} for a negative offset or a
   * partition not owned, {@code offset_out_of_range} beyond the end. A position below the start (trimmed
   * by retention) is accepted and then handled by the reset policy.
   */
  Future<Void> seek(TopicPartition partition, long offset);

  Future<Void> seekToBeginning(Collection<TopicPartition> partitions);

  Future<Void> seekToEnd(Collection<TopicPartition> partitions);

  /** Seeks each partition to the first record with a timestamp {@code >= timestamp} (or to the end if none). */
  Future<Void> seekToTimestamp(Collection<TopicPartition> partitions, long timestamp);

  /**
   * For each partition, the smallest offset whose record timestamp is {@code >= } the given timestamp;
   * partitions without such a record are absent from the answer.
   */
  Future<Map<TopicPartition, Long>> offsetsForTimes(Map<TopicPartition, Long> timestamps);

  Future<Map<TopicPartition, Long>> beginningOffsets(Collection<TopicPartition> partitions);

  Future<Map<TopicPartition, Long>> endOffsets(Collection<TopicPartition> partitions);

  /** The offset of the next record to be handed out for an owned partition. */
  Future<Long> position(TopicPartition partition);

  /** Per owned partition: end offset minus position (records not yet handed out). */
  Future<Map<TopicPartition, Long>> lag();

  /** Stops fetching and delivering these owned partitions (others continue). */
  Consumer pause(Collection<TopicPartition> partitions);

  Consumer resume(Collection<TopicPartition> partitions);

  Future<Set<TopicPartition>> paused();

  /** Commits handled records (auto-commit), leaves the group, and ends the stream. Idempotent. */
  Future<Void> close();

  @Override
  Consumer exceptionHandler(Handler<Throwable> handler);

  @Override
  Consumer handler(Handler<ConsumerRecord> handler);

  @Override
  Consumer pause();

  @Override
  Consumer resume();

  @Override
  Consumer fetch(long amount);

  @Override
  Consumer endHandler(Handler<Void> endHandler);
}
