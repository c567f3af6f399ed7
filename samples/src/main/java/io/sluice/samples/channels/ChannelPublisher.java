package io.sluice.samples.channels;

import io.sluice.api.Message;
import io.sluice.samples.Milestones;
import io.sluice.topic.Producer;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;

/**
 * Publishes headlines to the channels in turn, one every few milliseconds. The key is the story, so every
 * update of a story lands on the same partition and is read in order. Each acknowledged record is logged
 * with its offset: the oracle the subscribers are checked against.
 *
 * <p>Thread contract: sends from its own event loop; {@link #produced()} and {@link #acknowledged(int)}
 * may be used from any thread.
 */
final class ChannelPublisher extends VerticleBase {

  private static final String[] STORIES = {"final score", "transfer news", "premiere", "box office", "new album",
      "tour dates", "interview", "review"};

  private final Topics topics;
  private final int firstNumber;
  private final int records;
  private final long intervalMs;
  private final ChannelLog produced = new ChannelLog();
  private final Milestones acknowledged = new Milestones();
  private Producer producer;
  private int sent;

  /**
   * Publishes {@code records} headlines numbered from {@code firstNumber} (or until undeployed, for
   * {@link Integer#MAX_VALUE} records).
   */
  ChannelPublisher(Topics topics, int firstNumber, int records, long intervalMs) {
    this.topics = topics;
    this.firstNumber = firstNumber;
    this.records = records;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<?> start() {
    producer = topics.createProducer(new ProducerOptions().setClientId("channel-publisher"));
    vertx.setPeriodic(intervalMs, timer -> {
      if (sent == records) {
        vertx.cancelTimer(timer);
        return;
      }
      int number = firstNumber + sent++;
      List<String> channels = ChannelSubscriptionSample.CHANNELS;
      String channel = channels.get(number % channels.size());
      String story = STORIES[number % STORIES.length];
      String headline = channel + " #" + number + ": " + story;
      producer.send(channel, Message.of(channel + "/" + story, headline))
          .onSuccess(meta -> {
            produced.add(meta.topicPartition(), meta.offset(), headline);
            acknowledged.increment();
          })
          .onFailure(e -> System.err.println("publisher: " + headline + " failed: " + e));
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    // Flushes what is still lingering in the producer's batches.
    return producer.close();
  }

  /** Everything acknowledged so far, with its offset. */
  ChannelLog produced() {
    return produced;
  }

  /** Completes once {@code n} records are acknowledged (stored durably). */
  Future<Void> acknowledged(int n) {
    return acknowledged.reached(n);
  }
}
