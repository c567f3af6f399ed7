package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.ErrorCode;
import io.sluice.api.Message;
import io.sluice.api.SluiceException;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts a {@link Topics} on a fresh store per test and checks on the way out that closing it leaves no
 * verticle deployed. The store comes from {@link #newStore}, so a file-store variant of any suite is one
 * override away. Tests block the JUnit thread on futures (never an event loop).
 */
@ExtendWith(VertxExtension.class)
public abstract class TopicsTestBase {

  static final Duration WAIT = Duration.ofSeconds(30);

  protected Vertx vertx;
  protected LogStore store;
  protected Topics topics;
  @TempDir
  protected Path dir;

  /** The store under test; override for a durable store (the "restart" tests reopen it at the same path). */
  protected LogStore newStore(Vertx vertx, Path dir) {
    return LogStore.memory(vertx);
  }

  /** Whether {@link #restart()} must make a new store over the same path (durable stores) or keep the instance (memory). */
  protected boolean reopenStoreOnRestart() {
    return false;
  }

  protected TopicsOptions topicsOptions() {
    return new TopicsOptions().setRetentionCheckIntervalMs(60_000).setGroupCheckIntervalMs(20).setStateFsync(FsyncPolicy.never());
  }

  @BeforeEach
  void startTopics(Vertx vertx) {
    this.vertx = vertx;
    this.store = newStore(vertx, dir);
    this.topics = await(Topics.create(vertx, store, topicsOptions()));
  }

  @AfterEach
  void closeTopics() {
    if (topics != null) {
      await(topics.close());
    }
    assertTrue(vertx.deploymentIDs().isEmpty(), "verticles left deployed after close: " + vertx.deploymentIDs());
    await(store.close());
  }

  /** Closes the topics (and a durable store) and opens them again over the same data. */
  protected void restart() {
    await(topics.close());
    topics = null;
    if (reopenStoreOnRestart()) {
      await(store.close());
      store = newStore(vertx, dir);
    }
    topics = await(Topics.create(vertx, store, topicsOptions()));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT, e);
    }
  }

  /** The typed failure of {@code future}, checking its code. */
  static SluiceException awaitFailure(Future<?> future, ErrorCode expected) {
    try {
      Object result = await(future);
      fail("expected " + expected.code() + " but got " + result);
      return null;
    } catch (SluiceException e) {
      assertEquals(expected, e.code(), () -> "wrong error: " + e);
      return e;
    }
  }

  static SluiceException thrown(Runnable call, ErrorCode expected) {
    try {
      call.run();
      fail("expected " + expected.code());
      return null;
    } catch (SluiceException e) {
      assertEquals(expected, e.code(), () -> "wrong error: " + e);
      return e;
    }
  }

  /** Lets {@code ms} pass on a Vert.x timer: only for checking that something does NOT happen. */
  void awaitTimer(long ms) {
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    await(p.future());
  }

  /** Waits until {@code condition} holds, checking every 10 ms, for at most {@code WAIT}. */
  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  TopicDescription createTopic(String name, int partitions) {
    return await(topics.createTopic(name, new TopicConfig().setPartitions(partitions).setFsync(FsyncPolicy.never())));
  }

  /** Sends {@code count} keyless messages "v0".."v{count-1}" to one partition and waits for all. */
  List<RecordMetadata> produce(String topic, int partition, int count) {
    Producer p = topics.createProducer(new ProducerOptions().setLingerMs(1));
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sends.add(p.send(topic, partition, Message.of("v" + i)));
    }
    List<RecordMetadata> out = new ArrayList<>();
    for (Future<RecordMetadata> f : sends) {
      out.add(await(f));
    }
    await(p.close());
    return out;
  }

  /** Polls until {@code count} records arrived (or fails after {@code WAIT}). */
  static List<ConsumerRecord> pollUntil(Consumer consumer, int count) {
    List<ConsumerRecord> out = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (out.size() < count) {
      if (System.nanoTime() > deadline) {
        fail("got " + out.size() + " of " + count + " records");
      }
      out.addAll(await(consumer.poll(Duration.ofMillis(200))));
    }
    return out;
  }
}
