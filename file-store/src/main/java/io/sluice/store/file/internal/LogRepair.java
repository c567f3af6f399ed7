package io.sluice.store.file.internal;

import io.sluice.api.Names;
import io.sluice.api.store.LogOptions;
import io.sluice.store.file.CorruptionPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The offline check and repair of a data directory, behind {@link io.sluice.store.file.FileLogRepair}.
 * Verifies every batch of every segment (framing, dense offsets, CRC32C), whatever the clean-shutdown
 * marker says. Holds the data directory's lock while it runs. Not thread-safe; one run at a time.
 */
public final class LogRepair {

  /** Exit codes. */
  public static final int CLEAN = 0;
  public static final int ERROR = 1;
  public static final int CORRUPT = 2;

  private LogRepair() {
  }

  /**
   * @param logs the logs to check; empty for all
   * @return {@link #CLEAN}, {@link #CORRUPT} (corruption found and left in place), or {@link #ERROR}
   */
  public static int run(Path dataDir, boolean truncate, List<String> logs, PrintStream out) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      out.println("no data directory at " + dataDir);
      return ERROR;
    }
    try (FileChannel lockChannel = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        out.println("data directory " + dataDir + " is in use by a running store; stop it first");
        return ERROR;
      }
      try {
        List<String> names = new ArrayList<>(logs);
        if (names.isEmpty()) {
          try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir)) {
            for (Path p : ds) {
              if (Files.isDirectory(p) && Names.isValid(p.getFileName().toString())) {
                names.add(p.getFileName().toString());
              }
            }
          }
          names.sort(null);
        }
        int result = CLEAN;
        for (String name : names) {
          Path dir = dataDir.resolve(name);
          if (!Names.isValid(name) || !Files.isDirectory(dir)) {
            out.println(name + ": no such log");
            result = Math.max(result, ERROR);
            continue;
          }
          result = Math.max(result, check(dir, name, truncate, out));
        }
        return result == ERROR ? ERROR : result;
      } finally {
        lock.release();
      }
    }
  }

  private static int check(Path dir, String name, boolean truncate, PrintStream out) throws IOException {
    LogLoader loader = new LogLoader(dir, name, LogOptions.DEFAULT_INDEX_INTERVAL_BYTES,
        truncate ? CorruptionPolicy.TRUNCATE : CorruptionPolicy.FAIL, true);
    LogLoader.Loaded loaded = loader.load();
    List<Segment> segments = loaded.segments();
    Segment active = segments.get(segments.size() - 1);
    try {
      String summary = name + ": " + segments.size() + " segment(s), offsets [" + loaded.startOffset() + ", "
          + active.nextOffset() + ")";
      if (loaded.truncatedBytes() > 0) {
        summary += ", cut " + loaded.truncatedBytes() + " byte(s) (torn write" + (truncate ? " or quarantined damage" : "") + ")";
      }
      if (loaded.corruption() != null) {
        out.println(summary + ": CORRUPT: " + loaded.corruption().toException(name).getMessage());
        return CORRUPT;
      }
      // Leave the log as a clean close would, so the next open need not verify it again.
      active.writeIndexes(false);
      new LogCheckpoint(loaded.startOffset(), active.base, active.size(), active.nextOffset()).write(dir);
      Files.write(dir.resolve(SegmentFiles.CLEAN_SHUTDOWN), new byte[0]);
      DiskOps.fsyncDirectory(dir);
      out.println(summary + ": OK");
      return CLEAN;
    } finally {
      segments.forEach(Segment::release);
    }
  }
}
