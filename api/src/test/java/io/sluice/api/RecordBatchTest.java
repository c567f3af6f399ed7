package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
  void consecutiveBatchesOfOneProducerJoinIntoOneWithTheirRecordsInOrder() {
    RecordBatch a = RecordBatch.builder().now(2000).producer(7, (short) 1, 10)
        .add(Message.of("k0", "v0")).add(Message.of("k1", "v1")).build();
    RecordBatch b = RecordBatch.builder().now(3000).producer(7, (short) 1, 12).add(Message.of("k2", "v2").withHeader("h", "x")).build();
    RecordBatch c = RecordBatch.builder().now(1500).producer(7, (short) 1, 13).add(Message.of((Buffer) null)).build();
    RecordBatch joined = RecordBatch.concat(List.of(a, b, c)).assignBaseOffset(100);
    assertNull(joined.verify());
    assertEquals(4, joined.recordCount());
    assertEquals(a.sizeInBytes() + b.sizeInBytes() + c.sizeInBytes() - 2 * RecordBatch.HEADER_SIZE, joined.sizeInBytes());
    assertEquals(7, joined.producerId());
    assertEquals(10, joined.baseSequence());
    assertEquals(2000, joined.firstTimestamp());
    assertEquals(3000, joined.maxTimestamp());
    List<Record> records = joined.toList();
    assertEquals(List.of(100L, 101L, 102L, 103L), records.stream().map(Record::offset).toList());
    assertEquals("v2", records.get(2).valueAsString());
    assertEquals("x", records.get(2).headers().get(0).valueAsString());
    assertEquals(1500, records.get(3).timestamp());
    assertSame(a, RecordBatch.concat(List.of(a)), "one batch is returned as it is");
  }

  @Test
  void batchesThatAreNotConsecutiveOrFromTwoProducersDoNotJoin() {
    RecordBatch a = RecordBatch.builder().producer(7, (short) 0, 0).add(Message.of("v")).build();
    RecordBatch gap = RecordBatch.builder().producer(7, (short) 0, 2).add(Message.of("v")).build();
    RecordBatch other = RecordBatch.builder().producer(8, (short) 0, 1).add(Message.of("v")).build();
    RecordBatch newEpoch = RecordBatch.builder().producer(7, (short) 1, 1).add(Message.of("v")).build();
    assertThrows(InvalidArgumentException.class, () -> RecordBatch.concat(List.of(a, gap)));
    assertThrows(InvalidArgumentException.class, () -> RecordBatch.concat(List.of(a, other)));
    assertThrows(InvalidArgumentException.class, () -> RecordBatch.concat(List.of(a, newEpoch)));
    assertThrows(InvalidArgumentException.class, () -> RecordBatch.concat(List.of()));
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
