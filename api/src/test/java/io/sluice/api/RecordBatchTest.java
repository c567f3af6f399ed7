package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordBatchTest {

  @Test
  void roundTripsKeysValuesHeadersAndTimestamps() {
    RecordBatch batch = RecordBatch.builder().now(1000)
        .add(Message.of("k1", "v1").withHeader("h", "x").withHeader("h", "y"))
        .add(Message.of((Buffer) null).withTimestamp(500))
        .add(Message.of(Buffer.buffer(new byte[] {0, 1, 2})))
        .build();
    assertNull(batch.verify());
    batch.assignBaseOffset(42);
    assertNull(batch.verify(), "the CRC does not cover the base offset");
    List<Record> records = batch.toList();
    assertEquals(3, records.size());
    assertEquals(42, records.get(0).offset());
    assertEquals("k1", records.get(0).keyAsString());
    assertEquals("v1", records.get(0).valueAsString());
    assertEquals(List.of("x", "y"), records.get(0).headers().stream().map(Header::valueAsString).toList());
    assertEquals(1000, records.get(0).timestamp());
    assertNull(records.get(1).value());
    assertNull(records.get(1).key());
    assertEquals(500, records.get(1).timestamp());
    assertEquals(Buffer.buffer(new byte[] {0, 1, 2}), records.get(2).value());
    assertEquals(44, batch.lastOffset());
    assertEquals(1000, batch.maxTimestamp());
    assertEquals(1000, batch.firstTimestamp());
    assertEquals(batch.sizeInBytes(), RecordBatch.sizeAt(batch.buffer(), 0));
  }

  @Test
  void everySingleBitFlipInTheCoveredPartIsDetected() {
    RecordBatch batch = RecordBatch.of(Message.of("key", "value").withHeader("a", "b"));
    Buffer bytes = batch.buffer();
    for (int pos = RecordBatch.ATTRIBUTES_POS; pos < bytes.length(); pos++) {
      for (int bit = 0; bit < 8; bit++) {
        Buffer copy = bytes.copy();
        copy.setByte(pos, (byte) (copy.getByte(pos) ^ (1 << bit)));
        assertNotNull(RecordBatch.wrap(copy).verify(), "flip at " + pos + " bit " + bit);
      }
    }
  }

  @Test
  void emptyBuilderAndWrongFramingAreRejected() {
    assertThrows(InvalidArgumentException.class, () -> RecordBatch.builder().build());
    assertThrows(InvalidArgumentException.class, () -> RecordBatch.wrap(Buffer.buffer(new byte[10])));
    Buffer bytes = RecordBatch.of(Message.of("v")).buffer().copy();
    bytes.appendByte((byte) 0);
    assertThrows(InvalidArgumentException.class, () -> RecordBatch.wrap(bytes));
  }

  @Test
  void builderPredictsTheEncodedSize() {
    RecordBatch.Builder b = RecordBatch.builder().add(Message.of("k", "v").withHeader("é", "ü"));
    assertEquals(b.sizeInBytes(), b.build().sizeInBytes());
  }
}
