package io.sluice.cluster.modes;

import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.Message;
import io.sluice.cluster.ReplicatedLogStore;
import io.sluice.queue.ConsumerOptions;
import io.sluice.queue.Delivery;
import io.sluice.queue.QueueConsumer;
import io.sluice.queue.Queues;
import io.sluice.queue.QueuesOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The queue mode on a 3-node cluster in this JVM: a queue's owner (its shared cursor) runs on the node leading its data log and moves
 * with it, replaying the replicated settlement journal.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures.
 */
class ClusteredQueuesTest extends ModeClusterTestBase<Queues> {

  private static final String QUEUE = "jobs";
  private static final long LEASE_MS = 2000;

  @Override
  protected Future<Queues> createMode(Vertx vertx, ReplicatedLogStore store) {
    // A request sent to the owner on a node that then died fails after this, and is retried at the new owner.
    return Queues.create(vertx, store, new QueuesOptions().setRequestTimeoutMs(3000));
  }

  @Override
  protected Future<Void> closeMode(Queues mode) {
    return mode.close();
  }

  /** Receives on {@code node} until nothing arrives for a while or {@code max} deliveries came. */
  private List<Delivery> receive(int node, int max) {
    return receive(node, max, LEASE_MS);
  }

  private List<Delivery> receive(int node, int max, long leaseMs) {
    List<Delivery> out = new ArrayList<>();
    while (out.size() < max) {
      List<Delivery> got = await(modes.get(node).receive(QUEUE, Math.min(10, max - out.size()), 500, leaseMs));
      if (got.isEmpty()) {
        break;
      }
      out.addAll(got);
    }
    return out;
  }

  @Test
  void aPushConsumerFollowsTheOwnerToItsNewNode() throws Exception {
    await(modes.get(0).createQueue(QUEUE));
    int owner = leaderOf("q." + QUEUE);
    int consumerNode = (owner + 1) % 3;
    int senderNode = (owner + 2) % 3;
    Queues queues = modes.get(consumerNode);
    Map<String, Integer> delivered = new ConcurrentHashMap<>();
    Map<String, Integer> acked = new ConcurrentHashMap<>();
    Set<String> ackFailed = ConcurrentHashMap.newKeySet();
    QueueConsumer consumer = await(queues.consumer(QUEUE, new ConsumerOptions().setPrefetch(8)
        .setVisibilityTimeoutMs(LEASE_MS).setCloseTimeoutMs(2000)));
    consumer.handler(d -> {
      String v = d.record().valueAsString();
      delivered.merge(v, 1, Integer::sum);
      d.ack().onComplete(ar -> {
        if (ar.succeeded()) {
          acked.merge(v, 1, Integer::sum);
        } else {
          ackFailed.add(v); // a lease of the owner that died: the new owner delivers the message again
        }
      });
    });
    try {
      Set<String> all = new HashSet<>();
      send(senderNode, 0, 100, all);
      eventually("half acknowledged before the crash", () -> acked.size() >= 50, () -> "acked " + acked.size());
      cluster.awaitSafe();
      cluster.crash(owner);
      send(senderNode, 100, 200, all);
      eventually("every message delivered by the new owner", () -> delivered.keySet().containsAll(all),
          () -> "delivered " + delivered.size() + ", acked " + acked.size() + ", acks failed " + ackFailed.size() + " of "
              + all.size() + "; " + await(modes.get(senderNode).describe(QUEUE)));
      eventually("every message settled", () -> await(modes.get(senderNode).describe(QUEUE)).depth() == 0,
          () -> "" + await(modes.get(senderNode).describe(QUEUE)));

      int newOwner = leaderOf("q." + QUEUE);
      assertTrue(newOwner != owner, "the owner moved: " + newOwner);
      for (Map.Entry<String, Integer> e : acked.entrySet()) {
        assertEquals(1, e.getValue(), "acknowledged twice: " + e.getKey());
      }
      Set<String> neverAcked = new HashSet<>(all);
      neverAcked.removeAll(acked.keySet());
      // Only an ack whose answer died with the owner (the settlement itself was replicated) has no success here.
      assertTrue(ackFailed.containsAll(neverAcked), "not acknowledged and not settled by a lost answer: " + neverAcked);
      assertTrue(neverAcked.size() <= 8, "at most one prefetch of answers lost: " + neverAcked);
      assertEquals(1, await(modes.get(senderNode).describe(QUEUE)).consumers(), "one subscription, at the new owner");

      // Deleting the queue (not moving it) ends the stream.
      CountDownLatch ended = new CountDownLatch(1);
      consumer.endHandler(v -> ended.countDown());
      await(modes.get(senderNode).delete(QUEUE));
      assertTrue(ended.await(20, TimeUnit.SECONDS), "the consumer of a deleted queue ended");
    } finally {
      consumer.close().toCompletionStage().toCompletableFuture().completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
    }
  }

