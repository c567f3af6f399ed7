package io.sluice.queue;

import io.sluice.api.Message;
import io.sluice.api.store.LogStore;
import io.sluice.queue.internal.QueuesImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Durable point-to-point queues over a {@link LogStore}: competing consumers, leases, ack/nack,
 * redelivery, dead letters, delay and TTL, deduplication, message groups; acknowledged messages are
 * deleted (their log segments freed) and nothing unacknowledged is lost across a restart.
 *
 * <p>Each queue is a log {@code q.<queue>} (messages) plus a log {@code qc.<queue>} (settlement
 * records), owned by one verticle that is the single writer of both. This object is a client of
 * those owners: every call travels over the event bus, so the same calls work when an owner runs
 * elsewhere. Queue settings are kept in the state store {@code __queues}; a new {@code Queues} over the
 * same store finds the queues, their messages and their settlement state again.
 *
 * <p>Errors are {@link io.sluice.api.SluiceException}s with a stable code: {@code invalid_name},
 * {@code invalid_argument}, {@code unknown_queue}, {@code unknown_receipt}, {@code already_exists},
 * {@code conflict}, {@code queue_full}, {@code record_too_large}, {@code batch_too_large},
 * {@code storage_failure}, {@code timeout}. A failed call changes nothing.
 *
 * <p>Thread contract: thread-safe; no method blocks. Futures complete on the caller's context.
 */
public interface Queues {

  /** Deploys the queue owners for every queue in {@code store} and returns a client for them. */
  static Future<Queues> create(Vertx vertx, LogStore store, QueuesOptions options) {
    return QueuesImpl.create(vertx, store, new QueuesOptions(options));
  }

  static Future<Queues> create(Vertx vertx, LogStore store) {
    return create(vertx, store, new QueuesOptions());
  }

  /**
   * A client only, for a JVM that runs no node: every call goes over {@code vertx}'s event bus to the registry
   * and owners a {@link #create} deployed elsewhere (a clustered Vert.x of the same cluster, e.g.
   * {@code ClusterClient.vertx()}), retrying while an owner moves to a new leader; nothing is stored or deployed
   * here. {@code options} must name the same {@link QueuesOptions#getAddress() address} as the nodes'; of the
   * rest the client uses the request timeout. {@link #close()} closes the consumers and bindings made on it.
   */
  static Queues connect(Vertx vertx, QueuesOptions options) {
    return QueuesImpl.connect(vertx, new QueuesOptions(options));
  }

  static Queues connect(Vertx vertx) {
    return connect(vertx, new QueuesOptions());
  }

  // ---- admin ----

  /**
   * Creates a queue. Idempotent: creating an existing queue with an equal config succeeds; with a
   * different config it fails with {@code already_exists}. Names follow the log rule
   * ({@code [A-Za-z0-9._-]}), at most 246
   * characters (the log names add a prefix). A dead-letter queue must exist first.
   */
  Future<QueueConfig> createQueue(String name, QueueConfig config);

  default Future<QueueConfig> createQueue(String name) {
    return createQueue(name, new QueueConfig());
  }

  Future<QueueStats> describe(String name);

  /** Queue names, sorted. */
  Future<List<String>> list();

  /** Deletes every message that is not in flight; answers how many. */
  Future<Long> purge(String name);

  /**
   * Deletes a queue and its messages; its consumers end. Fails with {@code conflict} while another
   * queue names it as its dead-letter queue.
   */
  Future<Void> delete(String name);

  // ---- send ----

  /** Sends one message; completes with its id once it is stored as durably as the queue's fsync policy says. */
  default Future<Long> send(String queue, Message message) {
    return send(queue, message, null);
  }

  Future<Long> send(String queue, Message message, SendOptions options);

  /**
   * Sends messages in one batch: all are stored, or none (one append, one fsync). Completes with their
   * ids in order; a deduplicated message gets the id of the message it repeats.
   */
  default Future<List<Long>> sendBatch(String queue, List<Message> messages) {
    return sendBatch(queue, messages, null);
  }

  /** As {@link #sendBatch(String, List)}; {@code options} (delay, TTL, group, dedup id) apply to every message. */
  Future<List<Long>> sendBatch(String queue, List<Message> messages, SendOptions options);

  // ---- receive ----

  /** A push consumer with credit; see {@link QueueConsumer}. */
  Future<QueueConsumer> consumer(String queue, ConsumerOptions options);

  default Future<QueueConsumer> consumer(String queue) {
    return consumer(queue, new ConsumerOptions());
  }

  /**
   * Pull: up to {@code max} deliveries (CLIENT mode, leased for the queue's visibility timeout),
   * waiting up to {@code waitMs} for the first one (long poll). Completes with an empty list when
   * nothing came in time.
   */
  Future<List<Delivery>> receive(String queue, int max, long waitMs);

  /**
   * As {@link #receive(String, int, long)}, but the leases taken end {@code visibilityTimeoutMs} after
   * delivery instead of after the queue's visibility timeout: between 1 and
   * {@link QueueConfig#MAX_VISIBILITY_TIMEOUT_MS}, else {@code invalid_argument}.
   */
  Future<List<Delivery>> receive(String queue, int max, long waitMs, long visibilityTimeoutMs);

  // ---- settle ----

  /**
   * Deletes the delivered messages. The receipts of one queue are settled all or nothing: if one is
   * unknown, already settled or its lease expired, the call fails with {@code unknown_receipt} and
   * none of that queue's receipts is settled. Completes when the acks are durable.
   */
  Future<Void> ack(List<String> receipts);

  default Future<Void> ack(String receipt) {
    return ack(List.of(receipt));
  }

  /** Returns the messages to their queue, deliverable again after {@code delayMs} (0: at once). All or nothing per queue. */
  Future<Void> nack(List<String> receipts, long delayMs);

  default Future<Void> nack(String receipt) {
    return nack(List.of(receipt), 0);
  }

  /** Extends a lease so that it ends {@code ms} from now. */
  Future<Void> extend(String receipt, long ms);

  // ---- event bus ----

  /**
   * Feeds a queue to a plain event-bus handler at {@code address}: each message is sent with
   * {@code request}, its value as the body (a {@code Buffer}) and its headers, plus {@code sluice.queue},
   * {@code sluice.id}, {@code sluice.receipt} and {@code sluice.delivery-count}, as event-bus headers.
   * {@code reply(anything)} acks the message; {@code fail(...)}, no handler or a timeout nacks it.
   */
  Future<QueueBinding> bindToAddress(String queue, String address, BindOptions options);

  /** The event-bus address of a queue's owner: send a plain body there to enqueue it. */
  String address(String queue);

  /** Closes this client's consumers and bindings and undeploys the queue owners. The store stays open. */
  Future<Void> close();
}
