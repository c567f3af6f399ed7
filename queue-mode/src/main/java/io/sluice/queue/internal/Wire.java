package io.sluice.queue.internal;

import io.sluice.api.Header;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.queue.AckMode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The messages between queue clients and queue owners on the event bus, and their codecs.
 *
 * <p>On the local bus a codec's {@code transform} hands the same object over (no copy: a send's batch
 * buffer becomes the appended batch); {@code encodeToWire}/{@code decodeFromWire} are a compact
 * binary form for a clustered bus. Every encoding starts with its length so it can be framed inside
 * the bus's own buffer.
 */
final class Wire {

  private Wire() {
  }

  /** A batch of messages to enqueue. The owner takes ownership of the batch buffer. */
  record SendRequest(RecordBatch batch) {
  }

  /** The id of every message of a send, in order. */
  record SendReply(long[] ids) {
  }

  static final byte ACK = 1;
  static final byte NACK = 2;
  static final byte EXTEND = 3;

  /** Settles leases: {@code arg} is the nack delay or the extension in ms. */
  record SettleRequest(byte kind, long arg, long[] offsets, long[] tokens) {
  }

  /** A pull: up to {@code max} deliveries, waiting up to {@code waitMs}. */
  record ReceiveRequest(int max, long waitMs, long visibilityMs) {
  }

  static final byte SUBSCRIBE = 1;
  static final byte CREDIT = 2;
  static final byte UNSUBSCRIBE = 3;
  static final byte RENEW = 4;

  /**
   * Push consumer control: subscribe (with its address and prefetch; again with the same id: the credit is
   * reset to the one sent), more credit, unsubscribe, and renew: "do you still serve me?", answered true or
   * false, by which a consumer in a cluster finds that its queue's owner moved.
   */
  record SubscriberCommand(byte kind, String id, String address, AckMode mode, int prefetch, long visibilityMs,
      int credit) {
  }

  /** One delivery; {@code token} is 0 for AUTO deliveries. */
  record DeliveryFrame(long offset, long token, int deliveryCount, long firstDeliveredAt, long leaseExpiresAt,
      Record record) {
  }

  /** Deliveries for a consumer or a pull; {@code end} tells a consumer its queue is gone. */
  record DeliveryBatch(String queue, boolean end, List<DeliveryFrame> frames) {
  }

  private static final Map<Class<?>, Codec<?>> CODECS = new LinkedHashMap<>();

