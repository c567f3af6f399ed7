package io.sluice.store.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Storage shared by the two sparse indexes of a segment: fixed-size big-endian entries, ascending,
 * without header or checksum. An index is only ever a shortcut into its segment: it is rebuilt from
 * the segment when it is missing or fails its sanity check, so it is never fsync'd.
 *
 * <p>While the segment is active the entries live on the heap (growable, appended by the writer);
 * a sealed segment's index is mapped read-only from its file, so old segments cost no heap.
 *
 * <p>Thread contract: subclasses synchronize every method on the index, so the log's writer can append
 * while readers look up.
 */
abstract class SparseIndex {

  private final int entrySize;
  protected ByteBuffer entries;
  protected int count;
  private final boolean readOnly;

  SparseIndex(int entrySize) {
    this.entrySize = entrySize;
    this.entries = ByteBuffer.allocate(64 * entrySize);
    this.readOnly = false;
  }

  SparseIndex(int entrySize, ByteBuffer loaded, boolean readOnly) {
    this.entrySize = entrySize;
    this.entries = loaded;
    this.count = loaded.limit() / entrySize;
    this.readOnly = readOnly;
    if (!readOnly) {
      loaded.limit(loaded.capacity());
    }
  }

  public final synchronized int entryCount() {
    return count;
  }

  final boolean isReadOnly() {
    return readOnly;
  }

  /** The byte offset of a new entry, growing the heap buffer if needed. */
  protected final int slotForAppend() {
    if (readOnly) {
      throw new IllegalStateException("index of a sealed segment is read-only");
    }
    int at = count * entrySize;
    if (at + entrySize > entries.capacity()) {
      ByteBuffer bigger = ByteBuffer.allocate(entries.capacity() * 2);
      ByteBuffer old = entries.duplicate();
      old.position(0).limit(at);
      bigger.put(old);
      entries = bigger;
    }
    return at;
  }

  /** Writes the entries to {@code file} (no fsync: see the class comment). */
  final synchronized void writeTo(Path file) throws IOException {
    ByteBuffer out = entries.duplicate();
    out.position(0).limit(count * entrySize);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      DiskOps.writeFully(ch, out, 0);
    }
  }

  /**
   * The file's bytes (mapped read-only, or read onto the heap when the index will be appended to), or
   * null when the file is missing or its length is not a whole number of entries.
   */
  static ByteBuffer readFile(Path file, int entrySize, boolean writable) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size % entrySize != 0 || size > Integer.MAX_VALUE / 2) {
        return null;
      }
      if (!writable) {
        return ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      }
      ByteBuffer heap = ByteBuffer.allocate((int) Math.max(size, 64L * entrySize));
      heap.limit((int) size);
      if (DiskOps.readFully(ch, heap, 0) != size) {
        return null;
      }
      heap.flip();
      return heap;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  static boolean exists(Path file) {
    return Files.exists(file);
  }
}
