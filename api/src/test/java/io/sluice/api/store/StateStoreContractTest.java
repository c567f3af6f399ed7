package io.sluice.api.store;

import static io.sluice.api.store.ContractSupport.assertBytes;
import static io.sluice.api.store.ContractSupport.assertFails;
import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of {@link StateStore} on top of a {@link LogStore}: every store runs it by overriding
 * {@link #createStore} (and {@link #durable()} for the cases that close the whole store and create a
 * new one on the same directory). Each test has its own Vertx, directory and store, and fails if a state
 * store leaves its log open after the log store closed or leaks a thread.
 *
 * <p>Thread contract: JUnit runs each test on one thread; the suite waits for futures there.
 */
public abstract class StateStoreContractTest {

  @TempDir
  protected Path dataDir;

  protected Vertx vertx;
  protected LogStore store;

  private final List<StateStore> opened = new ArrayList<>();
  private Set<Thread> threadsBefore;

  /** Creates the log store the state stores live in; see {@link LogStoreContractTest#createStore}. */
  protected abstract LogStore createStore(Vertx vertx, Path dataDir);

  protected boolean durable() {
    return false;
  }

  /** The options of the state logs (a store may relax fsync here to keep the suite fast). */
  protected LogOptions baseOptions() {
    return new LogOptions();
  }

  @BeforeEach
  public void startStore() {
    threadsBefore = ContractSupport.liveThreads();
    vertx = Vertx.vertx();
    store = createStore(vertx, dataDir);
  }

  @AfterEach
  public void closeStoreAndCheckLeaks() {
    try {
      if (store != null) {
        await(store.close());
        // Every state store's log must be closed with the store: a write then fails at once, never hangs.
        for (StateStore s : opened) {
          assertFails(ErrorCode.STORE_CLOSED, () -> s.put("leak-check", buf("x")));
        }
      }
    } finally {
      ContractSupport.closeVertx(vertx);
    }
    ContractSupport.assertNoNewThreads(threadsBefore);
  }

  protected StateStore openState(String name) {
    return openState(name, baseOptions());
  }

  protected StateStore openState(String name, LogOptions options) {
    StateStore s = await(StateStore.open(store, name, options));
    assertEquals(name, s.name());
    opened.add(s);
    return s;
  }

  /** Closes the log store and creates a new one on the same directory. */
  protected void reopenStore() {
    await(store.close());
    opened.clear();
    store = createStore(vertx, dataDir);
  }

  protected static Buffer buf(String s) {
    return Buffer.buffer(s);
  }

  protected static void assertValue(StateStore s, String key, String expected) {
    Buffer got = s.get(key);
    if (expected == null) {
      assertNull(got, "no value for " + key);
    } else {
      assertBytes("value of " + key, buf(expected), got);
    }
  }