  static {
    define(SendRequest.class, (b, m) -> writeBytes(b, m.batch().buffer()),
        r -> new SendRequest(RecordBatch.wrap(r.bytes())));
    define(SendReply.class, (b, m) -> {
      b.appendInt(m.ids().length);
      for (long id : m.ids()) {
        b.appendLong(id);
      }
    }, r -> {
      long[] ids = new long[r.i32()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = r.i64();
      }
      return new SendReply(ids);
    });
    define(SettleRequest.class, (b, m) -> {
      b.appendByte(m.kind()).appendLong(m.arg()).appendInt(m.offsets().length);
      for (int i = 0; i < m.offsets().length; i++) {
        b.appendLong(m.offsets()[i]).appendLong(m.tokens()[i]);
      }
    }, r -> {
      byte kind = r.i8();
      long arg = r.i64();
      int n = r.i32();
      long[] offsets = new long[n];
      long[] tokens = new long[n];
      for (int i = 0; i < n; i++) {
        offsets[i] = r.i64();
        tokens[i] = r.i64();
      }
      return new SettleRequest(kind, arg, offsets, tokens);
    });
    define(ReceiveRequest.class, (b, m) -> b.appendInt(m.max()).appendLong(m.waitMs()).appendLong(m.visibilityMs()),
        r -> new ReceiveRequest(r.i32(), r.i64(), r.i64()));
    define(SubscriberCommand.class, (b, m) -> {
      b.appendByte(m.kind());
      writeString(b, m.id());
      writeString(b, m.address());
      b.appendByte((byte) (m.mode() == null ? -1 : m.mode().ordinal())).appendInt(m.prefetch())
          .appendLong(m.visibilityMs()).appendInt(m.credit());
    }, r -> {
      byte kind = r.i8();
      String id = r.string();
      String address = r.string();
      byte mode = r.i8();
      return new SubscriberCommand(kind, id, address, mode < 0 ? null : AckMode.values()[mode], r.i32(), r.i64(), r.i32());
    });
    define(DeliveryBatch.class, (b, m) -> {
      writeString(b, m.queue());
      b.appendByte((byte) (m.end() ? 1 : 0)).appendInt(m.frames().size());
      for (DeliveryFrame f : m.frames()) {
        b.appendLong(f.offset()).appendLong(f.token()).appendInt(f.deliveryCount()).appendLong(f.firstDeliveredAt())
            .appendLong(f.leaseExpiresAt());
        writeRecord(b, f.record());
      }
    }, r -> {
      String queue = r.string();
      boolean end = r.i8() == 1;
      int n = r.i32();
      List<DeliveryFrame> frames = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long offset = r.i64();
        frames.add(new DeliveryFrame(offset, r.i64(), r.i32(), r.i64(), r.i64(), readRecord(r, offset)));
      }
      return new DeliveryBatch(queue, end, frames);
    });
  }

  private static <T> void define(Class<T> type, BiConsumer<Buffer, T> encoder, Function<Reader, T> decoder) {
    CODECS.put(type, new Codec<>(type, encoder, decoder));
  }

  /** The codec of a message type. */
  @SuppressWarnings("unchecked") // CODECS maps each class to a codec of that class, by construction in define()
  static <T> MessageCodec<T, T> codec(Class<T> type) {
    return (MessageCodec<T, T>) CODECS.get(type);
  }

  /** Registers the codecs as default codecs of their types, once per Vert.x instance. */
  static void registerCodecs(Vertx vertx) {
    for (Class<?> type : CODECS.keySet()) {
      registerOne(vertx, type);
    }
  }

  private static <T> void registerOne(Vertx vertx, Class<T> type) {
    try {
      vertx.eventBus().registerDefaultCodec(type, codec(type));
    } catch (IllegalStateException alreadyRegistered) {
      // Another Queues on this Vert.x registered it; codecs are stateless, so sharing is fine.
    }
  }

  private static void writeRecord(Buffer b, Record r) {
    b.appendLong(r.timestamp());
    writeBytes(b, r.key());
    writeBytes(b, r.value());
    b.appendShort((short) r.headers().size());
    for (Header h : r.headers()) {
      writeString(b, h.name());
      writeBytes(b, h.value());
    }
  }

  private static Record readRecord(Reader r, long offset) {
    long timestamp = r.i64();
    Buffer key = r.bytes();
    Buffer value = r.bytes();
    int n = r.i16();
    List<Header> headers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      headers.add(new Header(r.string(), r.bytes()));
    }
    return new Record(-1, offset, timestamp, key, value, List.copyOf(headers));
  }

  private static void writeBytes(Buffer b, Buffer bytes) {
    if (bytes == null) {
      b.appendInt(-1);
    } else {
      b.appendInt(bytes.length()).appendBuffer(bytes);
    }
  }

  private static void writeString(Buffer b, String s) {
    if (s == null) {
      b.appendInt(-1);
    } else {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      b.appendInt(bytes.length).appendBytes(bytes);
    }
  }

  /** Reads fields in order from a position of a buffer. */
  static final class Reader {
    private final Buffer buf;
    private int pos;

    Reader(Buffer buf, int pos) {
      this.buf = buf;
      this.pos = pos;
    }

    byte i8() {
      return buf.getByte(pos++);
    }

    short i16() {
      short v = buf.getShort(pos);
      pos += 2;
      return v;
    }

    int i32() {
      int v = buf.getInt(pos);
      pos += 4;
      return v;
    }

    long i64() {
      long v = buf.getLong(pos);
      pos += 8;
      return v;
    }

    Buffer bytes() {
      int len = i32();
      if (len < 0) {
        return null;
      }
      Buffer b = buf.getBuffer(pos, pos + len);
      pos += len;
      return b;
    }

    String string() {
      int len = i32();
      if (len < 0) {
        return null;
      }
      String s = buf.getString(pos, pos + len, "UTF-8");
      pos += len;
      return s;
    }
  }

  private static final class Codec<T> implements MessageCodec<T, T> {
    private final Class<T> type;
    private final BiConsumer<Buffer, T> encoder;
    private final Function<Reader, T> decoder;

    Codec(Class<T> type, BiConsumer<Buffer, T> encoder, Function<Reader, T> decoder) {
      this.type = type;
      this.encoder = encoder;
      this.decoder = decoder;
    }

    @Override
    public void encodeToWire(Buffer buffer, T message) {
      int start = buffer.length();
      buffer.appendInt(0);
      encoder.accept(buffer, message);
      buffer.setInt(start, buffer.length() - start - 4);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      return decoder.apply(new Reader(buffer, pos + 4));
    }

    @Override
    public T transform(T message) {
      return message;
    }

    @Override
    public String name() {
      return "sluice.queue." + type.getSimpleName();
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
