package io.sluice.cluster.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * A replica's leader-epoch history (Kafka's leader-epoch-checkpoint): for each leader epoch whose
 * records this log holds, the offset of its first record. It is what lets replicas find where their
 * logs diverge after a leader change (KIP-101): the end offset of epoch e on the leader is the start of
 * the leader's next epoch, and a follower keeps its records of epoch e only up to there.
 *
 * <p>Kept per log in the node's epoch state store, tagged with the log's incarnation ({@code uid}) so a
 * history of a dropped and recreated log is never mistaken for the new one's.
 *
 * <p>Not thread-safe: confined to the replicated store's context.
 */
final class EpochHistory {

  private final String uid;
  private final TreeMap<Long, Long> startByEpoch = new TreeMap<>();

  EpochHistory(String uid) {
    this.uid = uid;
  }

  String uid() {
    return uid;
  }

  boolean isEmpty() {
    return startByEpoch.isEmpty();
  }

  /** The latest epoch, or -1. */
  long latestEpoch() {
    return startByEpoch.isEmpty() ? -1 : startByEpoch.lastKey();
  }

  /** The start offset of {@code epoch}, or -1 if the history does not hold it. */
  long startOf(long epoch) {
    Long s = startByEpoch.get(epoch);
    return s == null ? -1 : s;
  }

  /**
   * Records that {@code epoch} starts at {@code start}; ignored unless it is newer than the latest.
   * An older epoch that starts at the same offset holds no records and is forgotten.
   */
  boolean assign(long epoch, long start) {
    if (epoch <= latestEpoch()) {
      return false;
    }
    startByEpoch.values().removeIf(s -> s >= start);
    startByEpoch.put(epoch, start);
    return true;
  }

  /** The largest epoch at most {@code epoch}, or -1. */
  long epochAtMost(long epoch) {
    Long e = startByEpoch.floorKey(epoch);
    return e == null ? -1 : e;
  }

  /**
   * The answer to a follower asking for the end of {@code epoch}: the largest epoch at most it that
   * this log holds, and the offset where that epoch ends here (the next epoch's start, or {@code logEnd}
   * for the latest). {@code {-1, -1}} when this log holds no such epoch.
   */
  long[] endOf(long epoch, long logEnd) {
    Long e = startByEpoch.floorKey(epoch);
    if (e == null) {
      return new long[] {-1, -1};
    }
    Map.Entry<Long, Long> next = startByEpoch.higherEntry(e);
    return new long[] {e, next == null ? logEnd : next.getValue()};
  }

  /** Forgets epochs that start at or above {@code offset}, after the log was truncated there. */
  void truncateFromEnd(long offset) {
    startByEpoch.values().removeIf(s -> s >= offset);
  }

  /** Takes the leader's epochs that start below {@code logEnd} and are newer than ours (a follower after a fetch). */
  boolean follow(String leaderHistory, long logEnd) {
    boolean changed = false;
    for (Map.Entry<Long, Long> e : parse(leaderHistory).entrySet()) {
      if (e.getValue() < logEnd) {
        changed |= assign(e.getKey(), e.getValue());
      }
    }
    return changed;
  }

  /** {@code epoch:start,epoch:start,...} */
  String entries() {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<Long, Long> e : startByEpoch.entrySet()) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(e.getKey()).append(':').append(e.getValue());
    }
    return b.toString();
  }

  /** {@code uid;entries}, as kept in the state store. */
  String encode() {
    return uid + ";" + entries();
  }

  static EpochHistory decode(String text) {
    int semi = text.indexOf(';');
    EpochHistory h = new EpochHistory(text.substring(0, semi));
    h.startByEpoch.putAll(parse(text.substring(semi + 1)));
    return h;
  }

  private static TreeMap<Long, Long> parse(String entries) {
    TreeMap<Long, Long> out = new TreeMap<>();
    if (entries == null || entries.isEmpty()) {
      return out;
    }
    for (String pair : entries.split(",")) {
      int colon = pair.indexOf(':');
      out.put(Long.parseLong(pair.substring(0, colon)), Long.parseLong(pair.substring(colon + 1)));
    }
    return out;
  }

  @Override
  public String toString() {
    return encode();
  }
}
