package io.sluice.queue;

import io.sluice.api.store.LogReplicas;
import java.util.Optional;

/**
 * A snapshot of one queue, as {@link Queues#describe} reports it.
 *
 * @param name              the queue
 * @param config            its settings
 * @param depth             messages held and not settled: ready + in flight + delayed (+ waiting behind their group)
 * @param ready             messages that may be delivered now (or wait behind another of their group)
 * @param inFlight          messages leased to a consumer and not yet acked
 * @param delayed           messages whose delivery time (send delay, nack delay) has not come; counted
 *                          once the queue's cursor has passed them, which it does eagerly unless a
 *                          backlog of ready messages lies in front of them
 * @param consumers         push consumers attached
 * @param bytes             message bytes held (depth in bytes, as counted for {@code maxBytes})
 * @param storedBytes       bytes the queue's message log takes in the store (drops as acked segments are freed)
 * @param oldestMessageAgeMs age of the oldest message held, 0 when empty
 * @param deadLetterDepth   depth of the dead-letter queue, or -1 when there is none
 * @param replicas          where the queue's message log lives on a replicated store (leader, replicas,
 *                          in-sync replicas), or {@code null} on a store that does not replicate
 */
public record QueueStats(String name, QueueConfig config, long depth, long ready, long inFlight, long delayed,
    int consumers, long bytes, long storedBytes, long oldestMessageAgeMs, long deadLetterDepth, LogReplicas replicas) {

  /** A queue on a store that does not replicate. */
  public QueueStats(String name, QueueConfig config, long depth, long ready, long inFlight, long delayed, int consumers,
      long bytes, long storedBytes, long oldestMessageAgeMs, long deadLetterDepth) {
    this(name, config, depth, ready, inFlight, delayed, consumers, bytes, storedBytes, oldestMessageAgeMs, deadLetterDepth,
        null);
  }

  /** Where the queue's message log lives; empty on a store that does not replicate. */
  public Optional<LogReplicas> replication() {
    return Optional.ofNullable(replicas);
  }
}
