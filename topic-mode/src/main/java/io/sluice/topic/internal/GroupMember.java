package io.sluice.topic.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
import io.sluice.topic.ConsumerOptions;
import io.sluice.topic.TopicPartition;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A consumer's side of the group protocol (see {@link GroupCoordinator}): join, heartbeat on a timer,
 * revoke and rejoin when the coordinator says a rebalance started, rejoin as a new member when the
 * session was lost, leave on unsubscribe. The consumer ({@link Host}) applies assignments and
 * revocations; this class only drives the protocol.
 *
 * <p>Thread contract: confined to the consumer's context.
 */
final class GroupMember {

  /** What the member needs from its consumer. */
  interface Host {
    /** Takes the partitions of a new generation; the member heartbeats once this completes. */
    Future<Void> assigned(List<TopicPartition> partitions);

    /** Gives up every partition: cleanly before a rejoin ({@code lost} false), or after losing them. */
    Future<Void> revoke(boolean lost);

    /** The group refused the member for a reason retrying will not fix. */
    void fatal(SluiceException error);
  }

  private enum State { IDLE, JOINING, STABLE, REVOKING, LEFT }

  private final Vertx vertx;
  private final Bus bus;
  private final ConsumerOptions options;
  private final String group;
  private final Host host;
  private Set<String> topics;
  private State state = State.IDLE;
  private String memberId = "";
  private int generation = -1;
  private long heartbeatTimer = -1;
  private boolean rejoinAfterJoin;
  private Future<Void> coordinator;
  private Promise<Void> firstAssignment = Promise.promise();

  GroupMember(Vertx vertx, Bus bus, ConsumerOptions options, Host host) {
    this.vertx = vertx;
    this.bus = bus;
    this.options = options;
    this.group = options.getGroupId();
    this.host = host;
  }

  String memberId() {
    return memberId;
  }

  int generation() {
    return generation;
  }

  String address() {
    return Addresses.group(group);
  }

  /** Deploys (if needed) and finds the group's coordinator; shared by the consumer's offset calls. */
  Future<Void> coordinator() {
    if (coordinator == null || coordinator.failed()) {
      coordinator = bus.<JsonObject>call(Addresses.REGISTRY, "findCoordinator", new JsonObject().put("group", group),
          options.getRequestTimeoutMs()).mapEmpty();
    }
    return coordinator;
  }

  /** Forgets the coordinator after a "nobody serves this address" error, so the next call looks it up again. */
  void coordinatorLost() {
    coordinator = null;
  }

  /** Starts (or changes) the subscription; completes once an assignment (possibly empty) was applied. */
  Future<Void> subscribe(Set<String> newTopics) {
    this.topics = newTopics;
    if (firstAssignment.future().isComplete()) {
      firstAssignment = Promise.promise();
    }
    switch (state) {
      case IDLE -> join();
      case STABLE -> revokeAndRejoin(false);
      case JOINING -> rejoinAfterJoin = true;
      default -> {
        // REVOKING: the rejoin that follows uses the new topics. LEFT: not reachable (a new member is made).
      }
    }
    return firstAssignment.future();
  }

  private void join() {
    state = State.JOINING;
    JsonObject req = new JsonObject().put("memberId", memberId).put("clientId", options.getClientId())
        .put("topics", new JsonArray(new ArrayList<>(topics))).put("strategies", new JsonArray(options.getAssignmentStrategies()))
        .put("sessionTimeoutMs", options.getSessionTimeoutMs()).put("rebalanceTimeoutMs", options.getRebalanceTimeoutMs());
    coordinator()
        .compose(v -> bus.<JsonObject>call(address(), "join", req, options.getRebalanceTimeoutMs() + options.getRequestTimeoutMs()))
        .onComplete(ar -> {
          if (state == State.LEFT) {
            if (ar.succeeded()) {
              // Joined while leaving: leave again under the id the coordinator just gave.
              sendLeave(ar.result().getString("memberId"));
            }
            return;
          }
          if (ar.succeeded()) {
            joined(ar.result());
          } else {
            joinFailed(BusErrors.toSluice(ar.cause()));
          }
        });
  }

