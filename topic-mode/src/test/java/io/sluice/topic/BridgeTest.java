package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.topic.internal.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BridgeTest extends TopicsTestBase {

  private record Got(Object body, MultiMap headers) {
  }

  @Test
  void topicIsPublishedToAnAddress() {
    createTopic("events", 2);
    List<Got> got = new CopyOnWriteArrayList<>();
    var listener = vertx.eventBus().consumer("plain.events", m -> got.add(new Got(m.body(), m.headers())));
    await(listener.completion());
    Bridge bridge = await(topics.bridgeToAddress("events", "plain.events",
        new ConsumerOptions().setAutoOffsetReset(OffsetReset.EARLIEST).setFetchMaxWaitMs(50)));
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(0));
    await(p.send("events", 1, Message.of("k", "hello").withHeader("trace", "abc")));
    await(p.send("events", 0, Message.of((String) null)));
    eventually("both forwarded", () -> got.size() == 2);
    Got hello = got.stream().filter(g -> "1".equals(g.headers().get("sluice.partition"))).findFirst().orElseThrow();
    assertEquals("hello", ((Buffer) hello.body()).toString());
    assertEquals("events", hello.headers().get("sluice.topic"));
    assertEquals("0", hello.headers().get("sluice.offset"));
    assertEquals("k", hello.headers().get("sluice.key"));
    assertEquals("abc", hello.headers().get("trace"));
    Got tombstone = got.stream().filter(g -> "0".equals(g.headers().get("sluice.partition"))).findFirst().orElseThrow();
    assertNull(tombstone.body());
    await(bridge.close());
    await(p.send("events", 0, Message.of("after close")));
    awaitTimer(200);
    assertEquals(2, got.size(), "a closed bridge forwards nothing");
    await(listener.unregister());
    awaitFailure(topics.bridgeToAddress("missing", "x", new ConsumerOptions()), ErrorCode.UNKNOWN_TOPIC);
  }

  @Test
  void addressIsAppendedToATopic() {
    createTopic("inbox", 3);
    Bridge bridge = await(topics.bridgeFromAddress("plain.inbox", "inbox", new ProducerOptions().setLingerMs(0)));
    JsonObject where = request("plain.inbox", "hello", new DeliveryOptions().addHeader("sluice.key", "k1").addHeader("custom", "x"));
    int partition = where.getInteger("partition");
    assertEquals(Partitioner.partitionForKey(Buffer.buffer("k1"), 3), partition);
    vertx.eventBus().publish("plain.inbox", new JsonObject().put("n", 1), new DeliveryOptions().addHeader("sluice.partition", "2"));
    JsonObject explicit = request("plain.inbox", Buffer.buffer("bytes"), new DeliveryOptions().addHeader("sluice.partition", "2"));
    assertEquals(2, explicit.getInteger("partition"));
    assertEquals(partition == 2 ? 2L : 1L, explicit.getLong("offset"), "the published JSON was stored first");
    awaitFailure(requestAsync("plain.inbox", 42, new DeliveryOptions()), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(requestAsync("plain.inbox", "x", new DeliveryOptions().addHeader("sluice.partition", "7")), ErrorCode.UNKNOWN_PARTITION);

    Consumer c = topics.createConsumer(new ConsumerOptions().setAutoOffsetReset(OffsetReset.EARLIEST));
    await(c.assign(List.of(new TopicPartition("inbox", partition), new TopicPartition("inbox", 2))));
    List<ConsumerRecord> records = pollUntil(c, 3);
    ConsumerRecord hello = records.stream().filter(r -> "hello".equals(r.valueAsString())).findFirst().orElseThrow();
    assertEquals("k1", hello.keyAsString());
    assertEquals("x", hello.header("custom").valueAsString());
    assertEquals(new JsonObject().put("n", 1), new JsonObject(records.stream()
        .filter(r -> r.partition() == 2 && r.offset() == (partition == 2 ? 1 : 0)).findFirst().orElseThrow().value()));
    await(bridge.close());
    awaitFailure(requestAsync("plain.inbox", "late", new DeliveryOptions()), ErrorCode.NOT_LEADER);
  }

  private Future<JsonObject> requestAsync(String address, Object body, DeliveryOptions options) {
    return vertx.eventBus().<JsonObject>request(address, body, options).map(m -> m.body())
        .recover(e -> Future.failedFuture(BusErrors.fromBus(e)));
  }

  private JsonObject request(String address, Object body, DeliveryOptions options) {
    return await(requestAsync(address, body, options));
  }
}
