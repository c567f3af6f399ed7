package io.sluice.topic;

import io.sluice.api.HeaderLimits;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.store.FsyncPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Node-side settings of {@link Topics}: limits, background timers, group coordination, offsets durability.
 * Not thread-safe; {@code Topics.create} copies it.
 */
public final class TopicsOptions {

  private long retentionCheckIntervalMs = 30_000;
  private int maxPartitionsPerTopic = 10_000;
  private int maxTopics = 10_000;
  private long groupCheckIntervalMs = 100;
  private long groupInitialRebalanceDelayMs = 0;
  private long groupMinSessionTimeoutMs = 100;
  private long groupMaxSessionTimeoutMs = 30 * 60_000;
  private FsyncPolicy stateFsync = FsyncPolicy.always();
  private int maxGroups = 10_000;
  private final List<AssignmentStrategy> assignmentStrategies = new ArrayList<>();
  private HeaderLimits headerLimits = HeaderLimits.DEFAULT;

  public TopicsOptions() {
  }

  public TopicsOptions(TopicsOptions other) {
    this.retentionCheckIntervalMs = other.retentionCheckIntervalMs;
    this.maxPartitionsPerTopic = other.maxPartitionsPerTopic;
    this.maxTopics = other.maxTopics;
    this.groupCheckIntervalMs = other.groupCheckIntervalMs;
    this.groupInitialRebalanceDelayMs = other.groupInitialRebalanceDelayMs;
    this.groupMinSessionTimeoutMs = other.groupMinSessionTimeoutMs;
    this.groupMaxSessionTimeoutMs = other.groupMaxSessionTimeoutMs;
    this.stateFsync = other.stateFsync;
    this.maxGroups = other.maxGroups;
    this.assignmentStrategies.addAll(other.assignmentStrategies);
    this.headerLimits = other.headerLimits;
  }

  /**
   * How many headers, and how many header bytes, one record may carry (default {@link HeaderLimits#DEFAULT}:
   * 64 headers, 16 KiB). A send over them fails with {@code invalid_argument} or {@code record_too_large}
   * before anything is stored.
   */
  public HeaderLimits getHeaderLimits() {
    return headerLimits;
  }

  public TopicsOptions setHeaderLimits(HeaderLimits headerLimits) {
    this.headerLimits = Objects.requireNonNull(headerLimits, "headerLimits");
    return this;
  }

  /** How often each partition checks its retention limits (default 30 s). */
  public long getRetentionCheckIntervalMs() {
    return retentionCheckIntervalMs;
  }

  public TopicsOptions setRetentionCheckIntervalMs(long ms) {
    this.retentionCheckIntervalMs = positive("retentionCheckIntervalMs", ms);
    return this;
  }

  /** The most partitions a topic may have (default 10 000). */
  public int getMaxPartitionsPerTopic() {
    return maxPartitionsPerTopic;
  }

  public TopicsOptions setMaxPartitionsPerTopic(int max) {
    if (max < 1 || max > 100_000) {
      throw new InvalidArgumentException("maxPartitionsPerTopic must be in [1, 100000], got " + max);
    }
    this.maxPartitionsPerTopic = max;
    return this;
  }

  /** The most topics (default 10 000). */
  public int getMaxTopics() {
    return maxTopics;
  }

  public TopicsOptions setMaxTopics(int max) {
    this.maxTopics = (int) positive("maxTopics", max);
    return this;
  }

  /**
   * The most consumer groups with a running coordinator (default 10 000); a member joining one more group is
   * refused with {@code limit_exceeded}.
   */
  public int getMaxGroups() {
    return maxGroups;
  }

  public TopicsOptions setMaxGroups(int max) {
    this.maxGroups = (int) positive("maxGroups", max);
    return this;
  }

  /** How often a group coordinator checks member sessions and rebalance deadlines (default 100 ms). */
  public long getGroupCheckIntervalMs() {
    return groupCheckIntervalMs;
  }

  public TopicsOptions setGroupCheckIntervalMs(long ms) {
    this.groupCheckIntervalMs = positive("groupCheckIntervalMs", ms);
    return this;
  }

  /**
   * How long the first rebalance of an empty group waits for more members before assigning (Kafka's
   * {@code group.initial.rebalance.delay.ms}; default 0).
   */
  public long getGroupInitialRebalanceDelayMs() {
    return groupInitialRebalanceDelayMs;
  }

  public TopicsOptions setGroupInitialRebalanceDelayMs(long ms) {
    if (ms < 0) {
      throw new InvalidArgumentException("groupInitialRebalanceDelayMs must be >= 0, got " + ms);
    }
    this.groupInitialRebalanceDelayMs = ms;
    return this;
  }

  /** The smallest session timeout a consumer may ask for (default 100 ms). */
  public long getGroupMinSessionTimeoutMs() {
    return groupMinSessionTimeoutMs;
  }

  public TopicsOptions setGroupMinSessionTimeoutMs(long ms) {
    this.groupMinSessionTimeoutMs = positive("groupMinSessionTimeoutMs", ms);
    return this;
  }

  /** The largest session timeout a consumer may ask for (default 30 min). */
  public long getGroupMaxSessionTimeoutMs() {
    return groupMaxSessionTimeoutMs;
  }

  public TopicsOptions setGroupMaxSessionTimeoutMs(long ms) {
    this.groupMaxSessionTimeoutMs = positive("groupMaxSessionTimeoutMs", ms);
    return this;
  }

  /** The fsync policy of the topic metadata and committed-offsets state logs (default always). */
  public FsyncPolicy getStateFsync() {
    return stateFsync;
  }

  public TopicsOptions setStateFsync(FsyncPolicy fsync) {
    this.stateFsync = Objects.requireNonNull(fsync, "fsync");
    return this;
  }

  /** Custom assignment strategies group coordinators may use, besides range, roundrobin and sticky. */
  public List<AssignmentStrategy> getAssignmentStrategies() {
    return List.copyOf(assignmentStrategies);
  }

  public TopicsOptions addAssignmentStrategy(AssignmentStrategy strategy) {
    assignmentStrategies.add(Objects.requireNonNull(strategy, "strategy"));
    return this;
  }

  private static long positive(String name, long v) {
    if (v <= 0) {
      throw new InvalidArgumentException(name + " must be > 0, got " + v);
    }
    return v;
  }
}
