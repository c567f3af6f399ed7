package io.sluice.queue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.sluice.api.store.LogStore;
import io.sluice.queue.AckMode;
import io.sluice.queue.Delivery;
import io.sluice.queue.Queues;
import io.sluice.queue.QueuesOptions;
import io.sluice.queue.internal.Wire.DeliveryBatch;
import io.sluice.queue.internal.Wire.SubscriberCommand;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The owner's side of a renewed subscription (what a push consumer in a cluster does every second): a
 * consumer that renewed once and then fell silent, as when its node dies, is dropped after
 * {@link QueueOwner#SUBSCRIPTION_LEASE_MS}, and what it held returns at once, long before its lease would
 * have run out. One that never renews (outside a cluster) is never dropped this way.
 *
 * <p>Thread contract: the test thread drives the owner over the event bus and waits on futures.
 */
@ExtendWith(VertxExtension.class)
class SubscriptionLeaseTest {

  private static final long LONG_LEASE_MS = 120_000;

  @Test
  void aConsumerThatStopsRenewingIsDroppedAndItsMessagesReturn(Vertx vertx) throws Exception {
    LogStore store = LogStore.memory(vertx);
    Queues queues = await(Queues.create(vertx, store, new QueuesOptions()));
    try {
      await(queues.createQueue("jobs"));
      await(queues.sendBatch("jobs", List.of(Message.of("a"), Message.of("b"))));
      LinkedBlockingQueue<DeliveryBatch> got = new LinkedBlockingQueue<>();
      await(vertx.eventBus().<Object>consumer("test.silent", m -> got.add((DeliveryBatch) m.body())).completion());
      await(vertx.eventBus().<Object>consumer("test.local", m -> got.add((DeliveryBatch) m.body())).completion());
      String owner = QueuesImpl.ownerAddress(new QueuesOptions().getAddress(), "jobs");

      await(vertx.eventBus().request(owner, command(Wire.SUBSCRIBE, "silent", 1)));
      assertEquals(1, got.poll(10, TimeUnit.SECONDS).frames().size(), "the first message, leased for two minutes");
      assertEquals(Boolean.TRUE, await(vertx.eventBus().request(owner, command(Wire.RENEW, "silent", 0))).body());
      // A consumer that never renews (a local one) holds the second message and is never dropped.
      await(vertx.eventBus().request(owner, command(Wire.SUBSCRIBE, "local", 1)));
      assertEquals(1, got.poll(10, TimeUnit.SECONDS).frames().size());
      assertEquals(2, await(queues.describe("jobs")).consumers());
      long silentSince = System.currentTimeMillis();

      List<Delivery> back = await(queues.receive("jobs", 10, 30_000));
      long waited = System.currentTimeMillis() - silentSince;
      assertEquals(List.of("a"), back.stream().map(d -> d.record().valueAsString()).toList(), "the silent consumer's");
      assertTrue(waited >= QueueOwner.SUBSCRIPTION_LEASE_MS - 1000 && waited < LONG_LEASE_MS, "returned after " + waited);
      assertEquals(Boolean.FALSE, await(vertx.eventBus().request(owner, command(Wire.RENEW, "silent", 0))).body(),
          "the owner no longer serves it");
      assertEquals(1, await(queues.describe("jobs")).consumers(), "the local consumer stays");
    } finally {
      await(queues.close());
      await(store.close());
    }
  }

  private static SubscriberCommand command(byte kind, String id, int credit) {
    return new SubscriberCommand(kind, id, "test." + id, AckMode.CLIENT, 1, LONG_LEASE_MS, credit);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(40, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no answer within 40 s", e);
    }
  }
}
