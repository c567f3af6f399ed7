package io.sluice.api;

import io.sluice.api.internal.Buffers;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One encoded batch of records: the unit that producers send, stores append and fsync, replicas copy
 * and the event bus carries. The same bytes are used on the wire and on disk, so a batch is never
 * re-encoded between a producer and a consumer.
 *
 * <h2>Format, version 1 (all integers big-endian)</h2>
 * <pre>
 *  0  int64  baseOffset       offset of the first record; assigned by the log on append
 *  8  int32  length           bytes after this field (so a batch is 12 + length bytes)
 * 12  int8   magic            = 1
 * 13  int32  crc              CRC32C of bytes 17 .. end (attributes to the last record)
 * 17  int16  attributes       reserved, 0 (compression and transaction bits later)
 * 19  int32  recordCount      &gt; 0; record i has offset baseOffset + i
 * 23  int64  firstTimestamp   timestamp of record 0
 * 31  int64  maxTimestamp     largest record timestamp in the batch
 * 39  int64  producerId       -1 when the producer is not idempotent
 * 47  int16  producerEpoch
 * 49  int32  baseSequence     producer sequence of record 0, -1 when not idempotent
 * 53  records, each:
 *       int32  recordLength   bytes after this field
 *       int64  timestamp
 *       int32  keyLength      -1 for no key
 *       bytes  key
 *       int32  valueLength    -1 for a null value (tombstone)
 *       bytes  value
 *       int16  headerCount
 *       per header: int16 nameLength, UTF-8 name, int32 valueLength, bytes value
 * </pre>
 * The CRC leaves out baseOffset and length (like Kafka's) so the log can assign offsets without
 * recomputing it.
 *
 * <p>Thread contract: a batch is a view over one {@link Buffer}; it is not thread-safe while being
 * mutated ({@link #assignBaseOffset}), and is safe to read concurrently afterwards. A log takes
 * ownership of a batch given to {@code append}: do not change its buffer afterwards.
 */
public final class RecordBatch implements Iterable<Record> {

  public static final byte MAGIC = 1;
  public static final int BASE_OFFSET_POS = 0;
  public static final int LENGTH_POS = 8;
  public static final int MAGIC_POS = 12;
  public static final int CRC_POS = 13;
  public static final int ATTRIBUTES_POS = 17;
  public static final int RECORD_COUNT_POS = 19;
  public static final int FIRST_TIMESTAMP_POS = 23;
  public static final int MAX_TIMESTAMP_POS = 31;
  public static final int PRODUCER_ID_POS = 39;
  public static final int PRODUCER_EPOCH_POS = 47;
  public static final int BASE_SEQUENCE_POS = 49;
  /** Size of the batch header; records start here. */
  public static final int HEADER_SIZE = 53;
  /** baseOffset and length: the bytes before the length-counted part. */
  public static final int LOG_OVERHEAD = 12;
  /** Fixed bytes per record besides key, value and headers. */
  public static final int RECORD_OVERHEAD = 22;
  public static final long NO_PRODUCER_ID = -1L;
  public static final int NO_SEQUENCE = -1;

  private final Buffer buffer;

  private RecordBatch(Buffer buffer) {
    this.buffer = buffer;
  }

  /** Encodes messages into a batch, stamping unset timestamps with the current time. */
  public static RecordBatch of(List<Message> messages) {
    Builder b = builder();
    for (Message m : messages) {
      b.add(m);
    }
    return b.build();
  }

  public static RecordBatch of(Message... messages) {
    return of(List.of(messages));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Wraps bytes holding exactly one batch, checking the framing (length and magic) but not the CRC;
   * call {@link #verify()} for that.
   *
   * @throws InvalidArgumentException if the bytes are not one batch
   */
  public static RecordBatch wrap(Buffer buffer) {
    if (buffer == null || buffer.length() < HEADER_SIZE) {
      throw new InvalidArgumentException("not a record batch: " + (buffer == null ? "null" : buffer.length() + " bytes"));
    }
    int length = buffer.getInt(LENGTH_POS);
    if (length != buffer.length() - LOG_OVERHEAD) {
      throw new InvalidArgumentException("record batch length field " + length + " does not match "
          + (buffer.length() - LOG_OVERHEAD) + " bytes");
    }
    if (buffer.getByte(MAGIC_POS) != MAGIC) {
      throw new InvalidArgumentException("unsupported record batch version " + buffer.getByte(MAGIC_POS));
    }
    return new RecordBatch(buffer);
  }

  /**
   * Joins consecutive batches of one idempotent producer into one batch: the first batch's header
   * (producer id, epoch, base sequence), every record in order, the count, the largest timestamp and
   * the CRC recomputed. A partition owner uses it to append a producer's pipelined batches all at once,
   * so they are stored (or refused) together and can never be stored out of their order. A single batch
   * is returned as it is.
   *
   * @throws InvalidArgumentException if the list is empty, mixes producers, or its sequences are not
   *     consecutive
   */
  public static RecordBatch concat(List<RecordBatch> batches) {
    if (batches.isEmpty()) {
      throw new InvalidArgumentException("nothing to join: no batches");
    }
    RecordBatch first = batches.get(0);
    if (batches.size() == 1) {
      return first;
    }
    int size = HEADER_SIZE;
    int count = 0;
    long max = Long.MIN_VALUE;
    long expected = first.baseSequence();
    for (RecordBatch b : batches) {
      if (b.producerId() != first.producerId() || b.producerEpoch() != first.producerEpoch() || b.baseSequence() != expected) {
        throw new InvalidArgumentException("only consecutive batches of one producer can be joined: " + b
            + " does not follow sequence " + expected + " of producer " + first.producerId());
      }
      expected = (expected + b.recordCount()) % (1L << 31);
      size += b.sizeInBytes() - HEADER_SIZE;
      count += b.recordCount();
      max = Math.max(max, b.maxTimestamp());
    }
    Buffer buf = Buffer.buffer(size);
    buf.appendBuffer(first.buffer, 0, HEADER_SIZE);
    for (RecordBatch b : batches) {
      buf.appendBuffer(b.buffer, HEADER_SIZE, b.sizeInBytes() - HEADER_SIZE);
    }
    buf.setInt(LENGTH_POS, size - LOG_OVERHEAD).setInt(RECORD_COUNT_POS, count).setLong(MAX_TIMESTAMP_POS, max);
    RecordBatch joined = new RecordBatch(buf);
    buf.setInt(CRC_POS, joined.computeCrc());
    return joined;
  }

  /**
   * The size of the batch that starts at {@code position} in {@code bytes}, read from its length field,
   * or -1 if fewer than {@link #LOG_OVERHEAD} bytes are left. Does not check that the bytes are all there.
   */
  public static int sizeAt(Buffer bytes, int position) {
    if (bytes.length() - position < LOG_OVERHEAD) {
      return -1;
    }
    return LOG_OVERHEAD + bytes.getInt(position + LENGTH_POS);
  }

  public Buffer buffer() {
    return buffer;
  }

  public int sizeInBytes() {
    return buffer.length();
  }

  public long baseOffset() {
    return buffer.getLong(BASE_OFFSET_POS);
  }

  /** Offset of the last record. */
  public long lastOffset() {
    return baseOffset() + recordCount() - 1;
  }

  /** Sets the base offset in place; the log calls this when it appends the batch. */
  public RecordBatch assignBaseOffset(long baseOffset) {
    buffer.setLong(BASE_OFFSET_POS, baseOffset);
    return this;
  }

  public int recordCount() {
    return buffer.getInt(RECORD_COUNT_POS);
  }

  public long firstTimestamp() {
    return buffer.getLong(FIRST_TIMESTAMP_POS);
  }

  public long maxTimestamp() {
    return buffer.getLong(MAX_TIMESTAMP_POS);
  }

  public long producerId() {
    return buffer.getLong(PRODUCER_ID_POS);
  }

  public short producerEpoch() {
    return buffer.getShort(PRODUCER_EPOCH_POS);
  }

  public int baseSequence() {
    return buffer.getInt(BASE_SEQUENCE_POS);
  }

  public int crc() {
    return buffer.getInt(CRC_POS);
  }

  public int computeCrc() {
    return Buffers.crc32c(buffer, ATTRIBUTES_POS, buffer.length() - ATTRIBUTES_POS);
  }

  /**
   * Checks the CRC and that every record is framed inside the batch. Call on bytes from an untrusted
   * source (the network, the disk after a crash) before trusting them.
   *
   * @return null when the batch is whole, otherwise why it is not
   */
  public String verify() {
    if (crc() != computeCrc()) {
      return "CRC mismatch";
    }
    int count = recordCount();
    if (count <= 0) {
      return "record count " + count;
    }
    int pos = HEADER_SIZE;
    int end = buffer.length();
    for (int i = 0; i < count; i++) {
      if (end - pos < 4) {
        return "record " + i + " truncated";
      }
      int len = buffer.getInt(pos);
      if (len < RECORD_OVERHEAD - 4 || len > end - pos - 4) {
        return "record " + i + " has bad length " + len;
      }
      String inner = verifyRecord(pos + 4, pos + 4 + len);
      if (inner != null) {
        return "record " + i + ": " + inner;
      }
      pos += 4 + len;
    }
    return pos == end ? null : (end - pos) + " trailing bytes after the last record";
  }

  private String verifyRecord(int pos, int end) {
    pos += 8;
    int keyLen = buffer.getInt(pos);
    pos += 4;
    if (keyLen < -1 || keyLen > end - pos) {
      return "bad key length " + keyLen;
    }
    pos += Math.max(0, keyLen);
    if (end - pos < 4) {
      return "truncated value length";
    }
    int valueLen = buffer.getInt(pos);
    pos += 4;
    if (valueLen < -1 || valueLen > end - pos) {
      return "bad value length " + valueLen;
    }
    pos += Math.max(0, valueLen);
    if (end - pos < 2) {
      return "truncated header count";
    }
    int headers = buffer.getShort(pos);
    pos += 2;
    if (headers < 0) {
      return "bad header count " + headers;
    }
    for (int h = 0; h < headers; h++) {
      if (end - pos < 2) {
        return "truncated header";
      }
      int nameLen = buffer.getShort(pos);
      pos += 2;
      if (nameLen < 0 || nameLen > end - pos - 4) {
        return "bad header name length " + nameLen;
      }
      pos += nameLen;
      int hLen = buffer.getInt(pos);
      pos += 4;
      if (hLen < 0 || hLen > end - pos) {
        return "bad header value length " + hLen;
      }
      pos += hLen;
    }
    return pos == end ? null : "record length does not match its fields";
  }

  /** The size in bytes of the largest record (its length field plus 4). */
  public int largestRecordSize() {
    int max = 0;
    int pos = HEADER_SIZE;
    int count = recordCount();
    for (int i = 0; i < count; i++) {
      int size = 4 + buffer.getInt(pos);
      max = Math.max(max, size);
      pos += size;
    }
    return max;
  }

  /** Decodes every record, with partition -1. */
  @Override
  public Iterator<Record> iterator() {
    return records(-1, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** Decodes the records with offsets in {@code [fromOffset, untilOffset)}, tagged with {@code partition}. */
  public Iterator<Record> records(int partition, long fromOffset, long untilOffset) {
    return new RecordIterator(partition, fromOffset, untilOffset);
  }

  public List<Record> toList() {
    List<Record> out = new ArrayList<>(recordCount());
    iterator().forEachRemaining(out::add);
    return out;
  }

  @Override
  public String toString() {
    return "RecordBatch{baseOffset=" + baseOffset() + ", records=" + recordCount() + ", bytes=" + sizeInBytes() + "}";
  }

  /**
   * Reads the record fields through one NIO view of the batch (absolute gets, big-endian like the format):
   * reading them from the Netty buffer checked its reference count on every field, a quarter of a node's CPU
   * when it served reads.
   */
  private final class RecordIterator implements Iterator<Record> {
    private final int partition;
    private final long until;
    private final int count;
    private final long base;
    private final java.nio.ByteBuffer view;
    private int index;
    private int pos = HEADER_SIZE;

    RecordIterator(int partition, long from, long until) {
      this.partition = partition;
      this.until = until;
      this.view = Buffers.nio(buffer);
      this.count = view.getInt(RECORD_COUNT_POS);
      this.base = view.getLong(BASE_OFFSET_POS);
      while (index < count && base + index < from) {
        pos += 4 + view.getInt(pos);
        index++;
      }
    }

    @Override
    public boolean hasNext() {
      return index < count && base + index < until;
    }

    @Override
    public Record next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int p = pos + 4;
      long timestamp = view.getLong(p);
      p += 8;
      int keyLen = view.getInt(p);
      p += 4;
      Buffer key = keyLen < 0 ? null : buffer.slice(p, p + keyLen);
      p += Math.max(0, keyLen);
      int valueLen = view.getInt(p);
      p += 4;
      Buffer value = valueLen < 0 ? null : buffer.slice(p, p + valueLen);
      p += Math.max(0, valueLen);
      int headerCount = view.getShort(p);
      p += 2;
      List<Header> headers;
      if (headerCount == 0) {
        headers = List.of();
      } else {
        Header[] hs = new Header[headerCount];
        for (int h = 0; h < headerCount; h++) {
          int nameLen = view.getShort(p);
          p += 2;
          String name = buffer.getString(p, p + nameLen, "UTF-8");
          p += nameLen;
          int hLen = view.getInt(p);
          p += 4;
          hs[h] = new Header(name, buffer.slice(p, p + hLen));
          p += hLen;
        }
        headers = List.of(hs);
      }
      Record r = new Record(partition, base + index, timestamp, key, value, headers);
      pos += 4 + view.getInt(pos);
      index++;
      return r;
    }
  }


  /**
   * Builds a batch from messages. Not thread-safe. Sizes are computed as messages are added, so
   * {@link #sizeInBytes()} can drive a producer's batch-size limit before building.
   */
  public static final class Builder {
    private final List<Message> messages = new ArrayList<>();
    private final List<byte[][]> headerNames = new ArrayList<>();
    private int size = HEADER_SIZE;
    private long producerId = NO_PRODUCER_ID;
    private short producerEpoch;
    private int baseSequence = NO_SEQUENCE;
    private long now = -1;

    private Builder() {
    }

    /** Marks the batch as sent by an idempotent producer. */
    public Builder producer(long id, short epoch, int sequence) {
      this.producerId = id;
      this.producerEpoch = epoch;
      this.baseSequence = sequence;
      return this;
    }

    /** The time to stamp messages without a timestamp with; defaults to the clock at {@link #build()}. */
    public Builder now(long timestampMs) {
      this.now = timestampMs;
      return this;
    }

    public Builder add(Message m) {
      byte[][] names = new byte[m.headers().size()][];
      int recordSize = RECORD_OVERHEAD + len(m.key()) + len(m.value());
      for (int i = 0; i < names.length; i++) {
        Header h = m.headers().get(i);
        names[i] = h.name().getBytes(StandardCharsets.UTF_8);
        if (names[i].length > Short.MAX_VALUE) {
          throw new InvalidArgumentException("header name longer than " + Short.MAX_VALUE + " bytes");
        }
        recordSize += 2 + names[i].length + 4 + h.value().length();
      }
      if (names.length > Short.MAX_VALUE) {
        throw new InvalidArgumentException("more than " + Short.MAX_VALUE + " headers");
      }
      messages.add(m);
      headerNames.add(names);
      size += recordSize;
      return this;
    }

    public Builder addAll(List<Message> ms) {
      ms.forEach(this::add);
      return this;
    }

    public int recordCount() {
      return messages.size();
    }

    public boolean isEmpty() {
      return messages.isEmpty();
    }

    /** The size the batch will have. */
    public int sizeInBytes() {
      return size;
    }

    /** The size one message would add. */
    public static int sizeOf(Message m) {
      int s = RECORD_OVERHEAD + len(m.key()) + len(m.value());
      for (Header h : m.headers()) {
        s += 2 + h.name().length() * 3 + 4 + h.value().length();
      }
      return s;
    }

    private static int len(Buffer b) {
      return b == null ? 0 : b.length();
    }

    /** @throws InvalidArgumentException if no message was added */
    public RecordBatch build() {
      if (messages.isEmpty()) {
        throw new InvalidArgumentException("a record batch needs at least one message");
      }
      long stamp = now >= 0 ? now : System.currentTimeMillis();
      Buffer buf = Buffer.buffer(size);
      buf.appendLong(0L).appendInt(size - LOG_OVERHEAD).appendByte(MAGIC).appendInt(0).appendShort((short) 0)
          .appendInt(messages.size()).appendLong(0L).appendLong(0L)
          .appendLong(producerId).appendShort(producerEpoch).appendInt(baseSequence);
      long first = 0;
      long max = Long.MIN_VALUE;
      for (int i = 0; i < messages.size(); i++) {
        Message m = messages.get(i);
        byte[][] names = headerNames.get(i);
        long ts = m.timestamp() >= 0 ? m.timestamp() : stamp;
        if (i == 0) {
          first = ts;
        }
        max = Math.max(max, ts);
        int start = buf.length();
        buf.appendInt(0).appendLong(ts);
        appendBytes(buf, m.key());
        appendBytes(buf, m.value());
        buf.appendShort((short) names.length);
        for (int h = 0; h < names.length; h++) {
          Buffer hv = m.headers().get(h).value();
          buf.appendShort((short) names[h].length).appendBytes(names[h]).appendInt(hv.length()).appendBuffer(hv);
        }
        buf.setInt(start, buf.length() - start - 4);
      }
      buf.setLong(FIRST_TIMESTAMP_POS, first).setLong(MAX_TIMESTAMP_POS, max);
      buf.setInt(CRC_POS, Buffers.crc32c(buf, ATTRIBUTES_POS, buf.length() - ATTRIBUTES_POS));
      return new RecordBatch(buf);
    }

    private static void appendBytes(Buffer buf, Buffer b) {
      if (b == null) {
        buf.appendInt(-1);
      } else {
        buf.appendInt(b.length()).appendBuffer(b);
      }
    }
  }
}
