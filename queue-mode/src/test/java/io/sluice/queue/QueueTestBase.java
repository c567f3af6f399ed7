package io.sluice.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
import io.sluice.api.store.LogStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the queue tests: a Vert.x (closed by the extension), a store from {@link #newStore} (the
 * memory store here; a durable-store variant overrides it), and a {@link Queues} over it. "Restart"
 * closes the {@code Queues} and creates a new one over the same store.
 *
 * <p>Tests run on the JUnit thread and wait on futures with a bound; never on an event loop.
 */
@ExtendWith(VertxExtension.class)
abstract class QueueTestBase {

  protected static final long WAIT_S = 20;

  protected Vertx vertx;
  protected LogStore store;
  protected Queues queues;
  @TempDir
  protected Path dir;

  /** The store under test; override for another store. On the memory store a restart keeps the data. */
  protected LogStore newStore(Vertx vertx, Path dir) {
    return LogStore.memory(vertx);
  }

  protected QueuesOptions options() {
    return new QueuesOptions();
  }

  @BeforeEach
  void setUpQueues(Vertx vertx) {
    this.vertx = vertx;
    this.store = newStore(vertx, dir);
    this.queues = await(Queues.create(vertx, store, options()));
  }

  @AfterEach
  void tearDownQueues() {
    if (queues != null) {
      await(queues.close());
    }
    if (store != null) {
      await(store.close());
    }
  }

  /** Closes the queues and opens them again over the same store, as after a process restart. */
  protected Queues restart() {
    await(queues.close());
    queues = null;
    queues = await(Queues.create(vertx, store, options()));
    return queues;
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new AssertionError(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT_S + " s", e);
    }
  }

  /** Waits for a failure and checks its code. */
  static SluiceException awaitFailure(Future<?> f, ErrorCode expected) {
    try {
      Object v = f.toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
      fail("expected " + expected.code() + " but succeeded with " + v);
      return null;
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof SluiceException se)) {
        throw new AssertionError("expected a SluiceException, got " + e.getCause(), e.getCause());
      }
      assertEquals(expected, se.code(), () -> "wrong error: " + se);
      return se;
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT_S + " s", e);
    }
  }

  /** Waits until a condition holds (checked every 10 ms), failing after {@code timeoutMs}. */
  static void eventually(long timeoutMs, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeoutMs + " ms waiting for: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    assertTrue(condition.getAsBoolean());
  }
}