  private static Map<String, String> asStrings(Map<String, Buffer> entries) {
    Map<String, String> out = new TreeMap<>();
    entries.forEach((k, v) -> out.put(k, v.toString()));
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  public void putGetAndRemove() {
    StateStore s = openState("state-basic");
    assertEquals(0, s.size());
    assertNull(s.get("a"));
    await(s.put("a", buf("1")));
    assertValue(s, "a", "1");
    await(s.put("a", buf("2")));
    assertValue(s, "a", "2");
    await(s.put("b", Buffer.buffer()));
    assertEquals(0, s.get("b").length(), "an empty value is a value, not a delete");
    assertEquals(2, s.size());
    await(s.remove("a"));
    assertValue(s, "a", null);
    await(s.remove("never-there"));
    assertEquals(1, s.size());
  }

  @Test
  public void putAllAppliesEverythingAtOnceAndNullValuesDelete() {
    StateStore s = openState("state-put-all");
    await(s.put("gone", buf("x")));
    Map<String, Buffer> updates = new LinkedHashMap<>();
    updates.put("a", buf("1"));
    updates.put("b", buf("2"));
    updates.put("gone", null);
    updates.put("a", buf("3"));
    await(s.putAll(updates));
    assertEquals(Map.of("a", "3", "b", "2"), asStrings(s.entries("")));
    await(s.putAll(Map.of()));
    assertEquals(2, s.size());
  }

  @Test
  public void aRejectedPutAllChangesNothingAndDoesNotHurtOtherWriters() {
    StateStore s = openState("state-atomic", baseOptions().setMaxRecordBytes(128));
    await(s.put("keep", buf("old")));
    Map<String, Buffer> updates = new LinkedHashMap<>();
    updates.put("keep", buf("new"));
    updates.put("big", Buffer.buffer(new byte[1000]));
    Future<Void> other = s.put("other", buf("fine"));
    Future<Void> rejected = s.putAll(updates);
    Future<Void> after = s.put("after", buf("fine"));
    assertFails(ErrorCode.RECORD_TOO_LARGE, () -> rejected);
    await(other);
    await(after);
    assertValue(s, "keep", "old");
    assertValue(s, "big", null);
    assertValue(s, "other", "fine");
    assertValue(s, "after", "fine");
    await(s.close());
    StateStore again = openState("state-atomic", baseOptions().setMaxRecordBytes(128));
    assertEquals(Map.of("keep", "old", "other", "fine", "after", "fine"), asStrings(again.entries("")),
        "the rejected update never reached the log");
  }

  @Test
  public void badKeysAreRejectedWithATypedError() {
    StateStore s = openState("state-bad-keys");
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> s.put(null, buf("x")));
    Map<String, Buffer> withNullKey = new TreeMap<>(java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
    withNullKey.put(null, buf("x"));
    withNullKey.put("ok", buf("y"));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> s.putAll(withNullKey));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> s.putAll(null));
    assertEquals(0, s.size(), "nothing was applied");
    await(s.put("ok", buf("y")));
    assertValue(s, "ok", "y");
  }

  @Test
  public void entriesByPrefixAreASortedSnapshot() {
    StateStore s = openState("state-prefix");
    Map<String, Buffer> updates = new LinkedHashMap<>();
    for (String k : List.of("group.b.0", "group.a.1", "group.a.0", "groupie", "cursor.x", "group.a.\uffff\uffff", "g")) {
      updates.put(k, buf("v-" + k));
    }
    await(s.putAll(updates));
    Map<String, Buffer> groupA = s.entries("group.a.");
    assertEquals(List.of("group.a.0", "group.a.1", "group.a.\uffff\uffff"), new ArrayList<>(groupA.keySet()));
    assertEquals(List.of("group.a.0", "group.a.1", "group.a.\uffff\uffff", "group.b.0", "groupie"),
        new ArrayList<>(s.entries("group").keySet()));
    assertEquals(7, s.entries("").size());
    assertTrue(s.entries("nothing").isEmpty());
    await(s.put("group.a.2", buf("later")));
    assertEquals(3, groupA.size(), "a snapshot does not change with later writes");
    assertThrows(SluiceException.class, () -> s.entries(null));
  }

  @Test
  public void valuesAreCopiedInAndOut() {
    StateStore s = openState("state-copies");
    Buffer value = buf("original");
    await(s.put("k", value));
    value.setByte(0, (byte) 'X');
    value.appendString("-more");
    assertValue(s, "k", "original");
    s.get("k").setByte(0, (byte) 'Y');
    s.entries("").get("k").appendString("-more");
    assertValue(s, "k", "original");
  }

  @Test
  public void updatesFromOneCallerApplyInCallOrder() {
    StateStore s = openState("state-order");
    List<Future<Void>> fs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      fs.add(s.put("cursor", buf(String.valueOf(i))));
      if (i % 7 == 0) {
        fs.add(s.remove("cursor"));
        fs.add(s.put("cursor", buf(String.valueOf(i))));
      }
    }
    fs.forEach(ContractSupport::await);
    assertValue(s, "cursor", "499");
    await(s.close());
    assertValue(openState("state-order"), "cursor", "499");
  }

  @Test
  public void concurrentPutsFromThreadsAndContextsAreAllKept() throws Exception {
    StateStore s = openState("state-concurrent");
    int writers = 4;
    int perWriter = 150;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    ConcurrentLinkedQueue<Future<Void>> fs = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> offContext = new ConcurrentLinkedQueue<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<java.util.concurrent.Future<?>> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        threads.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perWriter; i++) {
            fs.add(s.put("t" + writer + "." + i, buf(writer + ":" + i)));
          }
          return null;
        }));
      }
      List<CompletableFuture<Void>> contexts = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        Context ctx = vertx.getOrCreateContext();
        CompletableFuture<Void> done = new CompletableFuture<>();
        contexts.add(done);
        ctx.runOnContext(v -> {
          List<Future<Void>> mine = new ArrayList<>();
          for (int i = 0; i < perWriter; i++) {
            mine.add(s.put("c" + writer + "." + i, buf(writer + ":" + i)).andThen(ar -> {
              if (Vertx.currentContext() != ctx) {
                offContext.add(Thread.currentThread().getName());
              }
            }));
          }
          Future.all(mine).onComplete(ar -> {
            if (ar.succeeded()) {
              done.complete(null);
            } else {
              done.completeExceptionally(ar.cause());
            }
          });
        });
      }
      go.countDown();
      for (var t : threads) {
        t.get(30, TimeUnit.SECONDS);
      }
      for (CompletableFuture<Void> c : contexts) {
        c.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
    fs.forEach(ContractSupport::await);
    assertTrue(offContext.isEmpty(), "put futures completed off the caller's context: " + offContext);
    assertEquals(2 * writers * perWriter, s.size());
    for (int w = 0; w < writers; w++) {
      for (int i = 0; i < perWriter; i++) {
        assertValue(s, "t" + w + "." + i, w + ":" + i);
        assertValue(s, "c" + w + "." + i, w + ":" + i);
      }
    }
    await(s.close());
    assertEquals(2 * writers * perWriter, openState("state-concurrent").size(), "all kept after reopening");
  }

  @Test
  public void reopeningTheStateStoreKeepsTheState() {
    StateStore s = openState("state-reopen");
    await(s.put("a", buf("1")));
    await(s.putAll(Map.of("b", buf("2"), "c", buf("3"))));
    await(s.remove("b"));
    await(s.close());
    StateStore again = openState("state-reopen");
    assertEquals(Map.of("a", "1", "c", "3"), asStrings(again.entries("")));
    await(again.put("d", buf("4")));
    assertEquals(3, again.size());
  }

  @Test
  public void closeFinishesQueuedWritesAndLaterCallsFail() {
    StateStore s = openState("state-close");
    List<Future<Void>> fs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      fs.add(s.put("k" + (i % 10), buf(String.valueOf(i))));
    }
    Future<Void> closing = s.close();
    Future<Void> closingAgain = s.close();
    await(closing);
    await(closingAgain);
    fs.forEach(ContractSupport::await);
    assertFails(ErrorCode.STORE_CLOSED, () -> s.put("late", buf("x")));
    assertFails(ErrorCode.STORE_CLOSED, () -> s.putAll(Map.of("late", buf("x"))));
    assertFails(ErrorCode.STORE_CLOSED, () -> s.remove("k1"));
    StateStore again = openState("state-close");
    for (int k = 0; k < 10; k++) {
      assertValue(again, "k" + k, String.valueOf(190 + k));
    }
    assertValue(again, "late", null);
  }

  @Test
  @EnabledIf("durable")
  public void aNewStoreOnTheSameDirectoryKeepsTheState() {
    StateStore s = openState("state-durable");
    await(s.putAll(Map.of("a", buf("1"), "b", buf("2"))));
    await(s.remove("a"));
    StateStore other = openState("state-other");
    await(other.put("x", buf("y")));
    reopenStore();
    assertEquals(Map.of("b", "2"), asStrings(openState("state-durable").entries("")));
    assertEquals(Map.of("x", "y"), asStrings(openState("state-other").entries("")));
  }

  @Test
  public void compactionTrimsTheLogAndKeepsTheState() {
    LogOptions options = baseOptions().setFsync(FsyncPolicy.never()).setSegmentBytes(64 * 1024);
    StateStore s = openState("state-compact", options);
    Map<String, String> expected = new TreeMap<>();
    Random random = new Random(42);
    int updates = 0;
    for (int wave = 0; wave < 25; wave++) {
      List<Future<Void>> fs = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        String key = "key-" + random.nextInt(5);
        String value = "value-" + updates++;
        if (random.nextInt(50) == 0) {
          fs.add(s.remove(key));
          expected.remove(key);
        } else {
          fs.add(s.put(key, buf(value)));
          expected.put(key, value);
        }
      }
      fs.forEach(ContractSupport::await);
      assertEquals(expected, asStrings(s.entries("")), "state after wave " + wave);
    }
    assertTrue(updates > 10_000);
    await(s.close());
    PartitionLog log = await(store.open("state-compact", options));
    long start = await(log.startOffset());
    long end = await(log.endOffset());
    assertTrue(start > 0, "compaction trimmed the log: start " + start);
    assertTrue(end - start < updates / 2, "the log holds far fewer records than updates: " + (end - start));
    List<SegmentInfo> segments = await(log.segments());
    assertTrue(segments.get(0).baseOffset() > 0, "whole segments were freed: " + segments);
    await(log.close());
    StateStore again = openState("state-compact", options);
    assertEquals(expected, asStrings(again.entries("")), "state after reopening a compacted log");
    if (durable()) {
      await(again.close());
      reopenStore();
      assertEquals(expected, asStrings(openState("state-compact", options).entries("")),
          "state after reopening the store on a compacted log");
    }
  }

  @Test
  public void aStateLogHoldingAKeylessRecordFailsToOpenWithCorruptLog() {
    PartitionLog log = await(store.open("state-foreign", baseOptions()));
    await(log.append(io.sluice.api.RecordBatch.of(io.sluice.api.Message.of("no key"))));
    await(log.close());
    assertFails(ErrorCode.CORRUPT_LOG, () -> StateStore.open(store, "state-foreign", baseOptions()));
    PartitionLog again = await(store.open("state-foreign", baseOptions()));
    assertTrue(again != log && again.isOpen(), "the failed open closed the log it opened");
    await(again.close());
  }

  @Test
  public void openFailsWithTheStoresTypedErrors() {
    assertFails(ErrorCode.INVALID_NAME, () -> StateStore.open(store, "bad/name", baseOptions()));
    assertFails(ErrorCode.UNKNOWN_LOG, () -> StateStore.open(store, "missing", baseOptions().setCreateIfMissing(false)));
    await(store.close());
    assertFails(ErrorCode.STORE_CLOSED, () -> StateStore.open(store, "late", baseOptions()));
  }
}
