package io.sluice.queue.internal;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * A map from log offsets to values, ordered by offset, made for the queue owner's entries: offsets
 * arrive almost always in increasing order and leave almost always near the front, so the hot path is
 * an array slot, not a tree descent and a boxed key (a JFR profile of the queue bench put ~20% of the
 * process's CPU in the {@code TreeMap} this replaces).
 *
 * <p>Offsets at or above {@code base} live in a ring of slots ({@code slots[offset & mask]}); the slot of
 * {@code base} is always occupied while the ring is not empty (removing the front advances {@code base}
 * past the gaps). An offset below {@code base} (a message returned behind the front, or an old one that
 * stays unsettled while the ring moves on) goes to a {@code TreeMap} of stragglers, so every straggler
 * is below every ring offset and in-order iteration is stragglers, then ring. The ring doubles up to
 * {@link #MAX_SLOTS} and never shrinks; beyond that the oldest ring entries move to the stragglers, so
 * memory is the entries plus at most one ring of {@code MAX_SLOTS} references (4-8 MiB), never a function
 * of the span of offsets between the oldest entry and the newest.
 *
 * <p>Not thread-safe. Iterators must not be used across a change of the map.
 */
final class OffsetMap<V> implements Iterable<V> {

  static final int MAX_SLOTS = 1 << 20;
  private static final int INITIAL_SLOTS = 1024;

  private final TreeMap<Long, V> stragglers = new TreeMap<>();
  private Object[] slots = new Object[INITIAL_SLOTS];
  private int mask = INITIAL_SLOTS - 1;
  /** The lowest ring offset (occupied unless the ring is empty). */
  private long base;
  /** One past the highest ring offset. */
  private long end;
  private int ringSize;

  int size() {
    return stragglers.size() + ringSize;
  }

  boolean isEmpty() {
    return size() == 0;
  }

  V get(long offset) {
    if (offset < base) {
      return stragglers.isEmpty() ? null : stragglers.get(offset);
    }
    return offset < end ? slot(offset) : null;
  }

  /** Puts {@code value} at {@code offset}, replacing any value there. */
  void put(long offset, V value) {
    if (value == null) {
      throw new IllegalArgumentException("null value");
    }
    if (ringSize == 0 && (stragglers.isEmpty() || offset > stragglers.lastKey())) {
      // Nothing to keep in the ring: start it here, whatever the distance from the old one.
      base = offset;
      end = offset;
    }
    if (offset < base) {
      stragglers.put(offset, value);
      return;
    }
    if (offset - base >= slots.length) {
      makeRoom(offset);
    }
    int i = (int) offset & mask;
    if (slots[i] == null) {
      ringSize++;
    }
    slots[i] = value;
    if (offset >= end) {
      end = offset + 1;
    }
  }

  V remove(long offset) {
    if (offset < base) {
      return stragglers.isEmpty() ? null : stragglers.remove(offset);
    }
    if (offset >= end) {
      return null;
    }
    int i = (int) offset & mask;
    @SuppressWarnings("unchecked")
    V old = (V) slots[i];
    if (old == null) {
      return null;
    }
    slots[i] = null;
    ringSize--;
    if (ringSize == 0) {
      base = end;
    } else if (offset == base) {
      advanceBase();
    }
    return old;
  }

  /** The lowest offset; the map must not be empty. */
  long firstKey() {
    if (!stragglers.isEmpty()) {
      return stragglers.firstKey();
    }
    if (ringSize == 0) {
      throw new NoSuchElementException();
    }
    return base;
  }

  /** The value at the lowest offset, or null when empty. */
  V first() {
    if (!stragglers.isEmpty()) {
      return stragglers.firstEntry().getValue();
    }
    return ringSize == 0 ? null : slot(base);
  }

  /** Removes and returns the value at the lowest offset, or null when empty. */
  V pollFirst() {
    if (!stragglers.isEmpty()) {
      return stragglers.pollFirstEntry().getValue();
    }
    return ringSize == 0 ? null : remove(base);
  }

  /** The values in offset order. */
  @Override
  public Iterator<V> iterator() {
    Iterator<V> low = stragglers.values().iterator();
    return new Iterator<>() {
      long next = base;

      @Override
      public boolean hasNext() {
        if (low.hasNext()) {
          return true;
        }
        while (next < end && slots[(int) next & mask] == null) {
          next++;
        }
        return next < end;
      }

      @Override
      public V next() {
        if (low.hasNext()) {
          return low.next();
        }
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return slot(next++);
      }
    };
  }

  @SuppressWarnings("unchecked")
  private V slot(long offset) {
    return (V) slots[(int) offset & mask];
  }

  private void advanceBase() {
    while (slots[(int) base & mask] == null) {
      base++;
    }
  }

  /** Grows the ring to cover {@code offset}, and when it is at its maximum moves its oldest entries to the stragglers. */
  private void makeRoom(long offset) {
    long span = offset - base + 1;
    int n = slots.length;
    while (n < span && n < MAX_SLOTS) {
      n <<= 1;
    }
    if (n != slots.length) {
      Object[] grown = new Object[n];
      for (long o = base; o < end; o++) {
        grown[(int) o & (n - 1)] = slots[(int) o & mask];
      }
      slots = grown;
      mask = n - 1;
    }
    if (span <= n) {
      return;
    }
    long newBase = offset - n + 1;
    for (long o = base; o < Math.min(newBase, end); o++) {
      int i = (int) o & mask;
      if (slots[i] != null) {
        @SuppressWarnings("unchecked")
        V v = (V) slots[i];
        stragglers.put(o, v);
        slots[i] = null;
        ringSize--;
      }
    }
    base = newBase;
    if (end < base) {
      end = base;
    }
    if (ringSize > 0) {
      advanceBase();
    } else {
      // Everything moved out: the ring starts again at the offset being put, keeping its slot occupied.
      base = offset;
      end = offset;
    }
  }
}
