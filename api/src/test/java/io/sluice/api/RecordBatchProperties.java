package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Properties of the batch codec over arbitrary messages: what is encoded decodes to the same bytes,
 * and any damage a disk or a network can do to the CRC-covered part (a truncation, a flipped bit) is
 * caught by {@link RecordBatch#verify()}, which itself never throws on hostile bytes.
 */
class RecordBatchProperties {

  private static final long NOW = 1_700_000_000_000L;

  @Provide
  Arbitrary<List<Message>> messages() {
    Arbitrary<Buffer> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(Buffer::buffer);
    Arbitrary<String> headerNames = Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\ufffd').ofMaxLength(20),
        Arbitraries.of("trace-id", "𝄞 clef", "ключ", ""));
    Arbitrary<Header> header = Combinators.combine(headerNames, bytes).as(Header::new);
    Arbitrary<Message> message = Combinators.combine(bytes.injectNull(0.2), bytes.injectNull(0.2),
            header.list().ofMaxSize(4), Arbitraries.longs().between(-3, Long.MAX_VALUE))
        .as((k, v, hs, ts) -> Message.of(k, v).withHeaders(hs).withTimestamp(ts));
    return message.list().ofMinSize(1).ofMaxSize(20);
  }

  private static RecordBatch build(List<Message> ms) {
    return RecordBatch.builder().now(NOW).addAll(ms).build();
  }

  private static long expectedTimestamp(Message m) {
    return m.timestamp() >= 0 ? m.timestamp() : NOW;
  }

  /** The encoded size of one record, computed from the format description, not from the encoder. */
  private static int recordSize(Message m) {
    int size = RecordBatch.RECORD_OVERHEAD + (m.key() == null ? 0 : m.key().length())
        + (m.value() == null ? 0 : m.value().length());
    for (Header h : m.headers()) {
      size += 2 + h.name().getBytes(StandardCharsets.UTF_8).length + 4 + h.value().length();
    }
    return size;
  }

  @Property
  void messagesRoundTripExactly(@ForAll("messages") List<Message> ms,
                                @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long baseOffset,
                                @ForAll long producerId, @ForAll short epoch, @ForAll int sequence) {
    RecordBatch.Builder builder = RecordBatch.builder().now(NOW).producer(producerId, epoch, sequence).addAll(ms);
    int predicted = builder.sizeInBytes();
    RecordBatch batch = builder.build().assignBaseOffset(baseOffset);

    assertNull(batch.verify(), "a fresh batch verifies");
    assertEquals(predicted, batch.sizeInBytes(), "the builder predicts the size");
    int expectedSize = RecordBatch.HEADER_SIZE + ms.stream().mapToInt(RecordBatchProperties::recordSize).sum();
    assertEquals(expectedSize, batch.sizeInBytes(), "the size follows the documented format");
    assertEquals(ms.stream().mapToInt(RecordBatchProperties::recordSize).max().orElseThrow(), batch.largestRecordSize());
    for (Message m : ms) {
      assertTrue(RecordBatch.Builder.sizeOf(m) >= recordSize(m), "sizeOf is an upper bound");
    }
    assertEquals(ms.size(), batch.recordCount());
    assertEquals(baseOffset + ms.size() - 1, batch.lastOffset());
    assertEquals(expectedTimestamp(ms.get(0)), batch.firstTimestamp());
    assertEquals(ms.stream().mapToLong(RecordBatchProperties::expectedTimestamp).max().orElseThrow(), batch.maxTimestamp());
    assertEquals(producerId, batch.producerId());
    assertEquals(epoch, batch.producerEpoch());
    assertEquals(sequence, batch.baseSequence());
    assertEquals(batch.sizeInBytes(), RecordBatch.sizeAt(batch.buffer(), 0));

    // Decoding the same bytes received elsewhere (a copy, as over the wire) gives the messages back.
    RecordBatch received = RecordBatch.wrap(batch.buffer().copy());
    assertNull(received.verify());
    List<Record> records = received.toList();
    assertEquals(ms.size(), records.size());
    for (int i = 0; i < ms.size(); i++) {
      Message m = ms.get(i);
      Record r = records.get(i);
      assertEquals(baseOffset + i, r.offset());
      assertEquals(expectedTimestamp(m), r.timestamp());
      assertEquals(m.key(), r.key());
      assertEquals(m.value(), r.value());
      assertEquals(m.headers(), r.headers());
    }
  }

  @Property
  void aSubRangeDecodesExactlyThoseOffsets(@ForAll("messages") List<Message> ms, @ForAll @IntRange(max = 25) int from,
                                           @ForAll @IntRange(max = 25) int until) {
    RecordBatch batch = build(ms).assignBaseOffset(100);
    List<Long> offsets = new ArrayList<>();
    batch.records(3, 100 + from, 100 + until).forEachRemaining(r -> {
      assertEquals(3, r.partition());
      offsets.add(r.offset());
    });
    List<Long> expected = new ArrayList<>();
    for (long o = 100 + from; o < Math.min(100 + until, 100 + ms.size()); o++) {
      expected.add(o);
    }
    assertEquals(expected, offsets);
  }

  @Property
  void recordsOverSeveralBatchesDeliverExactlyTheirRange(@ForAll("messages") List<Message> a,
                                                        @ForAll("messages") List<Message> b,
                                                        @ForAll @IntRange(max = 40) int skipFront,
                                                        @ForAll @IntRange(max = 40) int skipBack) {
    RecordBatch first = build(a).assignBaseOffset(10);
    RecordBatch second = build(b).assignBaseOffset(10 + a.size());
    Buffer both = Buffer.buffer().appendBuffer(first.buffer()).appendBuffer(second.buffer());
    int total = a.size() + b.size();
    long from = 10 + Math.min(skipFront, a.size() - 1);
    long next = Math.max(from, 10 + total - Math.min(skipBack, total));
    Records rs = Records.of(both, from, next);
    List<Record> got = rs.toList();
    assertEquals(next - from, got.size());
    for (int i = 0; i < got.size(); i++) {
      assertEquals(from + i, got.get(i).offset());
    }
    assertEquals(rs.isEmpty() ? 0 : 2, rs.batches().size(), "a non-empty answer hands out its whole batches");
  }

  @Property
  void anyTruncationIsDetected(@ForAll("messages") List<Message> ms, @ForAll @IntRange(min = 0) int cutSeed) {
    Buffer whole = build(ms).buffer();
    int cut = cutSeed % whole.length();
    Buffer torn = whole.getBuffer(0, cut);
    assertThrows(InvalidArgumentException.class, () -> RecordBatch.wrap(torn), "framing catches a torn batch");
    int announced = RecordBatch.sizeAt(torn, 0);
    assertTrue(announced == -1 || announced > torn.length(), "a reader sees the batch is incomplete");
    if (cut >= RecordBatch.HEADER_SIZE) {
      // A torn tail whose length field was rewritten to match: only the CRC and the framing can tell.
      Buffer relabelled = torn.copy();
      relabelled.setInt(RecordBatch.LENGTH_POS, cut - RecordBatch.LOG_OVERHEAD);
      assertNotNull(RecordBatch.wrap(relabelled).verify(), "verify() catches a truncation at " + cut);
    }
  }

  @Property
  void anySingleBitFlipInTheCoveredPartIsDetected(@ForAll("messages") List<Message> ms,
                                                  @ForAll @IntRange(min = 0) int posSeed,
                                                  @ForAll @IntRange(max = 7) int bit) {
    Buffer bytes = build(ms).buffer().copy();
    int pos = RecordBatch.CRC_POS + posSeed % (bytes.length() - RecordBatch.CRC_POS);
    bytes.setByte(pos, (byte) (bytes.getByte(pos) ^ (1 << bit)));
    assertNotNull(RecordBatch.wrap(bytes).verify(), "flip of bit " + bit + " at " + pos + " of " + bytes.length());
  }

  @Property
  void theBaseOffsetIsOutsideTheCrcAndTheFramingGuardsTheRest(@ForAll("messages") List<Message> ms,
                                                              @ForAll @IntRange(max = 12 * 8 - 1) int bitSeed) {
    Buffer bytes = build(ms).buffer().copy();
    int pos = bitSeed / 8;
    bytes.setByte(pos, (byte) (bytes.getByte(pos) ^ (1 << (bitSeed % 8))));
    if (pos < RecordBatch.LENGTH_POS) {
      assertNull(RecordBatch.wrap(bytes).verify(), "the log rewrites offsets without touching the CRC");
    } else {
      assertThrows(InvalidArgumentException.class, () -> RecordBatch.wrap(bytes), "length or magic damage at " + pos);
    }
  }

  /**
   * Damage with a CRC that matches anyway (a buggy or hostile writer): verify() must never throw, and a
   * batch it accepts must decode without errors.
   */
  @Property
  void verifyNeverThrowsAndWhatItAcceptsDecodes(@ForAll("messages") List<Message> ms,
                                                @ForAll("damage") List<int[]> damage) {
    Buffer bytes = build(ms).buffer().copy();
    int span = bytes.length() - RecordBatch.ATTRIBUTES_POS;
    for (int[] d : damage) {
      int pos = RecordBatch.ATTRIBUTES_POS + d[0] % span;
      bytes.setByte(pos, (byte) d[1]);
    }
    RecordBatch batch = RecordBatch.wrap(bytes);
    bytes.setInt(RecordBatch.CRC_POS, batch.computeCrc());
    String verdict = batch.verify();
    if (verdict == null) {
      List<Record> records = batch.toList();
      assertEquals(batch.recordCount(), records.size());
      assertTrue(batch.largestRecordSize() <= batch.sizeInBytes());
    }
  }

  @Provide
  Arbitrary<List<int[]>> damage() {
    Arbitrary<int[]> one = Combinators.combine(Arbitraries.integers().greaterOrEqual(0),
        Arbitraries.oneOf(Arbitraries.integers().between(-128, 127), Arbitraries.of(0, -1, 127, -128, 0x7f, 1)))
        .as((pos, value) -> new int[] {pos, value});
    return one.list().ofMinSize(1).ofMaxSize(3);
  }
}
