package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class QueueAdminTest extends QueueTestBase {

  @Test
  void createIsIdempotentAndRejectsAnotherConfig() {
    QueueConfig config = new QueueConfig().setVisibilityTimeoutMs(5000).setMaxDeliveries(3);
    assertEquals(config, await(queues.createQueue("orders", config)));
    assertEquals(config, await(queues.createQueue("orders", new QueueConfig(config))));
    awaitFailure(queues.createQueue("orders", new QueueConfig().setVisibilityTimeoutMs(6000)), ErrorCode.ALREADY_EXISTS);
    assertEquals(config, await(queues.describe("orders")).config());
    assertEquals(List.of("orders"), await(queues.list()));
  }

  @Test
  void badNamesAreRejectedWithInvalidName() {
    for (String bad : new String[] {"", "has space", "slash/", "colon:", ".", "..", "x".repeat(247)}) {
      awaitFailure(queues.createQueue(bad), ErrorCode.INVALID_NAME);
      awaitFailure(queues.send(bad, Message.of("x")), ErrorCode.INVALID_NAME);
    }
    awaitFailure(queues.createQueue(null), ErrorCode.INVALID_NAME);
    await(queues.createQueue("x".repeat(246)));
    assertEquals(1, await(queues.list()).size());
  }

  @Test
  void unknownQueueIsATypedError() {
    awaitFailure(queues.describe("nope"), ErrorCode.UNKNOWN_QUEUE);
    awaitFailure(queues.purge("nope"), ErrorCode.UNKNOWN_QUEUE);
    awaitFailure(queues.delete("nope"), ErrorCode.UNKNOWN_QUEUE);
    awaitFailure(queues.send("nope", Message.of("x")), ErrorCode.UNKNOWN_QUEUE);
    awaitFailure(queues.sendBatch("nope", List.of(Message.of("x"))), ErrorCode.UNKNOWN_QUEUE);
    awaitFailure(queues.receive("nope", 1, 0), ErrorCode.UNKNOWN_QUEUE);
    awaitFailure(queues.consumer("nope"), ErrorCode.UNKNOWN_QUEUE);
    awaitFailure(queues.ack("nope:1:1f"), ErrorCode.UNKNOWN_QUEUE);
    assertEquals(List.of(), await(queues.list()));
  }

  @Test
  void configSettersRejectBadValues() {
    QueueConfig c = new QueueConfig();
    assertThrows(InvalidArgumentException.class, () -> c.setMaxDeliveries(-1));
    assertThrows(InvalidArgumentException.class, () -> c.setVisibilityTimeoutMs(0));
    assertThrows(InvalidArgumentException.class, () -> c.setMaxLength(-1));
    assertThrows(InvalidArgumentException.class, () -> c.setMessageTtlMs(-5));
    assertThrows(InvalidArgumentException.class, () -> c.setDeadLetterQueue("bad name"));
    assertThrows(InvalidArgumentException.class, () -> new ConsumerOptions().setPrefetch(0));
    assertThrows(InvalidArgumentException.class, () -> new SendOptions().setDelayMs(-1));
    assertThrows(InvalidArgumentException.class, () -> new SendOptions().setTtlMs(-1));
    assertThrows(InvalidArgumentException.class, () -> c.setReplicationFactor(0));
    assertThrows(InvalidArgumentException.class, () -> c.setMinInSync(0));
    assertEquals(new QueueConfig(), c, "a rejected setter changes nothing");
  }

  @Test
  void replicationSettingsAreValidatedKeptAndIgnoredByALocalStore() {
    assertThrows(InvalidArgumentException.class, () -> new QueueConfig().setReplicationFactor(2).setMinInSync(3));
    QueueConfig refused = new QueueConfig().setMinInSync(3);
    assertThrows(InvalidArgumentException.class, () -> refused.setReplicationFactor(2));
    assertEquals(0, refused.getReplicationFactor(), "a refused setting changes nothing");
    assertThrows(InvalidArgumentException.class, () -> new QueueConfig(new JsonObject().put("minInSync", -1)));
    assertThrows(InvalidArgumentException.class,
        () -> new QueueConfig(new JsonObject().put("replicationFactor", 1).put("minInSync", 2)));
    assertEquals(0, new QueueConfig().getReplicationFactor(), "0: the store's default");
    assertFalse(new QueueConfig().toJson().containsKey("minInSync"), "a default is left out");

    QueueConfig config = new QueueConfig().setReplicationFactor(3).setMinInSync(2);
    assertEquals(config, new QueueConfig(config.toJson()));
    assertEquals(config, await(queues.createQueue("r", config)));
    await(queues.send("r", Message.of("x")));
    QueueStats stats = await(queues.describe("r"));
    assertEquals(config, stats.config(), "describe shows the settings");
    assertTrue(stats.replication().isEmpty(), "a local store has no replicas to show");
    awaitFailure(queues.createQueue("r", new QueueConfig().setReplicationFactor(1)), ErrorCode.ALREADY_EXISTS);
    restart();
    assertEquals(config, await(queues.describe("r")).config(), "kept across a restart");
    assertEquals(1, await(queues.describe("r")).depth());
  }

  @Test
  void deadLetterQueueMustExistAndCannotBeDeletedWhileUsed() {
    awaitFailure(queues.createQueue("work", new QueueConfig().setDeadLetterQueue("work-dlq")), ErrorCode.UNKNOWN_QUEUE);
    awaitFailure(queues.createQueue("self", new QueueConfig().setDeadLetterQueue("self")), ErrorCode.INVALID_ARGUMENT);
    assertEquals(List.of(), await(queues.list()));
    await(queues.createQueue("work-dlq"));
    await(queues.createQueue("work", new QueueConfig().setDeadLetterQueue("work-dlq")));
    awaitFailure(queues.delete("work-dlq"), ErrorCode.CONFLICT);
    assertEquals(List.of("work", "work-dlq"), await(queues.list()));
    assertEquals(0, await(queues.describe("work")).deadLetterDepth());
    assertEquals(-1, await(queues.describe("work-dlq")).deadLetterDepth());
    await(queues.delete("work"));
    await(queues.delete("work-dlq"));
    assertEquals(List.of(), await(queues.list()));
  }

  @Test
  void describeCountsEveryState() {
    await(queues.createQueue("q"));
    for (int i = 0; i < 5; i++) {
      await(queues.send("q", Message.of("m" + i)));
    }
    await(queues.send("q", Message.of("later"), new SendOptions().setDelayMs(60_000)));
    List<Delivery> leased = await(queues.receive("q", 2, 1000));
    assertEquals(2, leased.size());
    QueueConsumer consumer = await(queues.consumer("q", new ConsumerOptions().setPrefetch(1)));
    consumer.pause();
    QueueStats s = await(queues.describe("q"));
    assertEquals(6, s.depth());
    assertEquals(2, s.inFlight());
    assertEquals(1, s.delayed());
    assertEquals(3, s.ready());
    assertEquals(1, s.consumers());
    assertTrue(s.bytes() > 6 * 2, "bytes " + s.bytes());
    assertTrue(s.storedBytes() >= s.bytes(), "stored " + s.storedBytes());
    assertTrue(s.oldestMessageAgeMs() >= 0);
    await(consumer.close());
    assertEquals(0, await(queues.describe("q")).consumers());
  }

  @Test
  void purgeDeletesAllButInFlight() {
    await(queues.createQueue("q"));
    for (int i = 0; i < 10; i++) {
      await(queues.send("q", Message.of("m" + i)));
    }
    await(queues.send("q", Message.of("delayed"), new SendOptions().setDelayMs(60_000)));
    List<Delivery> leased = await(queues.receive("q", 3, 1000));
    assertEquals(3, leased.size());
    assertEquals(8, await(queues.purge("q")));
    QueueStats s = await(queues.describe("q"));
    assertEquals(3, s.depth());
    assertEquals(3, s.inFlight());
    await(queues.ack(leased.stream().map(Delivery::receipt).toList()));
    assertEquals(0, await(queues.describe("q")).depth());
    assertEquals(List.of(), await(queues.receive("q", 10, 0)));
    // A purge of a large backlog the cursor has not reached.
    for (int i = 0; i < 20; i++) {
      await(queues.sendBatch("q", java.util.stream.IntStream.range(0, 1000).mapToObj(j -> Message.of("b" + j)).toList()));
    }
    assertEquals(20_000, await(queues.purge("q")));
    assertEquals(0, await(queues.describe("q")).depth());
    assertEquals(List.of(), await(queues.receive("q", 10, 0)));
    await(queues.send("q", Message.of("after")));
    assertEquals("after", await(queues.receive("q", 10, 1000)).get(0).valueAsString());
  }

  @Test
  void deleteEndsConsumersAndARecreatedQueueIsEmpty() throws Exception {
    await(queues.createQueue("q"));
    await(queues.send("q", Message.of("old")));
    CountDownLatch ended = new CountDownLatch(1);
    QueueConsumer consumer = await(queues.consumer("q"));
    consumer.handler(d -> { }).endHandler(v -> ended.countDown());
    await(queues.delete("q"));
    assertTrue(ended.await(WAIT_S, TimeUnit.SECONDS), "consumer ended");
    awaitFailure(queues.send("q", Message.of("x")), ErrorCode.UNKNOWN_QUEUE);
    await(queues.createQueue("q"));
    assertEquals(0, await(queues.describe("q")).depth());
    assertEquals(List.of(), await(queues.receive("q", 10, 0)));
  }

  @Test
  void aSecondQueuesOnTheSameAddressIsRefused() {
    io.sluice.api.store.LogStore other = io.sluice.api.store.LogStore.memory(vertx);
    awaitFailure(Queues.create(vertx, other, new QueuesOptions()), ErrorCode.CONFLICT);
    Queues second = await(Queues.create(vertx, other, new QueuesOptions().setAddress("other.queues")));
    await(second.createQueue("q"));
    await(queues.createQueue("q"));
    await(second.send("q", Message.of("second")));
    assertEquals(0, await(queues.describe("q")).depth(), "separate stores, separate queues");
    assertEquals(1, await(second.describe("q")).depth());
    await(second.close());
    await(other.close());
  }
}
