package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.ErrorCode;
import io.sluice.api.HeaderLimits;
import io.sluice.api.Message;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.topic.internal.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import org.junit.jupiter.api.Test;

/** The node's header limits on a producer's send and on an address bridged into a topic: refused, nothing stored. */
class HeaderLimitsTopicTest extends TopicsTestBase {

  @Override
  protected TopicsOptions topicsOptions() {
    return new TopicsOptions().setGroupCheckIntervalMs(20).setStateFsync(FsyncPolicy.never()).setHeaderLimits(HeaderLimits.of(2, 100));
  }

  @Test
  void aSendOverTheLimitsFailsTypedAndStoresNothing() {
    createTopic("t", 1);
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(0));
    try {
      Message three = Message.of("v").withHeader("a", "1").withHeader("b", "2").withHeader("c", "3");
      awaitFailure(p.send("t", three), ErrorCode.INVALID_ARGUMENT);
      awaitFailure(p.send("t", 0, Message.of("v").withHeader("big", "x".repeat(98))), ErrorCode.RECORD_TOO_LARGE);
      assertEquals(0, await(topics.describe("t")).partitions().get(0).endOffset(), "nothing stored");
      await(p.send("t", Message.of("v").withHeader("a", "1").withHeader("big", "x".repeat(95))));
      assertEquals(1, await(topics.describe("t")).partitions().get(0).endOffset());
    } finally {
      await(p.close());
    }
  }

  @Test
  void anAddressBridgedIntoATopicAppliesTheLimits() {
    createTopic("inbox", 1);
    Bridge bridge = await(topics.bridgeFromAddress("plain.inbox", "inbox", new ProducerOptions().setLingerMs(0)));
    try {
      DeliveryOptions three = new DeliveryOptions().addHeader("a", "1").addHeader("b", "2").addHeader("c", "3");
      Future<io.vertx.core.eventbus.Message<Object>> refused = vertx.eventBus().request("plain.inbox", "v", three);
      awaitFailure(refused.recover(e -> Future.failedFuture(BusErrors.fromBus(e))), ErrorCode.INVALID_ARGUMENT);
      assertEquals(0, await(topics.describe("inbox")).partitions().get(0).endOffset(), "nothing stored");
    } finally {
      await(bridge.close());
    }
  }
}
