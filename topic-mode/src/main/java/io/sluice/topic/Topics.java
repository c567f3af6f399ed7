package io.sluice.topic;

import io.sluice.api.store.LogStore;
import io.sluice.topic.internal.TopicsImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Partitioned, durable topics on a {@link LogStore}: the entry point for applications and the broker.
 *
 * <p>{@link #create} deploys the node side on {@code vertx}: a registry of topics (metadata kept in the
 * store's {@code __topics} state log), one owner verticle per partition (the single writer of the
 * partition's log {@code <topic>-<partition>}, reached at the event-bus address
 * {@code sluice.topic.<topic>.<partition>}), and a coordinator per consumer group (address
 * {@code sluice.group.<group>}, committed offsets in the {@code __offsets} state log). Producers and
 * consumers talk to them only over the event bus, with binary batches.
 *
 * <p>One {@code Topics} per Vert.x instance and store. The store stays the caller's: {@link #close()}
 * does not close it, and a new {@code Topics} over the same store after {@code close} sees the same
 * topics, records and committed offsets.
 *
 * <p>Errors: admin calls fail with {@code invalid_name}, {@code invalid_argument}, {@code unknown_topic},
 * {@code already_exists} (a topic of that name with other settings), {@code limit_exceeded}, and
 * leave nothing changed when they fail. Thread contract: thread-safe; futures complete on the caller's context.
 */
public interface Topics {

  static Future<Topics> create(Vertx vertx, LogStore store, TopicsOptions options) {
    return TopicsImpl.create(vertx, store, options);
  }

  static Future<Topics> create(Vertx vertx, LogStore store) {
    return create(vertx, store, new TopicsOptions());
  }

  /**
   * A client only, for a JVM that runs no node: admin calls, producers and consumers all go over
   * {@code vertx}'s event bus to the registry, owners and coordinators a {@link #create} deployed elsewhere
   * (a clustered Vert.x of the same cluster, e.g. {@code ClusterClient.vertx()}); nothing is stored or deployed
   * here. {@link #close()} closes the clients made on it.
   */
  static Topics connect(Vertx vertx) {
    return TopicsImpl.connect(vertx);
  }

  /**
   * Creates a topic. Succeeds without change if it exists with an equal config; fails with
   * {@code already_exists} if it exists with another.
   */
  Future<TopicDescription> createTopic(String name, TopicConfig config);

  Future<TopicDescription> describe(String name);

  /** Topic names, sorted. */
  Future<List<String>> list();

  /** Deletes the topic, its partitions' logs and the committed offsets of every group for it. */
  Future<Void> delete(String name);

  /** Grows the topic to {@code partitions} partitions (a no-op if it has that many; fails if it has more). */
  Future<TopicDescription> increasePartitions(String name, int partitions);

  /** Groups that have members or committed offsets, sorted. */
  Future<List<String>> listGroups();

  /** Fails with {@code unknown_group} if the group has neither members nor committed offsets. */
  Future<GroupDescription> describeGroup(String group);

  /** A producer; {@link #close()} closes it. Throws {@code store_closed} after close. */
  Producer createProducer(ProducerOptions options);

  /** A consumer; {@link #close()} closes it. Throws {@code store_closed} after close. */
  Consumer createConsumer(ConsumerOptions options);

  /**
   * Forwards every record of {@code topic} to the event-bus address (published: every handler gets it).
   * The body is the record value (a {@code Buffer}, or null); headers {@code sluice.topic},
   * {@code sluice.partition}, {@code sluice.offset}, {@code sluice.timestamp}, {@code sluice.key}
   * (if any) and the record's own headers (UTF-8) go in the message headers. Reads with {@code options}:
   * with a {@code groupId} it subscribes (resuming where the bridge stopped, following added partitions);
   * without one it reads the partitions the topic has when the bridge starts, from the reset position.
   */
  Future<Bridge> bridgeToAddress(String topic, String address, ConsumerOptions options);

  /**
   * Appends every message sent or published to {@code address} to {@code topic}. The body may be a
   * {@code Buffer}, {@code String}, {@code byte[]}, {@code JsonObject} or {@code JsonArray}; a
   * {@code sluice.key} header becomes the key, other headers become record headers. A message sent with
   * {@code request} gets a reply {@code {"partition":p,"offset":o}} once stored, or a failure with the error code.
   */
  Future<Bridge> bridgeFromAddress(String address, String topic, ProducerOptions options);

  /** Closes the producers, consumers and bridges made here (flushing), then undeploys everything. Idempotent. */
  Future<Void> close();
}
