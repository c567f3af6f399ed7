package io.sluice.topic;

import io.vertx.core.Future;
import java.util.Collection;

/**
 * Told when a group consumer's partitions change. Called on the consumer's context; the rebalance waits
 * for the returned future, so a listener may commit ({@code consumer.commit()}) or save state in
 * {@link #onPartitionsRevoked} before another member gets the partitions.
 */
public interface RebalanceListener {

  /**
   * The consumer is about to give up these partitions (a rebalance started, or it unsubscribes or
   * closes). Its generation is still valid: a commit made here is accepted.
   */
  default Future<Void> onPartitionsRevoked(Collection<TopicPartition> partitions) {
    return Future.succeededFuture();
  }

  /** The consumer now owns these partitions. Called before fetching starts, so a seek here takes effect. */
  default Future<Void> onPartitionsAssigned(Collection<TopicPartition> partitions) {
    return Future.succeededFuture();
  }

  /**
   * The consumer lost these partitions without a clean rebalance (its session expired, or its
   * generation is stale): another member may already own them, and commits would be refused.
   * Defaults to {@link #onPartitionsRevoked}.
   */
  default Future<Void> onPartitionsLost(Collection<TopicPartition> partitions) {
    return onPartitionsRevoked(partitions);
  }
}