  private void send(int node, int from, int until, Set<String> all) {
    List<Future<Long>> sent = new ArrayList<>();
    for (int i = from; i < until; i++) {
      all.add("job-" + i);
      sent.add(modes.get(node).send(QUEUE, Message.of("k", "job-" + i)));
    }
    await(Future.all(sent));
  }

  private static void eventually(String what, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        fail("not within 60 s: " + what + " (" + state.get() + ")");
      }
      try {
        Thread.sleep(50); // polls a condition, bounded by the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  @Test
  void sentOnOneNodeSettledOnTwoOthersAndThroughALeaderCrash() {
    await(modes.get(0).createQueue(QUEUE));
    List<Future<Long>> sent = new ArrayList<>();
    Set<String> all = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      all.add("job-" + i);
      sent.add(modes.get(0).send(QUEUE, Message.of("k", "job-" + i)));
    }
    await(Future.all(sent));
    int owner = leaderOf("q." + QUEUE);
    for (int i = 0; i < 3; i++) {
      assertEquals(i == owner, stores.get(i).leadership().leads("q." + QUEUE), "the data log has one leader: " + owner);
    }

    // B and C share the queue's one cursor: nobody gets a message another holds.
    Set<String> acked = new HashSet<>();
    Set<String> held = new HashSet<>();
    for (int node : new int[] {1, 2}) {
      List<Delivery> got = receive(node, 30);
      assertEquals(30, got.size(), "node " + node + " received");
      for (int i = 0; i < got.size(); i++) {
        String v = got.get(i).record().valueAsString();
        assertTrue(!acked.contains(v) && !held.contains(v), "one holder at a time: " + v);
        if (i < 20) {
          await(modes.get(node).ack(got.get(i).receipt()));
          acked.add(v);
        } else {
          held.add(v); // received, never acknowledged
        }
      }
    }

    int survivor = owner == 1 ? 2 : 1;
    cluster.awaitSafe();
    cluster.crash(owner);
    // The new owner replays the journal: every acknowledged message stays settled; held and unsent ones come back.
    Set<String> expected = new HashSet<>(all);
    expected.removeAll(acked);
    Set<String> seen = new HashSet<>();
    long deadline = System.currentTimeMillis() + 60_000;
    while (!seen.containsAll(expected)) {
      if (System.currentTimeMillis() > deadline) {
        expected.removeAll(seen);
        fail("not redelivered within 60 s: " + expected);
      }
      // A long lease: these are acknowledged after the whole round is received, however slow the machine.
      List<String> receipts = new ArrayList<>();
      for (Delivery d : receive(survivor, 100, 60_000)) {
        String v = d.record().valueAsString();
        assertTrue(!acked.contains(v), "an acknowledged message was delivered again: " + v);
        seen.add(v);
        receipts.add(d.receipt());
      }
      if (!receipts.isEmpty()) {
        await(modes.get(survivor).ack(receipts));
      }
    }
    assertEquals(expected, seen);
    assertTrue(seen.containsAll(held), "every held message came back");
  }
}
