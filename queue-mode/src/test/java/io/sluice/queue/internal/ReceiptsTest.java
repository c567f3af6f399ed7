package io.sluice.queue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
  void parseReusesTheQueueOfThePreviousReceiptOnlyWhenItIsTheSame() {
    String queue = new String("orders");
    assertSame(queue, Receipts.parse("orders:7:a", queue).queue());
    for (String other : new String[] {"order", "orders2", "ordersX"}) {
      Receipts.Receipt r = Receipts.parse(other + ":7:a", queue);
      assertEquals(other, r.queue());
      assertEquals(7, r.offset());
      assertEquals(10, r.token());
    }
    assertEquals("xrders", Receipts.parse("xrders:7:a", queue).queue());
    for (String bad : new String[] {"orders", "orders:1", "orders:-1:2", "orders:1:0", "orders:x:1", "orders:1:"}) {
      assertThrows(InvalidArgumentException.class, () -> Receipts.parse(bad, queue), bad);
    }
    assertEquals("orders:9223372036854775807:ffffffffffffffff", Receipts.format("orders", Long.MAX_VALUE, -1L));
    Receipts.Receipt widest = Receipts.parse("orders:9223372036854775807:ffffffffffffffff", null);
    assertEquals(Long.MAX_VALUE, widest.offset());
    assertEquals(-1L, widest.token());
  }

  @Test
  void theHandWrittenFormatMatchesTheDocumentedOneAndParsesBack() {
    long[] offsets = {0, 1, 9, 10, 99, 100, 12_345, 999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE};
    long[] tokens = {1, 0xf, 0x10, 0xabc, 0x7fff_ffff_ffffL, Long.MAX_VALUE, Long.MIN_VALUE, -1L};
    for (long offset : offsets) {
      for (long token : tokens) {
        String text = Receipts.format("q.1_-", offset, token);
        assertEquals("q.1_-:" + offset + ":" + Long.toHexString(token), text);
        Receipts.Receipt r = Receipts.parse(text, "q.1_-");
        assertEquals(offset, r.offset(), text);
        assertEquals(token, r.token(), text);
      }
    }
    assertEquals(10, Receipts.parse("q:007:A").token(), "leading zeros and upper-case hex still parse");
    for (String bad : new String[] {"q:9223372036854775808:1", "q:99999999999999999999:1", "q:1:10000000000000000",
        "q:+1:1", "q::1", "q:1:-1", "q:1 :1"}) {
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
