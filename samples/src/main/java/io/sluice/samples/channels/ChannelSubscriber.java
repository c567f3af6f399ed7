package io.sluice.samples.channels;

import io.sluice.topic.Consumer;
import io.sluice.topic.ConsumerOptions;
import io.sluice.topic.OffsetReset;
import io.sluice.topic.RebalanceListener;
import io.sluice.topic.TopicPartition;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A subscriber to its own set of channels: a consumer group of one (its name is the group), reading the
 * records as a stream and committing what it handled (auto-commit).
 *
 * <p>A subscriber that starts "live" ({@code rewind}) uses {@link OffsetReset#LATEST}, as a new reader of a
 * news feed would, and then explicitly rewinds to the beginning when its partitions are assigned: it
 * catches up on everything published before it joined, then keeps up.
 *
 * <p>Thread contract: the handler and the listener run on this verticle's event loop; the log is thread-safe.
 */
final class ChannelSubscriber extends VerticleBase {

  private final String name;
  private final List<String> channels;
  private final boolean rewind;
  private final Topics topics;
  private final ChannelLog received = new ChannelLog();
  private Consumer consumer;

  ChannelSubscriber(String name, List<String> channels, boolean rewind, Topics topics) {
    this.name = name;
    this.channels = List.copyOf(channels);
    this.rewind = rewind;
    this.topics = topics;
  }

  @Override
  public Future<?> start() {
    consumer = topics.createConsumer(new ConsumerOptions()
        .setGroupId(name)
        .setClientId(name)
        .setAutoOffsetReset(rewind ? OffsetReset.LATEST : OffsetReset.EARLIEST));
    consumer.handler(r -> received.add(r.topicPartition(), r.offset(), r.valueAsString()));
    return consumer.subscribe(channels, new RebalanceListener() {
      @Override
      public Future<Void> onPartitionsAssigned(Collection<TopicPartition> partitions) {
        // Called before fetching starts, so the seek decides where reading begins.
        return rewind ? consumer.seekToBeginning(partitions) : Future.succeededFuture();
      }
    });
  }

  @Override
  public Future<?> stop() {
    return consumer.close();
  }

  String name() {
    return name;
  }

  List<String> channels() {
    return channels;
  }

  boolean rewinds() {
    return rewind;
  }

  ChannelLog received() {
    return received;
  }

  /** Records published and not yet handed to this subscriber, per partition it owns. */
  Future<Map<TopicPartition, Long>> lag() {
    return consumer.lag();
  }
}
