package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.ErrorCode;
import io.sluice.api.HeaderLimits;
import io.sluice.api.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node's header limits on queue sends: refused with a typed error, and a refused batch stores none of its messages. */
class HeaderLimitsQueueTest extends QueueTestBase {

  @Override
  protected QueuesOptions options() {
    return new QueuesOptions().setHeaderLimits(HeaderLimits.of(2, 100));
  }

  @Test
  void sendsOverTheLimitsFailTypedAndStoreNothing() {
    await(queues.createQueue("q"));
    Message three = Message.of("v").withHeader("a", "1").withHeader("b", "2").withHeader("c", "3");
    awaitFailure(queues.send("q", three), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.send("q", Message.of("v").withHeader("big", "x".repeat(98))), ErrorCode.RECORD_TOO_LARGE);
    // The reserved headers of SendOptions count too: two of one's own plus a delay make three.
    awaitFailure(queues.send("q", Message.of("v").withHeader("a", "1").withHeader("b", "2"), new SendOptions().setDelayMs(10)),
        ErrorCode.INVALID_ARGUMENT);
    awaitFailure(queues.sendBatch("q", List.of(Message.of("ok"), three)), ErrorCode.INVALID_ARGUMENT);
    assertEquals(0, await(queues.describe("q")).depth(), "nothing stored");
    await(queues.sendBatch("q", List.of(Message.of("ok"), Message.of("v").withHeader("a", "1").withHeader("b", "2"))));
    assertEquals(2, await(queues.describe("q")).depth());
  }
}
