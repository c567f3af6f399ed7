package io.sluice.queue.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of offsets held as disjoint, non-adjacent half-open ranges {@code [from, to)}: settled messages
 * come in long runs (batched acks, purges), so a few ranges stand for millions of offsets.
 * Not thread-safe.
 */
final class OffsetRanges implements Iterable<long[]> {

  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  void add(long offset) {
    add(offset, offset + 1);
  }

  void add(long from, long to) {
    if (from >= to) {
      return;
    }
    Map.Entry<Long, Long> below = ranges.floorEntry(from);
    if (below != null && below.getValue() >= from) {
      if (below.getValue() >= to) {
        return;
      }
      from = below.getKey();
    }
    // Swallow every range that starts inside [from, to].
    Map.Entry<Long, Long> next = ranges.ceilingEntry(from);
    while (next != null && next.getKey() <= to) {
      to = Math.max(to, next.getValue());
      ranges.remove(next.getKey());
      next = ranges.ceilingEntry(from);
    }
    ranges.put(from, to);
  }

  boolean contains(long offset) {
    Map.Entry<Long, Long> e = ranges.floorEntry(offset);
    return e != null && offset < e.getValue();
  }

  /** Forgets every offset below {@code offset}. */
  void removeBelow(long offset) {
    Map.Entry<Long, Long> e = ranges.lowerEntry(offset);
    ranges.headMap(offset, false).clear();
    if (e != null && e.getValue() > offset) {
      ranges.put(offset, e.getValue());
    }
  }

  /** How many offsets of {@code [from, to)} the set holds. */
  long countIn(long from, long to) {
    long n = 0;
    Map.Entry<Long, Long> first = ranges.floorEntry(from);
    Long start = first != null && first.getValue() > from ? first.getKey() : ranges.ceilingKey(from);
    if (start == null) {
      return 0;
    }
    for (Map.Entry<Long, Long> e : ranges.tailMap(start, true).entrySet()) {
      if (e.getKey() >= to) {
        break;
      }
      n += Math.min(to, e.getValue()) - Math.max(from, e.getKey());
    }
    return n;
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  int rangeCount() {
    return ranges.size();
  }

  /** The ranges in order, as {@code {from, to}}. */
  @Override
  public Iterator<long[]> iterator() {
    Iterator<Map.Entry<Long, Long>> it = ranges.entrySet().iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public long[] next() {
        Map.Entry<Long, Long> e = it.next();
        return new long[] {e.getKey(), e.getValue()};
      }
    };
  }
}
