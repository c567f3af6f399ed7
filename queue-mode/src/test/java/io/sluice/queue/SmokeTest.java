package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest extends QueueTestBase {

  @Test
  void sendReceiveAck() {
    await(queues.createQueue("orders"));
    long id = await(queues.send("orders", Message.of("hello")));
    List<Delivery> got = await(queues.receive("orders", 10, 1000));
    assertEquals(1, got.size());
    assertEquals("hello", got.get(0).valueAsString());
    assertEquals(id, got.get(0).id());
    await(got.get(0).ack());
    QueueStats stats = await(queues.describe("orders"));
    assertEquals(0, stats.depth());
  }
}
