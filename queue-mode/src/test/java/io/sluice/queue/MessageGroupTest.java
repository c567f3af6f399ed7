package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MessageGroupTest extends QueueTestBase {

  /**
   * Several consumers with random processing times and random nacks: within a group, messages are
   * acked in send order and never two at a time in flight; different groups run in parallel.
   */
  @Test
  void eachGroupIsProcessedInOrderOneAtATime() {
    int groups = 12;
    int perGroup = 150;
    await(queues.createQueue("q"));
    List<Message> all = new ArrayList<>();
    for (int i = 0; i < perGroup; i++) {
      for (int g = 0; g < groups; g++) {
        all.add(Message.of("g" + g + ":" + i).withHeader(QueueHeaders.GROUP, "g" + g));
      }
    }
    for (int from = 0; from < all.size(); from += 100) {
      await(queues.sendBatch("q", all.subList(from, Math.min(all.size(), from + 100))));
    }
    Map<String, List<Integer>> ackedOrder = new ConcurrentHashMap<>();
    Set<String> inFlightGroups = ConcurrentHashMap.newKeySet();
    AtomicReference<String> violation = new AtomicReference<>();
    AtomicInteger maxParallelGroups = new AtomicInteger();
    AtomicInteger acked = new AtomicInteger();
    List<QueueConsumer> consumers = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      QueueConsumer consumer = await(queues.consumer("q", new ConsumerOptions().setPrefetch(8)));
      consumer.handler(d -> {
        String group = d.record().header(QueueHeaders.GROUP).valueAsString();
        if (!inFlightGroups.add(group)) {
          violation.compareAndSet(null, "two messages of " + group + " in flight at once");
        }
        maxParallelGroups.accumulateAndGet(inFlightGroups.size(), Math::max);
        int seq = Integer.parseInt(d.valueAsString().substring(d.valueAsString().indexOf(':') + 1));
        boolean nack = ThreadLocalRandom.current().nextInt(10) == 0;
        vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(3), t -> {
          // Done with it before telling the queue: only then may the next of the group come.
          inFlightGroups.remove(group);
          if (nack) {
            d.nack();
          } else {
            ackedOrder.computeIfAbsent(group, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(seq);
            d.ack().onSuccess(v -> acked.incrementAndGet());
          }
        });
      });
      consumers.add(consumer);
    }
    eventually(60_000, "all acked", () -> acked.get() == groups * perGroup || violation.get() != null);
    assertEquals(null, violation.get());
    for (int g = 0; g < groups; g++) {
      List<Integer> order = ackedOrder.get("g" + g);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < perGroup; i++) {
        expected.add(i);
      }
      assertEquals(expected, order, "order of group g" + g);
    }
    assertTrue(maxParallelGroups.get() > 1, "groups ran in parallel: at most " + maxParallelGroups);
    consumers.forEach(c -> await(c.close()));
  }

  @Test
  void aNackedHeadKeepsItsGroupWaitingButNotOtherGroups() {
    await(queues.createQueue("q"));
    await(queues.sendBatch("q", List.of(
        Message.of("a1").withHeader(QueueHeaders.GROUP, "a"),
        Message.of("a2").withHeader(QueueHeaders.GROUP, "a"),
        Message.of("b1").withHeader(QueueHeaders.GROUP, "b"),
        Message.of("free"))));
    List<Delivery> first = await(queues.receive("q", 10, 1000));
    assertEquals(List.of("a1", "b1", "free"), first.stream().map(Delivery::valueAsString).toList());
    Delivery a1 = first.get(0);
    await(a1.nack());
    List<Delivery> second = await(queues.receive("q", 10, 1000));
    assertEquals(List.of("a1"), second.stream().map(Delivery::valueAsString).toList(), "a2 waits for a1");
    await(second.get(0).ack());
    List<Delivery> third = await(queues.receive("q", 10, 1000));
    assertEquals(List.of("a2"), third.stream().map(Delivery::valueAsString).toList());
  }
}
