package io.sluice.queue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.NotFoundException;
import io.sluice.api.RecordTooLargeException;
import io.sluice.api.SluiceException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

class ReceiptsTest {

  @Test
  void formatAndParse() {
    String text = Receipts.format("a.b-c_d", 42, -7L);
    Receipts.Receipt r = Receipts.parse(text);
    assertEquals("a.b-c_d", r.queue());
    assertEquals(42, r.offset());
    assertEquals(-7L, r.token());
    for (String bad : new String[] {"", "q", "q:1", ":1:2", "q:-1:2", "q:1:0", "q:1:zz", "q:x:1", "q:1:"}) {
      assertThrows(InvalidArgumentException.class, () -> Receipts.parse(bad), bad);
    }
  }

  @Test
  void failuresKeepTheirTypeAcrossTheBus() {
    ReplyException wire = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "unknown_receipt|receipt q:1:2 is gone");
    Throwable back = Failures.fromReply(wire, "q");
    assertEquals(NotFoundException.class, back.getClass());
    assertEquals(ErrorCode.UNKNOWN_RECEIPT, ((SluiceException) back).code());
    assertEquals("receipt q:1:2 is gone", back.getMessage());
    assertEquals(RecordTooLargeException.class, Failures.fromReply(
        new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 413, "record_too_large|big"), "q").getClass());
    assertEquals(ErrorCode.QUEUE_FULL, ((SluiceException) Failures.fromReply(
        new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 429, "queue_full|full"), "q")).code());
    assertEquals(ErrorCode.UNKNOWN_QUEUE, ((SluiceException) Failures.fromReply(
        new ReplyException(ReplyFailure.NO_HANDLERS, "none"), "q")).code());
    assertEquals(ErrorCode.TIMEOUT, ((SluiceException) Failures.fromReply(
        new ReplyException(ReplyFailure.TIMEOUT, "slow"), "q")).code());
  }
}
