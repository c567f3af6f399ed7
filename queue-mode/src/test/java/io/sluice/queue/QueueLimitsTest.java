package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configured ceiling on queues: one more is a typed refusal that creates nothing. */
class QueueLimitsTest extends QueueTestBase {

  @Override
  protected QueuesOptions options() {
    return new QueuesOptions().setMaxQueues(2);
  }

  @Test
  void oneQueueTooManyIsLimitExceededAndDeletingMakesRoom() {
    await(queues.createQueue("a"));
    await(queues.createQueue("b"));
    awaitFailure(queues.createQueue("c"), ErrorCode.LIMIT_EXCEEDED);
    assertEquals(List.of("a", "b"), await(queues.list()));
    // Creating an existing queue again is not "one more".
    await(queues.createQueue("a"));
    await(queues.delete("a"));
    await(queues.createQueue("c"));
    assertThrows(InvalidArgumentException.class, () -> new QueuesOptions().setMaxQueues(0));
  }
}
