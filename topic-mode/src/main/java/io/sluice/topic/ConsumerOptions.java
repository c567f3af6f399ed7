package io.sluice.topic;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Names;
import java.util.List;
import java.util.Objects;

/**
 * Consumer settings: the group (optional for manually assigned consumers), offset reset, commit policy,
 * group session and heartbeat, and fetch sizes. Not thread-safe; a consumer copies it when created.
 */
public final class ConsumerOptions {

  private String groupId;
  private String clientId = "consumer";
  private OffsetReset autoOffsetReset = OffsetReset.LATEST;
  private boolean autoCommit = true;
  private long autoCommitIntervalMs = 5_000;
  private DeliverySemantics deliverySemantics = DeliverySemantics.AT_LEAST_ONCE;
  private long sessionTimeoutMs = 10_000;
  private long heartbeatIntervalMs = 3_000;
  private long rebalanceTimeoutMs = 30_000;
  private int maxPollRecords = 500;
  private int fetchMaxBytes = 1024 * 1024;
  private long fetchMaxWaitMs = 500;
  private long requestTimeoutMs = 30_000;
  private long retryBackoffMs = 100;
  private long closeTimeoutMs = 10_000;
  private List<String> assignmentStrategies = List.of("range");

  public ConsumerOptions() {
  }

  public ConsumerOptions(ConsumerOptions o) {
    this.groupId = o.groupId;
    this.clientId = o.clientId;
    this.autoOffsetReset = o.autoOffsetReset;
    this.autoCommit = o.autoCommit;
    this.autoCommitIntervalMs = o.autoCommitIntervalMs;
    this.deliverySemantics = o.deliverySemantics;
    this.sessionTimeoutMs = o.sessionTimeoutMs;
    this.heartbeatIntervalMs = o.heartbeatIntervalMs;
    this.rebalanceTimeoutMs = o.rebalanceTimeoutMs;
    this.maxPollRecords = o.maxPollRecords;
    this.fetchMaxBytes = o.fetchMaxBytes;
    this.fetchMaxWaitMs = o.fetchMaxWaitMs;
    this.requestTimeoutMs = o.requestTimeoutMs;
    this.retryBackoffMs = o.retryBackoffMs;
    this.closeTimeoutMs = o.closeTimeoutMs;
    this.assignmentStrategies = o.assignmentStrategies;
  }

  /** The consumer group; required for {@code subscribe}, optional for {@code assign} (then commits go to it). */
  public String getGroupId() {
    return groupId;
  }

  public ConsumerOptions setGroupId(String groupId) {
    this.groupId = groupId == null ? null : Names.validate("group", groupId);
    return this;
  }

  public String getClientId() {
    return clientId;
  }

  /** A name for member ids, logs and errors. */
  public ConsumerOptions setClientId(String clientId) {
    this.clientId = Names.validate("client", clientId);
    return this;
  }

  /** Where to start without a committed offset or after falling out of range (default {@link OffsetReset#LATEST}). */
  public OffsetReset getAutoOffsetReset() {
    return autoOffsetReset;
  }

  public ConsumerOptions setAutoOffsetReset(OffsetReset reset) {
    this.autoOffsetReset = Objects.requireNonNull(reset, "reset");
    return this;
  }

  /**
   * Whether the consumer commits the positions of handled records every {@link #getAutoCommitIntervalMs()},
   * before giving up partitions, and on close (default true). Only records already handled are committed:
   * in stream mode after the handler returned, in poll mode once the next {@code poll} is called.
   */
  public boolean isAutoCommit() {
    return autoCommit;
  }

  public ConsumerOptions setAutoCommit(boolean autoCommit) {
    this.autoCommit = autoCommit;
    return this;
  }

  public long getAutoCommitIntervalMs() {
    return autoCommitIntervalMs;
  }

  public ConsumerOptions setAutoCommitIntervalMs(long ms) {
    this.autoCommitIntervalMs = positive("autoCommitIntervalMs", ms);
    return this;
  }

  /** At-least-once (default) or at-most-once. */
  public DeliverySemantics getDeliverySemantics() {
    return deliverySemantics;
  }

