package io.sluice.store.file.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/** File-system steps whose order matters for crash safety. Stateless; callable from any thread. */
final class DiskOps {

  private DiskOps() {
  }

  /**
   * Makes a directory's entries (files created, renamed or deleted in it) durable. Without this a file
   * that was fsync'd can still vanish after a power loss, because its name was never written.
   */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; there is nothing more we can do there.
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("win")) {
        throw e;
      }
    }
  }

  /**
   * Replaces {@code target} with {@code content} so that a crash leaves either the old or the new file,
   * never a mix: write a temporary file, fsync it, rename it over the target, fsync the directory.
   */
  static void writeAtomically(Path target, ByteBuffer content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      writeFully(ch, content, 0);
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    fsyncDirectory(target.getParent());
  }

  static void writeFully(FileChannel ch, ByteBuffer src, long position) throws IOException {
    long pos = position;
    while (src.hasRemaining()) {
      pos += ch.write(src, pos);
    }
  }

  /** Largest single read into a heap buffer: the JDK stages it through a cached direct buffer of that size. */
  private static final int MAX_HEAP_READ = 1 << 20;

  /** Reads until {@code dst} is full or the end of the file; returns the bytes read. */
  static int readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
    int total = 0;
    int limit = dst.limit();
    try {
      while (dst.hasRemaining()) {
        if (!dst.isDirect()) {
          dst.limit(Math.min(limit, dst.position() + MAX_HEAP_READ));
        }
        int n = ch.read(dst, position + total);
        dst.limit(limit);
        if (n < 0) {
          break;
        }
        total += n;
      }
    } finally {
      dst.limit(limit);
    }
    return total;
  }

  static void deleteIfExists(Path p) throws IOException {
    Files.deleteIfExists(p);
  }

  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        try {
          Files.delete(file);
        } catch (NoSuchFileException e) {
          // already gone
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** The typed error for an I/O failure; a full disk gets its own (retriable) code. */
  static StorageException failure(String what, IOException e) {
    String msg = String.valueOf(e.getMessage());
    if (msg.contains("No space left") || msg.contains("Disk quota exceeded")) {
      return new StorageException(ErrorCode.DISK_FULL, what + ": disk full (" + msg + ")", e);
    }
    return new StorageException(what + ": " + e, e);
  }
}
