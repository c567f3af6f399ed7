package io.sluice.store.file.internal;

import java.nio.file.Path;

/**
 * Names of the files of a log directory. A segment's files are named by its base offset in 20 digits
 * (like Kafka's), so a plain directory listing sorts them in log order. Stateless; any thread.
 */
final class SegmentFiles {

  static final String LOG_SUFFIX = ".log";
  static final String INDEX_SUFFIX = ".index";
  static final String TIME_INDEX_SUFFIX = ".timeindex";
  static final String CHECKPOINT = "checkpoint";
  static final String CLEAN_SHUTDOWN = "clean-shutdown";
  static final String QUARANTINE = "quarantine";

  private SegmentFiles() {
  }

  static String baseName(long baseOffset) {
    return String.format("%020d", baseOffset);
  }

  static Path log(Path dir, long baseOffset) {
    return dir.resolve(baseName(baseOffset) + LOG_SUFFIX);
  }

  static Path index(Path dir, long baseOffset) {
    return dir.resolve(baseName(baseOffset) + INDEX_SUFFIX);
  }

  static Path timeIndex(Path dir, long baseOffset) {
    return dir.resolve(baseName(baseOffset) + TIME_INDEX_SUFFIX);
  }

  /** The base offset of a segment file name with {@code suffix}, or -1 if the name is not one. */
  static long parseBase(String fileName, String suffix) {
    if (!fileName.endsWith(suffix) || fileName.length() != 20 + suffix.length()) {
      return -1;
    }
    String digits = fileName.substring(0, 20);
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return -1;
      }
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
