package io.sluice.queue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Header;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.queue.QueueHeaders;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessagePropsTest {

  @Test
  void aBatchWithoutHeadersIsSizedFromItsLengthFieldsAlone() {
    RecordBatch plain = RecordBatch.of(List.of(Message.of("v"), Message.of("key", "value"),
        Message.of(Buffer.buffer(new byte[300])), Message.of("")));
    assertTrue(MessageProps.headerless(plain));
    long decoded = 0;
    for (Record r : plain) {
      decoded += MessageProps.sizeOf(r);
    }
    assertEquals(decoded, plain.sizeInBytes() - RecordBatch.HEADER_SIZE, "what the owner counts without decoding");
  }

  @Test
  void anyHeaderOnAnyRecordMeansTheBatchIsDecoded() {
    Message withDedup = Message.of("b").withHeaders(List.of(Header.of(QueueHeaders.DEDUP_ID, "x")));
    Message withOther = Message.of("k", "c").withHeaders(List.of(Header.of("app", "1")));
    assertFalse(MessageProps.headerless(RecordBatch.of(List.of(Message.of("a"), withDedup))));
    assertFalse(MessageProps.headerless(RecordBatch.of(List.of(withOther, Message.of("a")))));
    assertTrue(MessageProps.headerless(RecordBatch.of(List.of(Message.of("a")))));
  }
}