  public ConsumerOptions setDeliverySemantics(DeliverySemantics semantics) {
    this.deliverySemantics = Objects.requireNonNull(semantics, "semantics");
    return this;
  }

  /** A member not heard from for this long is removed from its group (default 10 s). */
  public long getSessionTimeoutMs() {
    return sessionTimeoutMs;
  }

  public ConsumerOptions setSessionTimeoutMs(long ms) {
    this.sessionTimeoutMs = positive("sessionTimeoutMs", ms);
    return this;
  }

  /** How often a member tells its coordinator it is alive, and learns of rebalances (default 3 s). */
  public long getHeartbeatIntervalMs() {
    return heartbeatIntervalMs;
  }

  public ConsumerOptions setHeartbeatIntervalMs(long ms) {
    this.heartbeatIntervalMs = positive("heartbeatIntervalMs", ms);
    return this;
  }

  /** How long a rebalance waits for every member to rejoin before it drops the late ones (default 30 s). */
  public long getRebalanceTimeoutMs() {
    return rebalanceTimeoutMs;
  }

  public ConsumerOptions setRebalanceTimeoutMs(long ms) {
    this.rebalanceTimeoutMs = positive("rebalanceTimeoutMs", ms);
    return this;
  }

  /** Most records one {@code poll} returns, and the prefetch per partition (default 500). */
  public int getMaxPollRecords() {
    return maxPollRecords;
  }

  public ConsumerOptions setMaxPollRecords(int n) {
    this.maxPollRecords = (int) positive("maxPollRecords", n);
    return this;
  }

  /** Bytes one fetch of one partition asks for (default 1 MiB; a fetch always returns at least one batch). */
  public int getFetchMaxBytes() {
    return fetchMaxBytes;
  }

  public ConsumerOptions setFetchMaxBytes(int n) {
    this.fetchMaxBytes = (int) positive("fetchMaxBytes", n);
    return this;
  }

  /** How long a fetch waits at the partition owner for new records (long-poll; default 500 ms). */
  public long getFetchMaxWaitMs() {
    return fetchMaxWaitMs;
  }

  public ConsumerOptions setFetchMaxWaitMs(long ms) {
    if (ms < 0) {
      throw new InvalidArgumentException("fetchMaxWaitMs must be >= 0, got " + ms);
    }
    this.fetchMaxWaitMs = ms;
    return this;
  }

  /** How long one request may take (default 30 s). */
  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  public ConsumerOptions setRequestTimeoutMs(long ms) {
    this.requestTimeoutMs = positive("requestTimeoutMs", ms);
    return this;
  }

  /** Pause before retrying after a retriable error (default 100 ms). */
  public long getRetryBackoffMs() {
    return retryBackoffMs;
  }

  public ConsumerOptions setRetryBackoffMs(long ms) {
    this.retryBackoffMs = positive("retryBackoffMs", ms);
    return this;
  }

  /**
   * The most {@code close()} waits for its last commit, the revoke handler and leaving the group (default 10 s).
   * Past it the consumer closes anyway: what it had not committed is delivered again to the group, and the
   * coordinator drops the member when its session times out. This bounds a close that races the node's own
   * shutdown (a {@code vertx.close()} undeploys everything at once), where a request may get no answer at all.
   */
  public long getCloseTimeoutMs() {
    return closeTimeoutMs;
  }

  public ConsumerOptions setCloseTimeoutMs(long ms) {
    this.closeTimeoutMs = positive("closeTimeoutMs", ms);
    return this;
  }

  /** Names of the assignment strategies this consumer accepts, preferred first (default {@code [range]}). */
  public List<String> getAssignmentStrategies() {
    return assignmentStrategies;
  }

  public ConsumerOptions setAssignmentStrategies(List<String> names) {
    if (names == null || names.isEmpty()) {
      throw new InvalidArgumentException("at least one assignment strategy is needed");
    }
    this.assignmentStrategies = List.copyOf(names);
    return this;
  }

  public ConsumerOptions setAssignmentStrategy(String name) {
    return setAssignmentStrategies(List.of(name));
  }

  private static long positive(String name, long v) {
    if (v <= 0) {
      throw new InvalidArgumentException(name + " must be > 0, got " + v);
    }
    return v;
  }
}
