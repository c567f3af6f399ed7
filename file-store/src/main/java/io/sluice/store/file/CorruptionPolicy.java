package io.sluice.store.file;

/**
 * What opening a log does when it finds corruption inside it: a damaged batch with good data after it,
 * or a damaged batch in a sealed segment. (A torn write at the very end of the log is not corruption:
 * it is always cut off, because nothing in it was acknowledged.)
 */
public enum CorruptionPolicy {
  /**
   * The default. The log opens, serves reads below the damaged offset, and refuses reads from it on and
   * all appends with {@code corrupt_log} (a {@link io.sluice.api.CorruptLogException} naming the segment
   * file and byte position). Nothing on disk is changed, so an operator can look before deciding.
   */
  FAIL,
  /**
   * Cut the log at the damaged batch: its bytes and every later segment are moved (not deleted) into
   * {@code <dataDir>/<log>/quarantine/<millis>/}, and the log continues from the damaged offset. The
   * good records after the damage are then no longer part of the log, so use this deliberately.
   */
  TRUNCATE;

  /** Parses {@code fail} or {@code truncate} (any case). */
  public static CorruptionPolicy parse(String text) {
    String t = text == null ? "" : text.trim().toUpperCase(java.util.Locale.ROOT);
    for (CorruptionPolicy p : values()) {
      if (p.name().equals(t)) {
        return p;
      }
    }
    throw new io.sluice.api.InvalidArgumentException("onCorruption must be 'fail' or 'truncate', got '" + text + "'");
  }
}
