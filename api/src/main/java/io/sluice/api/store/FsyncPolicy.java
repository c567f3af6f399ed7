package io.sluice.api.store;

import io.sluice.api.InvalidArgumentException;
import java.util.Objects;

/**
 * When a durable store forces appended data to the disk.
 *
 * <ul>
 *   <li>{@link #always()}: an append completes only after an fsync that covers it. Concurrent appends
 *       share one fsync (group commit), so throughput grows with the number of appenders. The default:
 *       an acknowledged record survives a power loss.</li>
 *   <li>{@link #interval(long)}: an append completes after the write; the store fsyncs at least every
 *       N ms. A power loss can lose up to N ms of acknowledged records; a process crash loses nothing.</li>
 *   <li>{@link #never()}: the store leaves flushing to the operating system. Like Kafka's default.</li>
 * </ul>
 */
public final class FsyncPolicy {

  public enum Kind { ALWAYS, INTERVAL, NEVER }

  private static final FsyncPolicy ALWAYS = new FsyncPolicy(Kind.ALWAYS, 0);
  private static final FsyncPolicy NEVER = new FsyncPolicy(Kind.NEVER, 0);

  private final Kind kind;
  private final long intervalMs;

  private FsyncPolicy(Kind kind, long intervalMs) {
    this.kind = kind;
    this.intervalMs = intervalMs;
  }

  public static FsyncPolicy always() {
    return ALWAYS;
  }

  public static FsyncPolicy never() {
    return NEVER;
  }

  public static FsyncPolicy interval(long ms) {
    if (ms <= 0) {
      throw new InvalidArgumentException("fsync interval must be > 0 ms, got " + ms);
    }
    return new FsyncPolicy(Kind.INTERVAL, ms);
  }

  /** Parses {@code always}, {@code never}, or {@code interval:<ms>} (also {@code <ms>ms}). */
  public static FsyncPolicy parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.equals("always")) {
        return ALWAYS;
      } else if (t.equals("never")) {
        return NEVER;
      } else if (t.startsWith("interval:")) {
        return interval(Long.parseLong(t.substring("interval:".length())));
      } else if (t.endsWith("ms")) {
        return interval(Long.parseLong(t.substring(0, t.length() - 2)));
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new InvalidArgumentException("fsync policy must be always, never or interval:<ms>, got '" + text + "'");
  }

  public Kind kind() {
    return kind;
  }

  /** The interval for {@link Kind#INTERVAL}, else 0. */
  public long intervalMs() {
    return intervalMs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FsyncPolicy p && p.kind == kind && p.intervalMs == intervalMs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, intervalMs);
  }

  @Override
  public String toString() {
    return kind == Kind.INTERVAL ? "interval:" + intervalMs : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
