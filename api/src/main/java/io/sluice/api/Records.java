package io.sluice.api;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The answer to a read: the records with offsets in {@code [fromOffset, nextOffset)}, held as the
 * encoded batches that contain them (whole batches, exactly as stored). Records are decoded lazily
 * when iterated, so a store or a broker that only forwards bytes never creates an object per record.
 *
 * <p>The first batch may start before {@code fromOffset} and the last may end after
 * {@code nextOffset - 1}; iteration skips those records. Offsets are dense, so
 * {@code count() == nextOffset - fromOffset}.
 */
public final class Records implements Iterable<Record> {

  private final Buffer batches;
  private final long fromOffset;
  private final long nextOffset;
  private final int partition;

  private Records(Buffer batches, long fromOffset, long nextOffset, int partition) {
    if (nextOffset < fromOffset) {
      throw new IllegalArgumentException("nextOffset " + nextOffset + " < fromOffset " + fromOffset);
    }
    this.batches = batches;
    this.fromOffset = fromOffset;
    this.nextOffset = nextOffset;
    this.partition = partition;
  }

  /** No records; the next read starts at {@code offset}. */
  public static Records empty(long offset) {
    return new Records(Buffer.buffer(0), offset, offset, -1);
  }

  /** A view of whole encoded batches, delivering offsets {@code [fromOffset, nextOffset)}. */
  public static Records of(Buffer batches, long fromOffset, long nextOffset) {
    return new Records(batches, fromOffset, nextOffset, -1);
  }

  /** The same records tagged with a partition number. */
  public Records forPartition(int newPartition) {
    return new Records(batches, fromOffset, nextOffset, newPartition);
  }

  public int partition() {
    return partition;
  }

  /** The offset of the first record delivered. */
  public long fromOffset() {
    return fromOffset;
  }

  /** The offset to read from next. */
  public long nextOffset() {
    return nextOffset;
  }

  public int count() {
    return (int) (nextOffset - fromOffset);
  }

  public boolean isEmpty() {
    return nextOffset == fromOffset;
  }

  /** The encoded batches (whole batches; see the class comment). */
  public Buffer encoded() {
    return batches;
  }

  public int sizeInBytes() {
    return batches.length();
  }

  /** The batches, as views over {@link #encoded()}. */
  public List<RecordBatch> batches() {
    if (isEmpty()) {
      return Collections.emptyList();
    }
    List<RecordBatch> out = new ArrayList<>();
    int pos = 0;
    while (pos < batches.length()) {
      int size = RecordBatch.sizeAt(batches, pos);
      out.add(RecordBatch.wrap(batches.slice(pos, pos + size)));
      pos += size;
    }
    return out;
  }

  @Override
  public Iterator<Record> iterator() {
    if (isEmpty()) {
      return Collections.emptyIterator();
    }
    return new Iterator<>() {
      private final Iterator<RecordBatch> it = batches().iterator();
      private Iterator<Record> current = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && it.hasNext()) {
          current = it.next().records(partition, fromOffset, nextOffset);
        }
        return current.hasNext();
      }

      @Override
      public Record next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  public List<Record> toList() {
    List<Record> out = new ArrayList<>(count());
    forEach(out::add);
    return out;
  }

  @Override
  public String toString() {
    return "Records{partition=" + partition + ", offsets=[" + fromOffset + ", " + nextOffset + "), bytes=" + batches.length() + "}";
  }
}
