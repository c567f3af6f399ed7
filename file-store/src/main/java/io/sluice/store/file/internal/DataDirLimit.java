package io.sluice.store.file.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The store's {@code maxDataBytes} guard: the bytes of segment files ({@code *.log}) under the data
 * directory, counted up by appends before they write and down by trims and drops after they delete, so
 * an append that would take the directory past the limit fails with {@code disk_full} before a byte of
 * it is written, and succeeds again as soon as a trim or drop has made room. Index, checkpoint and
 * quarantine bookkeeping is a fraction of a percent of the data and is not counted; a torn tail cut by
 * recovery stays counted until the store is reopened (an over-count, never an under-count).
 *
 * <p>Making room needs a few small writes: deleting a topic records the deletion in {@code __topics},
 * acknowledging queue messages records it in the queue's journal {@code qc.<queue>}, and only then is
 * data deleted. So bookkeeping logs (names starting with one of the configured prefixes) may go past the
 * limit by a headroom of {@code max(maxDataBytes / 16, 1 MiB)}: a full store can still be emptied.
 *
 * <p>Thread-safe: logs on different io threads reserve and release concurrently (one atomic counter).
 */
final class DataDirLimit {

  /** No limit: reservations always succeed and nothing is counted. */
  static final DataDirLimit NONE = new DataDirLimit(0, List.of());

  private final long maxBytes;
  private final long bookkeepingMaxBytes;
  private final List<String> bookkeepingPrefixes;
  private final AtomicLong used = new AtomicLong();

  /**
   * @param maxBytes the limit; 0 for none
   * @param bookkeepingPrefixes name prefixes of the logs that may use the headroom
   */
  DataDirLimit(long maxBytes, List<String> bookkeepingPrefixes) {
    this.maxBytes = maxBytes;
    this.bookkeepingMaxBytes = maxBytes + Math.max(maxBytes / 16, 1 << 20);
    this.bookkeepingPrefixes = List.copyOf(bookkeepingPrefixes);
  }

  boolean enabled() {
    return maxBytes > 0;
  }

  /** Starts the count from what is on disk. Call once, before any log of the directory is opened. */
  void measure(Path dataDir) throws IOException {
    if (enabled()) {
      used.set(segmentBytes(dataDir));
    }
  }

  /**
   * Counts {@code bytes} of log {@code log} about to be written, or refuses them.
   *
   * @throws StorageException {@code disk_full} if they would take the directory past the limit
   */
  void reserve(String log, long bytes) {
    if (!enabled()) {
      return;
    }
    long max = maxBytes;
    for (String prefix : bookkeepingPrefixes) {
      if (log.startsWith(prefix)) {
        max = bookkeepingMaxBytes;
        break;
      }
    }
    long now;
    do {
      now = used.get();
      if (now + bytes > max) {
        throw new StorageException(ErrorCode.DISK_FULL, "log '" + log + "': disk full: appending " + bytes
            + " bytes would take the data directory to " + (now + bytes) + " bytes, over its limit of "
            + maxBytes + " (maxDataBytes); trim or delete logs to make room", null);
      }
    } while (!used.compareAndSet(now, now + bytes));
  }

  /** Uncounts bytes that were reserved but not written, or that were deleted. */
  void release(long bytes) {
    if (enabled()) {
      used.addAndGet(-bytes);
    }
  }

  /** The counted bytes (0 without a limit). */
  long used() {
    return used.get();
  }

  /** The bytes of the segment files under {@code dir}, at any depth. */
  static long segmentBytes(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      long total = 0;
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().endsWith(SegmentFiles.LOG_SUFFIX) && Files.isRegularFile(p)) {
          total += Files.size(p);
        }
      }
      return total;
    }
  }
}
