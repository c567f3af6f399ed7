package io.sluice.queue.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sluice.api.Header;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.queue.AckMode;
import io.sluice.queue.internal.Wire.DeliveryBatch;
import io.sluice.queue.internal.Wire.DeliveryFrame;
import io.sluice.queue.internal.Wire.ReceiveRequest;
import io.sluice.queue.internal.Wire.SendReply;
import io.sluice.queue.internal.Wire.SendRequest;
import io.sluice.queue.internal.Wire.SettleRequest;
import io.sluice.queue.internal.Wire.SubscriberCommand;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event-bus codecs: the wire form (for a clustered bus) decodes to what was encoded; the local form is the object itself. */
class WireTest {

  /** Encodes after some unrelated bytes, as the bus does, and decodes from that position. */
  private static <T> T roundTrip(Class<T> type, T message) {
    MessageCodec<T, T> codec = Wire.codec(type);
    assertSame(message, codec.transform(message));
    Buffer wire = Buffer.buffer().appendString("bus-frame-");
    int pos = wire.length();
    codec.encodeToWire(wire, message);
    wire.appendString("-trailer");
    return codec.decodeFromWire(pos, wire);
  }

  @Test
  void sendRequestAndReply() {
    RecordBatch batch = RecordBatch.of(Message.of("k", "v").withHeader("h", "1"), Message.of((String) null));
    SendRequest back = roundTrip(SendRequest.class, new SendRequest(batch));
    assertEquals(batch.buffer(), back.batch().buffer());
    assertNull(back.batch().verify());
    assertArrayEquals(new long[] {3, 4, 9}, roundTrip(SendReply.class, new SendReply(new long[] {3, 4, 9})).ids());
  }

  @Test
  void settleReceiveAndSubscriberCommands() {
    SettleRequest s = roundTrip(SettleRequest.class, new SettleRequest(Wire.NACK, 250, new long[] {1, 7}, new long[] {-5, 42}));
    assertEquals(Wire.NACK, s.kind());
    assertEquals(250, s.arg());
    assertArrayEquals(new long[] {1, 7}, s.offsets());
    assertArrayEquals(new long[] {-5, 42}, s.tokens());
    assertEquals(new ReceiveRequest(10, 2000, 0), roundTrip(ReceiveRequest.class, new ReceiveRequest(10, 2000, 0)));
    SubscriberCommand c = new SubscriberCommand(Wire.SUBSCRIBE, "id-1", "addr:c:1", AckMode.AUTO, 64, 5000, 0);
    assertEquals(c, roundTrip(SubscriberCommand.class, c));
    SubscriberCommand credit = new SubscriberCommand(Wire.CREDIT, "id-1", null, null, 0, 0, 16);
    assertEquals(credit, roundTrip(SubscriberCommand.class, credit));
  }

  @Test
  void deliveryBatchCarriesRecordsAndLeases() {
    Record r1 = new Record(-1, 5, 1000, Buffer.buffer("key"), Buffer.buffer("value"),
        List.of(new Header("a", Buffer.buffer("1")), new Header("é", Buffer.buffer(new byte[] {0, 1}))));
    Record r2 = new Record(-1, 6, 1001, null, null, List.of());
    DeliveryBatch batch = new DeliveryBatch("orders", false, List.of(
        new DeliveryFrame(5, 77, 2, 900, 31_000, r1), new DeliveryFrame(6, 0, 1, 950, 0, r2)));
    DeliveryBatch back = roundTrip(DeliveryBatch.class, batch);
    assertEquals("orders", back.queue());
    assertEquals(2, back.frames().size());
    DeliveryFrame f = back.frames().get(0);
    assertEquals(List.of(5L, 77L, 2, 900L, 31_000L), List.of(f.offset(), f.token(), f.deliveryCount(), f.firstDeliveredAt(),
        f.leaseExpiresAt()));
    assertEquals(5, f.record().offset());
    assertEquals(1000, f.record().timestamp());
    assertEquals("key", f.record().keyAsString());
    assertEquals("value", f.record().valueAsString());
    assertEquals(r1.headers(), f.record().headers());
    Record b2 = back.frames().get(1).record();
    assertNull(b2.key());
    assertNull(b2.value());
    assertEquals(List.of(), b2.headers());
    assertEquals(true, roundTrip(DeliveryBatch.class, new DeliveryBatch("q", true, List.of())).end());
  }
}
