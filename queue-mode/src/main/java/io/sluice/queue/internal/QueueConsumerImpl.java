package io.sluice.queue.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
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
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
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
 * <p>In a cluster the owner moves with its log's leader, and the subscription lives in the owner: a new
 * owner has never heard of this consumer. So the consumer follows it. Every {@value #OWNER_CHECK_MS} ms it
 * asks the owner whether it still serves it ({@code RENEW}); when the answer is no, nobody answers, or the
 * old owner said it stopped (its end batch), it subscribes again, at whichever node owns the queue now, with
 * its credit started over. What the lost owner had leased to it (and what this consumer still buffers of
 * that, in client-ack mode, which is dropped) comes back from the new owner, which replayed the settlement
 * journal: at least once, and nothing acknowledged is delivered again. Only a queue that no longer exists
 * ends the stream. A renewal that merely timed out keeps the buffer: the owner may still hold those leases.
 *
 * <p>Thread contract: state is confined to the context that created the consumer; public methods
 * called from other threads hop onto it.
 */
final class QueueConsumerImpl implements QueueConsumer {

  /** How often a consumer in a cluster checks that its queue's owner still serves it. */
  static final long OWNER_CHECK_MS = 1000;

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
  private long ownerCheckTimer = -1;
  /** A renewal or a new subscription is under way: no other starts meanwhile. */
  private boolean following;
  /** The owner may not hold this subscription (or its credit) as this consumer counts it: subscribe again. */
  private boolean resync;
  /** The owner that leased what this consumer buffers is gone. */
  private boolean ownerLost;

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
              if (queues.clustered()) {
                c.ownerCheckTimer = vertx.setPeriodic(OWNER_CHECK_MS, id -> c.onContext(c::checkOwner));
              }
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
    String owner = ownerAddress();
    if (kind == Wire.CREDIT && queues.clustered()) {
      askOwner(cmd);
      return Future.succeededFuture();
    } else if (kind == Wire.CREDIT) {
      queues.vertx().eventBus().send(owner, cmd);
      return Future.succeededFuture();
    }
    return queues.request(queue, owner, cmd, new DeliveryOptions().setSendTimeout(queues.options().getRequestTimeoutMs()));
  }

  /** Asks the owner whether it still serves this consumer; subscribes again where it does not. */
  private void checkOwner() {
    if (closed || following) {
      return;
    }
    if (resync) {
      subscribeAgain();
      return;
    }
    following = true;
    askOwner(new SubscriberCommand(Wire.RENEW, id, address, options.getAckMode(), options.getPrefetch(),
        options.getVisibilityTimeoutMs(), 0));
  }

  /**
   * Sends a renewal or credit as a request, which the owner answers with whether it serves this consumer. A
   * credit can be lost on its way (sent to the node of an owner that died, whose address the cluster still
   * lists for a few seconds), and a consumer waiting for deliveries against it would wait forever: so an
   * unanswered one leads to a new subscription too, which starts the credit over.
   */
  private void askOwner(SubscriberCommand cmd) {
    queues.vertx().eventBus().<Boolean>request(ownerAddress(), cmd,
        new DeliveryOptions().setSendTimeout(queues.options().getRequestTimeoutMs())).onComplete(ar -> onContext(() -> {
          if (cmd.kind() == Wire.RENEW) {
            following = false;
          }
          if (ar.succeeded() && Boolean.TRUE.equals(ar.result().body())) {
            return;
          }
          // A timeout proves nothing: the owner may live and still hold the leases of what this consumer buffers.
          ownerLost |= !(ar.failed() && ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT);
          resync = true;
          subscribeAgain();
        }));
  }

  /**
   * Subscribes at whichever node owns the queue now, with the credit started over. When the owner was lost,
   * the leases of what this consumer buffers went with it, so in client-ack mode those are dropped (the new
   * owner delivers the messages again). Failing, it tries again at the next check; an unknown queue ends the
   * stream.
   */
  private void subscribeAgain() {
    if (closed || following) {
      return;
    }
    following = true;
    resync = false;
    if (ownerLost && options.getAckMode() == AckMode.CLIENT) {
      buffer.clear();
    }
    ownerLost = false;
    outstanding = 0;
    command(Wire.SUBSCRIBE, 0).onComplete(ar -> onContext(() -> {
      if (ar.succeeded()) {
        following = false;
        drain();
      } else if (ar.cause() instanceof SluiceException e && e.code() == ErrorCode.UNKNOWN_QUEUE) {
        // Nobody owned it for the whole retry: deleted, or a failover slower than that. The registry knows which.
        endIfDeleted(() -> resync = true);
      } else {
        following = false;
        resync = true;
      }
    }));
  }

  /** Ends the stream if the registry no longer lists the queue; else runs {@code stillThere}. */
  private void endIfDeleted(Runnable stillThere) {
    following = true;
    queues.list().onComplete(names -> onContext(() -> {
      following = false;
      if (names.succeeded() && !names.result().contains(queue)) {
        ended = true;
        drain();
      } else {
        stillThere.run();
      }
    }));
  }

  private String ownerAddress() {
    return QueuesImpl.ownerAddress(queues.options().getAddress(), queue);
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
    if (batch.end() && queues.clustered()) {
      // The owner stopped: its leadership moved, or the queue was deleted (the registry forgets a queue before its
      // owner stops). Only a deleted queue ends this stream.
      ownerLost = true;
      resync = true;
      if (!following) {
        endIfDeleted(this::subscribeAgain);
      }
    } else if (batch.end()) {
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
    if (ownerCheckTimer >= 0) {
      queues.vertx().cancelTimer(ownerCheckTimer);
      ownerCheckTimer = -1;
    }
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
