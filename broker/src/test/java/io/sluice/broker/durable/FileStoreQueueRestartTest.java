package io.sluice.broker.durable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.sluice.api.store.LogStore;
import io.sluice.queue.Delivery;
import io.sluice.queue.QueueConfig;
import io.sluice.queue.Queues;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queues over the file store across real restarts (store closed and reopened on the same directory):
 * nothing acked comes back, nothing unacked is lost, delivery counts are kept.
 */
class FileStoreQueueRestartTest {

  @TempDir
  Path dir;
  private Vertx vertx;
  private LogStore store;
  private Queues queues;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    open();
  }

  @AfterEach
  void stop() {
    try {
      close();
    } finally {
      await(vertx.close());
    }
  }

  private void open() {
    store = LogStore.create(vertx, "file", new JsonObject().put("dataDir", dir.toString()));
    queues = await(Queues.create(vertx, store));
  }

  private void close() {
    if (queues != null) {
      await(queues.close());
      queues = null;
    }
    if (store != null) {
      await(store.close());
      store = null;
    }
  }

  private void restart() {
    close();
    open();
  }

  @Test
  void ackedNeverComeBackAndUnackedAreAllThereAfterRestarts() {
    await(queues.createQueue("orders", new QueueConfig().setVisibilityTimeoutMs(60_000)));
    for (int b = 0; b < 10; b++) {
      int base = b * 100;
      await(queues.sendBatch("orders", IntStream.range(base, base + 100).mapToObj(i -> Message.of("m" + i)).toList()));
    }
    List<Delivery> received = new ArrayList<>();
    while (received.size() < 600) {
      received.addAll(await(queues.receive("orders", 600 - received.size(), 1000)));
    }
    Set<String> acked = new HashSet<>();
    List<String> receipts = new ArrayList<>();
    for (Delivery d : received.subList(0, 400)) {
      acked.add(d.valueAsString());
      receipts.add(d.receipt());
    }
    await(queues.ack(receipts));
    Set<String> inFlight = new HashSet<>();
    received.subList(400, 600).forEach(d -> inFlight.add(d.valueAsString()));

    restart();

    assertEquals(List.of("orders"), await(queues.list()));
    assertEquals(600, await(queues.describe("orders")).depth());
    Map<String, Integer> counts = new HashMap<>();
    List<Delivery> again = new ArrayList<>();
    while (again.size() < 600) {
      List<Delivery> got = await(queues.receive("orders", 600, 1000));
      assertTrue(!got.isEmpty() || again.size() == 600, "messages missing after restart: have " + again.size());
      again.addAll(got);
    }
    for (Delivery d : again) {
      String v = d.valueAsString();
      assertTrue(!acked.contains(v), "acked message redelivered after restart: " + v);
      assertEquals(null, counts.put(v, d.deliveryCount()), "delivered twice: " + v);
    }
    assertEquals(600, counts.size());
    for (int i = 0; i < 1000; i++) {
      String v = "m" + i;
      if (!acked.contains(v)) {
        assertEquals(inFlight.contains(v) ? 2 : 1, counts.get(v), "delivery count of " + v);
      }
    }
    await(queues.ack(again.stream().map(Delivery::receipt).toList()));

    restart();

    assertEquals(0, await(queues.describe("orders")).depth());
    assertEquals(List.of(), await(queues.receive("orders", 10, 200)));
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
