package io.sluice.store.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The checkpoint file of a log ({@code checkpoint}): the log start offset (moved by trimming) and the
 * recovery point, a position below which everything is known to be fsync'd, so recovery after a crash
 * only verifies what lies beyond it.
 *
 * <pre>
 *  0 int32 magic 'SLCP'   4 int32 version (1)
 *  8 int64 startOffset   16 int64 recoverySegment (base offset)
 * 24 int64 recoveryPosition (bytes into that segment)   32 int64 recoveryOffset (offset of the batch there)
 * 40 int32 CRC32C of bytes 0..39
 * </pre>
 * Replaced atomically (write, fsync, rename, fsync the directory): a crash leaves the old or the new one.
 *
 * <p>Immutable; thread-safe.
 */
record LogCheckpoint(long startOffset, long recoverySegment, long recoveryPosition, long recoveryOffset) {

  static final int MAGIC = 0x534C4350;
  static final int VERSION = 1;
  static final int SIZE = 44;

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putInt(MAGIC).putInt(VERSION).putLong(startOffset).putLong(recoverySegment).putLong(recoveryPosition)
        .putLong(recoveryOffset);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, SIZE - 4);
    b.putInt((int) crc.getValue());
    b.flip();
    return b;
  }

  /** Decodes a checkpoint, or returns null when the bytes are not a whole, valid one. */
  static LogCheckpoint decode(ByteBuffer b) {
    if (b.remaining() != SIZE) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), b.arrayOffset() + b.position(), SIZE - 4);
    int p = b.position();
    if (b.getInt(p) != MAGIC || b.getInt(p + 4) != VERSION || b.getInt(p + 40) != (int) crc.getValue()) {
      return null;
    }
    LogCheckpoint c = new LogCheckpoint(b.getLong(p + 8), b.getLong(p + 16), b.getLong(p + 24), b.getLong(p + 32));
    if (c.startOffset < 0 || c.recoverySegment < 0 || c.recoveryPosition < 0 || c.recoveryOffset < c.recoverySegment) {
      return null;
    }
    return c;
  }

  void write(Path dir) throws IOException {
    DiskOps.writeAtomically(dir.resolve(SegmentFiles.CHECKPOINT), encode());
  }

  /**
   * The log's checkpoint; null if there is no file. A damaged file also reads as null: the caller falls
   * back to scanning everything, which is slower but never wrong.
   */
  static LogCheckpoint read(Path dir) throws IOException {
    Path file = dir.resolve(SegmentFiles.CHECKPOINT);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() != SIZE) {
        return null;
      }
      ByteBuffer b = ByteBuffer.allocate(SIZE);
      DiskOps.readFully(ch, b, 0);
      b.flip();
      return decode(b);
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
