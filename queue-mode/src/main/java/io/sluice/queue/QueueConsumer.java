package io.sluice.queue;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * A push consumer: a {@link ReadStream} of deliveries with back-pressure. The queue sends it at most
 * {@link ConsumerOptions#getPrefetch() prefetch} deliveries ahead of what its handler took; in CLIENT
 * mode also at most {@code prefetch} unacked ones. Pausing the stream stops new credit, so a paused or
 * slow consumer never holds more than its prefetch while others take the rest.
 *
 * <p>Thread contract: the handlers run on the Vert.x context that created the consumer; the stream
 * methods may be called from any thread. The stream ends when the queue is deleted or its owner stops.
 */
public interface QueueConsumer extends ReadStream<Delivery> {

  String queue();

  /**
   * Detaches from the queue. CLIENT deliveries this consumer held and did not settle go back to the
   * queue at once (like closing an AMQP channel); their receipts stop being valid.
   */
  Future<Void> close();

  @Override
  QueueConsumer exceptionHandler(Handler<Throwable> handler);

  @Override
  QueueConsumer handler(Handler<Delivery> handler);

  @Override
  QueueConsumer pause();

  @Override
  QueueConsumer resume();

  @Override
  QueueConsumer fetch(long amount);

  @Override
  QueueConsumer endHandler(Handler<Void> endHandler);
}
