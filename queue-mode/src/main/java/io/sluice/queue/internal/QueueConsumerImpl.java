package io.sluice.queue.internal;

import io.sluice.queue.AckMode;
import io.sluice.queue.ConsumerOptions;
import io.sluice.queue.Delivery;
import io.sluice.queue.QueueConsumer;
import io.sluice.queue.internal.Wire.DeliveryBatch;
import io.sluice.queue.internal.Wire.DeliveryFrame;
import io.sluice.queue.internal.Wire.SubscriberCommand;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A push consumer: an event-bus address the queue owner sends delivery batches to, a buffer, and the
 * demand of the {@code ReadStream}. The owner sends only against credit, and credit is granted only
 * while there is a handler and demand, topped up (a quarter of the prefetch at a time) so that credit
 * held by the owner plus the buffer never exceed the prefetch. A consumer without a handler, or
 * paused, therefore holds nothing new.
 *
 * <p>Thread contract: state is confined to the context that created the consumer; public methods
 * called from other threads hop onto it.
 */
final class QueueConsumerImpl implements QueueConsumer {

  private final QueuesImpl queues;
  private final String queue;
  private final ConsumerOptions options;
  private final Context context;
  private final String id = UUID.randomUUID().toString();
  private final String address;
  private final ArrayDeque<Delivery> buffer = new ArrayDeque<>();
  private final int grantEvery;
  private MessageConsumer<Object> busConsumer;
  private Handler<Delivery> handler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> endHandler;
  private long demand = Long.MAX_VALUE;
  /** Credit the owner holds for this consumer: granted and not yet used by a delivery. */
  private int outstanding;
  private boolean draining;
  private boolean ended;
  private boolean endNotified;
  private boolean closed;

  private QueueConsumerImpl(QueuesImpl queues, String queue, ConsumerOptions options, Context context) {
    this.queues = queues;
    this.queue = queue;
    this.options = options;
    this.context = context;
    this.address = queues.consumerAddress(id);
    this.grantEvery = Math.max(1, options.getPrefetch() / 4);
  }

  static Future<QueueConsumerImpl> open(QueuesImpl queues, String queue, ConsumerOptions options) {
    Vertx vertx = queues.vertx();
    Context context = vertx.getOrCreateContext();
    QueueConsumerImpl c = new QueueConsumerImpl(queues, queue, options, context);
    Promise<QueueConsumerImpl> opened = Promise.promise();
    context.runOnContext(v -> {
      c.busConsumer = vertx.eventBus().consumer(c.address, c::onMessage);
      c.busConsumer.completion()
          .compose(x -> c.command(Wire.SUBSCRIBE, 0))
          .onSuccess(x -> c.drain())
          .onComplete(ar -> {
            if (ar.succeeded()) {
              opened.complete(c);
            } else {
              c.closed = true;
              c.busConsumer.unregister();
              opened.fail(ar.cause());
            }
          });
    });
    return opened.future();
  }

  private Future<Object> command(byte kind, int credit) {
    SubscriberCommand cmd = new SubscriberCommand(kind, id, address, options.getAckMode(), options.getPrefetch(),
        options.getVisibilityTimeoutMs(), credit);
    String owner = QueuesImpl.ownerAddress(queues.options().getAddress(), queue);
    if (kind == Wire.CREDIT) {
      queues.vertx().eventBus().send(owner, cmd);
      return Future.succeededFuture();
    }
    return queues.request(queue, owner, cmd, new DeliveryOptions().setSendTimeout(queues.options().getRequestTimeoutMs()));
  }

  private void onContext(Runnable action) {
    // Event-bus handlers run on a duplicate of the consumer's context: same thread, different object.
    ContextInternal current = (ContextInternal) Vertx.currentContext();
    if (current != null && current.unwrap() == ((ContextInternal) context).unwrap()) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private void onMessage(Message<Object> msg) {
    if (closed || !(msg.body() instanceof DeliveryBatch batch)) {
      return;
    }
    if (batch.end()) {
      ended = true;
    }
    outstanding = Math.max(0, outstanding - batch.frames().size());
    for (DeliveryFrame f : batch.frames()) {
      buffer.add(new DeliveryImpl(queues, queue, f));
    }
    drain();
  }

  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (!closed && handler != null && demand > 0 && !buffer.isEmpty()) {
        Delivery d = buffer.poll();
        if (options.getAckMode() == AckMode.CLIENT && d.leaseExpiresAt() <= System.currentTimeMillis()) {
          // Waited in the buffer past its lease: the owner has already taken it back.
          continue;
        }
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        try {
          handler.handle(d);
        } catch (RuntimeException e) {
          if (exceptionHandler != null) {
            exceptionHandler.handle(e);
          } else {
            ((ContextInternal) context).reportException(e);
          }
        }
      }
      int room = options.getPrefetch() - buffer.size() - outstanding;
      if (!closed && !ended && handler != null && demand > 0 && room >= grantEvery) {
        outstanding += room;
        command(Wire.CREDIT, room);
      }
      if (ended && buffer.isEmpty() && !endNotified) {
        endNotified = true;
        closeQuietly();
        if (endHandler != null) {
          endHandler.handle(null);
        }
      }
    } finally {
      draining = false;
    }
  }

  private void closeQuietly() {
    closed = true;
    queues.forget(this);
    if (busConsumer != null) {
      busConsumer.unregister();
    }
  }

  @Override
  public String queue() {
    return queue;
  }

  @Override
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    onContext(() -> {
      if (closed) {
        done.complete();
        return;
      }
      closeQuietly();
      buffer.clear();
      // The owner returns what this consumer held; if the owner is gone there is nothing to return.
      // Bounded: a close racing the node's shutdown may reach an owner that never answers.
      command(Wire.UNSUBSCRIBE, 0).timeout(options.getCloseTimeoutMs(), TimeUnit.MILLISECONDS)
          .onComplete(ar -> done.complete());
    });
    return done.future();
  }

  @Override
  public QueueConsumer exceptionHandler(Handler<Throwable> handler) {
    onContext(() -> this.exceptionHandler = handler);
    return this;
  }

  @Override
  public QueueConsumer handler(Handler<Delivery> handler) {
    onContext(() -> {
      this.handler = handler;
      drain();
    });
    return this;
  }

  @Override
  public QueueConsumer pause() {
    onContext(() -> demand = 0);
    return this;
  }

  @Override
  public QueueConsumer resume() {
    onContext(() -> {
      demand = Long.MAX_VALUE;
      drain();
    });
    return this;
  }

  @Override
  public QueueConsumer fetch(long amount) {
    onContext(() -> {
      if (amount > 0) {
        demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
        drain();
      }
    });
    return this;
  }

  @Override
  public QueueConsumer endHandler(Handler<Void> endHandler) {
    onContext(() -> this.endHandler = endHandler);
    return this;
  }
}
