package io.sluice.topic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.NotFoundException;
import io.sluice.api.OffsetOutOfRangeException;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.RecordTooLargeException;
import io.sluice.api.SluiceException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class CodecsTest {

  @Test
  void batchCrossesTheWireByteForByteAndLocallyWithoutCopy() {
    RecordBatch batch = RecordBatch.builder().producer(5, (short) 1, 9).add(Message.of("k", "v")).add(Message.of("w")).build();
    Codecs.BatchCodec codec = new Codecs.BatchCodec();
    Buffer wire = Buffer.buffer().appendString("prefix");
    codec.encodeToWire(wire, batch);
    RecordBatch back = codec.decodeFromWire(6, wire);
    assertEquals(batch.buffer(), back.buffer());
    assertEquals(null, back.verify());
    assertEquals(9, back.baseSequence());
    assertSame(batch, codec.transform(batch));
  }

  @Test
  void recordsCrossTheWire() {
    RecordBatch batch = RecordBatch.of(Message.of("a"), Message.of("b"), Message.of("c"));
    batch.assignBaseOffset(40);
    Records records = Records.of(batch.buffer(), 41, 43).forPartition(3);
    Codecs.RecordsCodec codec = new Codecs.RecordsCodec();
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, records);
    Records back = codec.decodeFromWire(0, wire);
    assertEquals(3, back.partition());
    assertEquals(41, back.fromOffset());
    assertEquals(43, back.nextOffset());
    assertEquals(List.of("b", "c"), back.toList().stream().map(r -> r.valueAsString()).toList());
    assertEquals(3, back.toList().get(0).partition());
    Records empty = codec.decodeFromWire(0, encoded(codec, Records.empty(7).forPartition(1)));
    assertEquals(7, empty.nextOffset());
  }

  private static Buffer encoded(Codecs.RecordsCodec codec, Records r) {
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, r);
    return b;
  }

  @Test
  void typedErrorsSurviveTheBus(Vertx vertx) throws Exception {
    List<SluiceException> errors = List.of(new OffsetOutOfRangeException("t-0", 99, 10, 50),
        new NotFoundException(ErrorCode.UNKNOWN_TOPIC, "unknown topic 'x'"), new RecordTooLargeException("too big"),
        new SluiceException(ErrorCode.ILLEGAL_GENERATION, "stale"));
    for (SluiceException sent : errors) {
      var consumer = vertx.eventBus().consumer("errors", m -> BusErrors.fail(m, sent));
      consumer.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      Throwable raw = vertx.eventBus().request("errors", "x").toCompletionStage().handle((r, e) -> e).toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      SluiceException got = BusErrors.fromBus(raw instanceof java.util.concurrent.CompletionException c ? c.getCause() : raw);
      assertEquals(sent.code(), got.code());
      assertEquals(sent.getClass(), got.getClass());
      assertEquals(sent.getMessage(), got.getMessage());
      if (sent instanceof OffsetOutOfRangeException o) {
        OffsetOutOfRangeException b = assertInstanceOf(OffsetOutOfRangeException.class, got);
        assertEquals(o.startOffset(), b.startOffset());
        assertEquals(o.endOffset(), b.endOffset());
        assertEquals(o.requested(), b.requested());
      }
      consumer.unregister().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }
}
