package io.sluice.topic.internal;

import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Event-bus codecs for the binary payloads: a {@link RecordBatch} (produce) and {@link Records} (fetch
 * answers). On the local bus {@code transform} hands the same object over (no copy); on a clustered bus
 * the batch bytes go on the wire as they are, since the batch format is already the wire format.
 */
public final class Codecs {

  private Codecs() {
  }

  /** Registers the codecs as defaults for their types, once per Vert.x instance. */
  public static void register(Vertx vertx) {
    synchronized (Codecs.class) {
      try {
        vertx.eventBus().registerDefaultCodec(RecordBatch.class, new BatchCodec());
      } catch (IllegalStateException alreadyRegistered) {
        // An earlier Topics on this Vert.x registered it; codecs are stateless.
      }
      try {
        vertx.eventBus().registerDefaultCodec(Records.class, new RecordsCodec());
      } catch (IllegalStateException alreadyRegistered) {
        // As above.
      }
    }
  }

  static final class BatchCodec implements MessageCodec<RecordBatch, RecordBatch> {

    @Override
    public void encodeToWire(Buffer buffer, RecordBatch batch) {
      buffer.appendInt(batch.sizeInBytes()).appendBuffer(batch.buffer());
    }

    @Override
    public RecordBatch decodeFromWire(int pos, Buffer buffer) {
      int len = buffer.getInt(pos);
      return RecordBatch.wrap(buffer.getBuffer(pos + 4, pos + 4 + len));
    }

    @Override
    public RecordBatch transform(RecordBatch batch) {
      return batch;
    }

    @Override
    public String name() {
      return "sluice.batch";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  static final class RecordsCodec implements MessageCodec<Records, Records> {

    @Override
    public void encodeToWire(Buffer buffer, Records records) {
      buffer.appendInt(records.partition()).appendLong(records.fromOffset()).appendLong(records.nextOffset())
          .appendInt(records.sizeInBytes()).appendBuffer(records.encoded());
    }

    @Override
    public Records decodeFromWire(int pos, Buffer buffer) {
      int partition = buffer.getInt(pos);
      long from = buffer.getLong(pos + 4);
      long next = buffer.getLong(pos + 12);
      int len = buffer.getInt(pos + 20);
      Buffer bytes = buffer.getBuffer(pos + 24, pos + 24 + len);
      return Records.of(bytes, from, next).forPartition(partition);
    }

    @Override
    public Records transform(Records records) {
      return records;
    }

    @Override
    public String name() {
      return "sluice.records";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