  private void joined(JsonObject reply) {
    memberId = reply.getString("memberId");
    generation = reply.getInteger("generation");
    state = State.STABLE;
    host.assigned(Wire.partitions(reply.getJsonArray("assignment"))).onComplete(ar -> {
      firstAssignment.tryComplete();
      if (state != State.STABLE) {
        return;
      }
      if (rejoinAfterJoin) {
        rejoinAfterJoin = false;
        revokeAndRejoin(false);
      } else {
        scheduleHeartbeat();
      }
    });
  }

  private void joinFailed(SluiceException e) {
    switch (e.code()) {
      case UNKNOWN_MEMBER -> {
        memberId = "";
        later(this::join);
      }
      case REBALANCE_IN_PROGRESS -> later(this::join);
      default -> {
        // A full group table does not empty by itself in a backoff: the subscriber hears of it at once.
        if (e.retriable() && e.code() != ErrorCode.LIMIT_EXCEEDED) {
          if (e.code() == ErrorCode.NOT_LEADER) {
            coordinatorLost();
          }
          later(this::join);
        } else {
          state = State.IDLE;
          firstAssignment.tryFail(e);
          host.fatal(e);
        }
      }
    }
  }

  private void later(Runnable action) {
    vertx.setTimer(options.getRetryBackoffMs(), id -> {
      if (state != State.LEFT) {
        action.run();
      }
    });
  }

  private void scheduleHeartbeat() {
    heartbeatTimer = vertx.setTimer(options.getHeartbeatIntervalMs(), id -> {
      heartbeatTimer = -1;
      heartbeat();
    });
  }

  private void heartbeat() {
    if (state != State.STABLE) {
      return;
    }
    int gen = generation;
    JsonObject req = new JsonObject().put("memberId", memberId).put("generation", gen);
    bus.<JsonObject>call(address(), "heartbeat", req, Math.min(options.getRequestTimeoutMs(), options.getSessionTimeoutMs()))
        .onComplete(ar -> {
          if (state != State.STABLE || generation != gen) {
            return;
          }
          if (ar.succeeded()) {
            scheduleHeartbeat();
            return;
          }
          SluiceException e = BusErrors.toSluice(ar.cause());
          switch (e.code()) {
            case REBALANCE_IN_PROGRESS -> revokeAndRejoin(false);
            case ILLEGAL_GENERATION -> revokeAndRejoin(true);
            case UNKNOWN_MEMBER -> {
              memberId = "";
              revokeAndRejoin(true);
            }
            default -> {
              if (e.code() == ErrorCode.NOT_LEADER) {
                coordinatorLost();
              }
              scheduleHeartbeat();
            }
          }
        });
  }

  /** Revokes everything (committing first when {@code lost} is false), then rejoins. */
  void revokeAndRejoin(boolean lost) {
    cancelHeartbeat();
    state = State.REVOKING;
    host.revoke(lost).onComplete(ar -> {
      if (state == State.REVOKING) {
        join();
      }
    });
  }

  /** Stops heartbeats and rejoins, keeping the member id and generation (for a last commit before {@link #leave}). */
  void quiesce() {
    cancelHeartbeat();
    state = State.LEFT;
  }

  /** Leaves the group; the caller revokes first. Completes when the coordinator acknowledged (or could not be reached). */
  Future<Void> leave() {
    cancelHeartbeat();
    state = State.LEFT;
    firstAssignment.tryFail(new SluiceException(ErrorCode.REBALANCE_IN_PROGRESS, "unsubscribed before the first assignment"));
    return memberId.isEmpty() ? Future.succeededFuture() : sendLeave(memberId);
  }

  private Future<Void> sendLeave(String id) {
    return bus.<JsonObject>call(address(), "leave", new JsonObject().put("memberId", id), options.getRequestTimeoutMs())
        .<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  boolean isStable() {
    return state == State.STABLE;
  }

  private void cancelHeartbeat() {
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
  }
}
