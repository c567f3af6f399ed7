package io.sluice.api.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaderFollowerTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * A layout request that nobody answers (it went to a node that was stopping: the bus drops it silently)
   * must not hold this node's stop for the request's whole timeout.
   */
  @Test
  void stoppingDoesNotWaitForALayoutNobodyAnswers() throws Exception {
    Promise<Void> asked = Promise.promise();
    LeaderFollower follower = new LeaderFollower(LogStore.memory(vertx), "catalogue", List.of("catalogue"), new LogOptions(),
        "changed") {
      @Override
      protected Deployable registry() {
        return new VerticleBase() {
        };
      }

      @Override
      protected Future<Map<String, Supplier<Deployable>>> layout() {
        asked.tryComplete();
        return Promise.<Map<String, Supplier<Deployable>>>promise().future(); // never answered
      }
    };
    String id = vertx.deployVerticle(follower).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    asked.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    long start = System.nanoTime();
    vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMs < 5_000, "stop waited " + tookMs + " ms for an unanswered layout");
  }
}
