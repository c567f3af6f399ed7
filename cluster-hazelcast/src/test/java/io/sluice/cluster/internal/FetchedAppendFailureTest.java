package io.sluice.cluster.internal;

import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.RecordBatch;
import io.sluice.api.SluiceException;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.testing.ForwardingLogStore;
import io.sluice.api.testing.ForwardingPartitionLog;
import io.sluice.api.store.PartitionLog;
import io.sluice.cluster.Acks;
import io.sluice.cluster.Placement;
import io.sluice.cluster.Replication;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A follower appends the batches of one fetch answer all at once; when one of them fails, the batches after it
 * land at offsets other than the leader's. The follower must cut its copy back to the failed batch's offset and
 * fetch again, so it ends identical to the leader's.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures (never an event loop).
 */
class FetchedAppendFailureTest extends ReplicatedStoreTestBase {

  private static final String LOG = "faulty-0";
  private final List<FaultyStore> faulty = new ArrayList<>();

  @Override
  TestCluster newCluster() {
    return new TestCluster(2, o -> o.setReplicationFactor(2).setMinInSync(1));
  }

  @Override
  LogStore fileStore(int i) {
    FaultyStore s = new FaultyStore(super.fileStore(i));
    while (faulty.size() <= i) {
      faulty.add(null);
    }
    faulty.set(i, s);
    return s;
  }

  @Test
  void aFailedAppendOfAFetchedBatchCutsTheCopyBackAndTheFollowerFetchesAgain() {
    PartitionLog log = await(stores.get(0).open(LOG, new LogOptions(), new Replication(2, 1, Acks.LEADER)));
    Placement p = placement(0, LOG);
    int leader = cluster.indexOf(p.leader());
    int f = 1 - leader;
    await(log.append(batch("a0", "a1")));
    eventually("the follower copies the first batch", 10_000, () -> copyEnd(f, LOG) == 2);

    stores.get(f).pauseFetching(true);
    for (int i = 0; i < 5; i++) {
      await(log.append(batch("b" + i, "c" + i)));
    }
    // The third of the five batches (offsets 6..7) fails; the fourth and fifth then land at 6 and 8, not 8 and 10.
    faulty.get(f).failAppend(LOG, 3);
    stores.get(f).pauseFetching(false);

    eventually("the follower catches up", 15_000, () -> copyEnd(f, LOG) == 12);
    assertTrue(faulty.get(f).failed.get() == 1, "the armed append failed once");
    assertEquals(List.of(6L), faulty.get(f).truncations.get(LOG), "the copy was cut back to the failed batch's offset");
    assertEquals(copyBytes(leader, LOG), copyBytes(f, LOG), "the copies are identical");
  }

  /** A store whose logs can be told to fail their k-th next append; it records every truncation. */
  private static final class FaultyStore extends ForwardingLogStore {
    final Map<String, AtomicInteger> failAt = new ConcurrentHashMap<>();
    final Map<String, List<Long>> truncations = new ConcurrentHashMap<>();
    final AtomicInteger failed = new AtomicInteger();

    FaultyStore(LogStore inner) {
      super(inner);
    }

    /** The {@code k}-th append to {@code log} from now fails (once). */
    void failAppend(String log, int k) {
      failAt.put(log, new AtomicInteger(k));
    }

    @Override
    protected PartitionLog wrap(String name, PartitionLog log) {
      return new ForwardingPartitionLog(log) {
        @Override
        public Future<AppendResult> append(RecordBatch batch) {
          AtomicInteger countdown = failAt.get(name());
          if (countdown != null && countdown.decrementAndGet() == 0) {
            failed.incrementAndGet();
            return Future.failedFuture(new SluiceException(ErrorCode.STORAGE_FAILURE, "injected append failure"));
          }
          return inner.append(batch);
        }

        @Override
        public Future<Void> truncateTo(long offset) {
          truncations.computeIfAbsent(name(), k -> new CopyOnWriteArrayList<>()).add(offset);
          return inner.truncateTo(offset);
        }
      };
    }
  }
}
