package io.sluice.api.internal;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one in-memory log: an append-only sequence addressed by a {@code long} position, held in
 * heap chunks that grow from {@code minChunk} to {@code maxChunk} bytes. Bytes may span chunk ends.
 *
 * <p>Why chunks: a log that keeps one object per batch makes every young collection copy (and every
 * marking cycle trace) a live set that only grows, so GC pauses grow with the log. The default largest
 * chunk, 16 MiB, is at least half of any G1 region (regions are at most 32 MiB), so G1 allocates it as a
 * humongous object that is never copied; a primitive array is also never scanned for references. Small logs
 * start with small chunks, so a store with many short logs does not reserve 16 MiB for each.
 *
 * <p>Chunks wholly before a released position are dropped ({@link #releaseBefore}); the bytes past a
 * truncation point are simply overwritten by later appends. Reads copy out, so no caller keeps a chunk alive.
 *
 * <p>Not thread-safe: the owning log's lock guards every call.
 */
final class ChunkedBytes {

  static final int DEFAULT_MIN_CHUNK = 64 * 1024;
  static final int DEFAULT_MAX_CHUNK = 16 * 1024 * 1024;

  private record Chunk(long base, byte[] bytes) {

    long end() {
      return base + bytes.length;
    }
  }

  private final int maxChunk;
  /** Chunks in position order, contiguous; the last one takes appends. */
  private final List<Chunk> chunks = new ArrayList<>();
  private int nextChunkSize;
  /** Position the next appended byte goes to. */
  private long end;

  ChunkedBytes() {
    this(DEFAULT_MIN_CHUNK, DEFAULT_MAX_CHUNK);
  }

  ChunkedBytes(int minChunk, int maxChunk) {
    if (minChunk <= 0 || maxChunk < minChunk) {
      throw new IllegalArgumentException("chunk sizes must satisfy 0 < min <= max, got " + minChunk + " and " + maxChunk);
    }
    this.maxChunk = maxChunk;
    this.nextChunkSize = minChunk;
  }

  /** Position of the next appended byte. */
  long end() {
    return end;
  }

  /** Appends all bytes of {@code src}; returns the position of the first. */
  long append(Buffer src) {
    long at = end;
    int done = 0;
    int length = src.length();
    while (done < length) {
      Chunk last = chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
      if (last == null || last.end() == end) {
        last = new Chunk(end, new byte[nextChunkSize]);
        chunks.add(last);
        nextChunkSize = (int) Math.min(maxChunk, 2L * nextChunkSize);
      }
      int into = (int) (end - last.base());
      int n = Math.min(length - done, last.bytes().length - into);
      src.getBytes(done, done + n, last.bytes(), into);
      done += n;
      end += n;
    }
    return at;
  }

  /** Appends {@code length} bytes from {@code position} to {@code out}; they must lie in retained chunks before the end. */
  void copyTo(long position, int length, Buffer out) {
    if (position < retainedFrom() || position + length > end || length < 0) {
      throw new IllegalStateException("bytes " + position + "+" + length + " are outside " + retainedFrom() + ".." + end);
    }
    int i = chunkHolding(position);
    long at = position;
    int left = length;
    while (left > 0) {
      Chunk c = chunks.get(i++);
      int from = (int) (at - c.base());
      int n = Math.min(left, c.bytes().length - from);
      out.appendBytes(c.bytes(), from, n);
      at += n;
      left -= n;
    }
  }

  /** A copy of {@code length} bytes from {@code position}. */
  Buffer copy(long position, int length) {
    Buffer out = Buffer.buffer(length);
    copyTo(position, length, out);
    return out;
  }

  /** Drops the chunks that hold only bytes before {@code position}; they are never read again. */
  void releaseBefore(long position) {
    int drop = 0;
    while (drop < chunks.size() && chunks.get(drop).end() <= position) {
      drop++;
    }
    chunks.subList(0, drop).clear();
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
    chunks.subList(keep, chunks.size()).clear();
  }

  /** The first position still held; bytes before it were released. */
  long retainedFrom() {
    return chunks.isEmpty() ? end : chunks.get(0).base();
  }

  /** Bytes held in chunks, used or not: what this log costs on the heap. */
  long capacity() {
    long total = 0;
    for (Chunk c : chunks) {
      total += c.bytes().length;
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
