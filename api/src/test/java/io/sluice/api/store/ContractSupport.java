package io.sluice.api.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.ErrorCode;
import io.sluice.api.Header;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.SluiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Helpers shared by the storage contract suites: waiting for futures from the test thread (never an
 * event loop), asserting typed failures, comparing records byte for byte, and the thread-leak check.
 */
public final class ContractSupport {

  /** How long any single store call may take before the suite calls it a hang. */
  public static final long CALL_TIMEOUT_SECONDS = 20;

  /** Threads the JVM, the build tool or Netty start lazily and keep for the whole run. */
  private static final List<String> SHARED_THREAD_PREFIXES = List.of("ForkJoinPool.commonPool", "Common-Cleaner",
      "process reaper", "Attach Listener", "Signal Dispatcher", "Notification Thread", "Reference Handler",
      "Finalizer", "surefire", "globalEventExecutor", "threadDeathWatcher", "JFR", "junit", "jqwik");

  private ContractSupport() {
  }

  /** Waits for a future that must succeed and returns its value. */
  public static <T> T await(Future<T> future) {
    assertNotNull(future, "a store call returned null instead of a future");
    try {
      return future.toCompletionStage().toCompletableFuture().get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + CALL_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * Calls {@code call}, which must return a future (not throw) that fails with a {@link SluiceException}
   * carrying {@code code}; returns that exception.
   */
  public static SluiceException assertFails(ErrorCode code, Supplier<? extends Future<?>> call) {
    Future<?> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      throw new AssertionError("expected a future failed with " + code.code() + ", but the call threw " + e, e);
    }
    assertNotNull(future, "a store call returned null instead of a future");
    Throwable cause;
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("expected failure " + code.code() + ", got success: " + value);
    } catch (ExecutionException e) {
      cause = e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("expected failure " + code.code() + ", got no answer within " + CALL_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    if (!(cause instanceof SluiceException se)) {
      throw new AssertionError("expected a SluiceException with code " + code.code() + ", got " + cause, cause);
    }
    if (se.code() != code) {
      throw new AssertionError("expected code " + code.code() + ", got " + se.code().code() + ": " + se.getMessage(), se);
    }
    return se;
  }

  /** Checks a stored record against the message it was appended from, byte for byte. */
  public static void assertRecord(String where, Message expected, long expectedOffset, Record actual) {
    assertEquals(expectedOffset, actual.offset(), where + ": offset");
    assertEquals(expected.timestamp(), actual.timestamp(), where + ": timestamp of offset " + expectedOffset);
    assertBytes(where + ": key of offset " + expectedOffset, expected.key(), actual.key());
    assertBytes(where + ": value of offset " + expectedOffset, expected.value(), actual.value());
    List<Header> eh = expected.headers();
    List<Header> ah = actual.headers();
    assertEquals(eh.size(), ah.size(), where + ": header count of offset " + expectedOffset);
    for (int i = 0; i < eh.size(); i++) {
      assertEquals(eh.get(i).name(), ah.get(i).name(), where + ": header " + i + " name of offset " + expectedOffset);
      assertBytes(where + ": header " + i + " value of offset " + expectedOffset, eh.get(i).value(), ah.get(i).value());
    }
  }

  public static void assertBytes(String what, Buffer expected, Buffer actual) {
    if (expected == null || actual == null) {
      assertEquals(expected == null, actual == null, what + ": null vs non-null (expected " + expected + ", got " + actual + ")");
      return;
    }
    assertEquals(expected.length(), actual.length(), what + ": length");
    assertTrue(java.util.Arrays.equals(expected.getBytes(), actual.getBytes()), what + ": bytes differ");
  }

  /** The live threads now, to compare with {@link #assertNoNewThreads} after a test. */
  public static Set<Thread> liveThreads() {
    return new HashSet<>(Thread.getAllStackTraces().keySet());
  }

  /**
   * Fails if threads started since {@code before} are still alive (after a bounded wait for them to
   * finish stopping): a store must stop what it started when it and its Vertx are closed.
   */
  public static void assertNoNewThreads(Set<Thread> before) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<Thread> leaked;
    do {
      leaked = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> !before.contains(t) && t.isAlive() && !isShared(t))
          .toList();
      if (leaked.isEmpty()) {
        return;
      }
      try {
        Thread.sleep(20); // polls a condition, bounded by the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    } while (System.nanoTime() < deadline);
    fail("threads leaked by the test (still running 10 s after the store and Vertx closed): "
        + leaked.stream().map(Thread::getName).toList());
  }

  private static boolean isShared(Thread t) {
    String name = t.getName();
    return SHARED_THREAD_PREFIXES.stream().anyMatch(name::startsWith);
  }

  /** Closes a Vertx from the test thread, waiting for it. */
  public static void closeVertx(Vertx vertx) {
    if (vertx != null) {
      await(vertx.close());
    }
  }
}
