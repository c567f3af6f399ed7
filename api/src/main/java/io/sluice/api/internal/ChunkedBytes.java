package io.sluice.api.internal;

import io.netty.util.internal.CleanableDirectBuffer;
import io.netty.util.internal.PlatformDependent;
import io.sluice.api.StorageException;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The bytes of one in-memory log: an append-only sequence addressed by a {@code long} position, held in
 * off-heap (direct) chunks that grow from {@code minChunk} to {@code maxChunk} bytes. Bytes may span chunk ends.
 *
 * <p>Why off-heap chunks: a log that keeps one object per batch makes every young collection copy (and every
 * marking cycle trace) a live set that only grows, so GC pauses grow with the log. Large heap arrays fix the
 * copying (G1 allocates them as humongous objects, never moved), but once the log fills most of the heap every
 * humongous allocation starts a concurrent cycle with two pauses (measured: one every ~100 ms at 250 k records/s
 * of 1 KiB). Direct chunks keep the log out of the collector's view entirely: the heap holds one small object
 * per chunk. They count against {@code -XX:MaxDirectMemorySize} (by default the maximum heap size).
 *
 * <p>Direct memory is freed explicitly, never by the collector, so this class owns it: chunks wholly before a
 * released position are freed ({@link #releaseBefore}), chunks past a truncation point are freed, and
 * {@link #release()} frees everything (the store calls it when a log is dropped or the store closes). A freed
 * chunk is removed from the chunk list in the same step and every read goes through that list with a bounds
 * check, so freed memory is never read. Reads copy out; no caller keeps a view of a chunk.
 *
 * <p>Not thread-safe: the owning log's lock guards every call.
 */
final class ChunkedBytes {

  static final int DEFAULT_MIN_CHUNK = 64 * 1024;
  static final int DEFAULT_MAX_CHUNK = 16 * 1024 * 1024;

  private record Chunk(long base, CleanableDirectBuffer memory) {

    ByteBuffer bytes() {
      return memory.buffer();
    }

    long end() {
      return base + bytes().capacity();
    }

    void free() {
      memory.clean();
    }
  }

  private final int maxChunk;
  private final IntFunction<CleanableDirectBuffer> allocator;
  /** Chunks in position order, contiguous; the last one takes appends. */
  private final List<Chunk> chunks = new ArrayList<>();
  private int nextChunkSize;
  /** Position the next appended byte goes to. */
  private long end;

  ChunkedBytes() {
    this(DEFAULT_MIN_CHUNK, DEFAULT_MAX_CHUNK);
  }

  ChunkedBytes(int minChunk, int maxChunk) {
    this(minChunk, maxChunk, PlatformDependent::allocateDirect);
  }

  /** With the given direct-memory allocator: tests make it fail to check that a full store changes nothing. */
  ChunkedBytes(int minChunk, int maxChunk, IntFunction<CleanableDirectBuffer> allocator) {
    if (minChunk <= 0 || maxChunk < minChunk) {
      throw new IllegalArgumentException("chunk sizes must satisfy 0 < min <= max, got " + minChunk + " and " + maxChunk);
    }
    this.maxChunk = maxChunk;
    this.allocator = allocator;
    this.nextChunkSize = minChunk;
  }

  /** Position of the next appended byte. */
  long end() {
    return end;
  }

  /**
   * Appends all bytes of {@code src}; returns the position of the first. All or nothing: the chunks it needs
   * are allocated before any byte is written.
   *
   * @throws StorageException if direct memory is exhausted (nothing is appended)
   */
  long append(Buffer src) {
    int length = src.length();
    reserve(length);
    long at = end;
    int done = 0;
    int i = chunkHolding(end);
    while (done < length) {
      Chunk last = chunks.get(i);
      if (last.end() == end) {
        last = chunks.get(++i);
      }
      int into = (int) (end - last.base());
      int n = Math.min(length - done, last.bytes().capacity() - into);
      ByteBuffer from = Buffers.nio(src, done, n);
      last.bytes().put(into, from, from.position(), n);
      done += n;
      end += n;
    }
    return at;
  }

  /** Allocates chunks until {@code length} bytes fit after the end; on failure frees those it allocated. */
  private void reserve(int length) {
    long room = chunks.isEmpty() ? 0 : chunks.get(chunks.size() - 1).end() - end;
    int added = 0;
    int size = nextChunkSize;
    try {
      while (room < length) {
        long base = chunks.isEmpty() ? end : chunks.get(chunks.size() - 1).end();
        chunks.add(new Chunk(base, allocator.apply(size)));
        added++;
        room += size;
        size = (int) Math.min(maxChunk, 2L * size);
      }
    } catch (OutOfMemoryError e) {
      free(chunks.subList(chunks.size() - added, chunks.size()));
      throw new StorageException("the memory store cannot hold " + length + " more bytes: direct memory is exhausted ("
          + e.getMessage() + "); trim or drop logs, or raise -XX:MaxDirectMemorySize", e);
    }
    nextChunkSize = size;
  }

  /** A heap copy of {@code length} bytes from {@code position}; they must lie in retained chunks before the end. */
  Buffer copy(long position, int length) {
    if (position < retainedFrom() || position + length > end || length < 0) {
      throw new IllegalStateException("bytes " + position + "+" + length + " are outside " + retainedFrom() + ".." + end);
    }
    byte[] out = new byte[length];
    int i = chunkHolding(position);
    int done = 0;
    while (done < length) {
      Chunk c = chunks.get(i++);
      int from = (int) (position + done - c.base());
      int n = Math.min(length - done, c.bytes().capacity() - from);
      c.bytes().get(from, out, done, n);
      done += n;
    }
    return Buffer.buffer(out);
  }

  /** Frees the chunks that hold only bytes before {@code position}; they are never read again. */
  void releaseBefore(long position) {
    int drop = 0;
    while (drop < chunks.size() && chunks.get(drop).end() <= position) {
      drop++;
    }
    free(chunks.subList(0, drop));
  }

  /** Frees every chunk; appends may continue at the end (in new chunks). */
  void release() {
    free(chunks);
  }

  private static void free(List<Chunk> dropped) {
    for (Chunk c : dropped) {
      c.free();
    }
    dropped.clear();
  }

  /** Forgets the bytes from {@code position} on (at most the end); appends continue there. */
  void truncateTo(long position) {
    if (position >= end) {
      return;
    }
    end = position;
    int keep = chunks.size();
    while (keep > 0 && chunks.get(keep - 1).base() >= position) {
      keep--;
    }
    free(chunks.subList(keep, chunks.size()));
  }

  /** The first position still held; bytes before it were released. */
  long retainedFrom() {
    return chunks.isEmpty() ? end : chunks.get(0).base();
  }

  /** Bytes held in chunks, used or not: what this log costs on the heap. */
  long capacity() {
    long total = 0;
    for (Chunk c : chunks) {
      total += c.bytes().capacity();
    }
    return total;
  }

  int chunkCount() {
    return chunks.size();
  }

  private int chunkHolding(long position) {
    int lo = 0;
    int hi = chunks.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (chunks.get(mid).base() <= position) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
