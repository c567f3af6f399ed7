package io.sluice.cluster.internal;

import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.cluster.Placement;
import io.sluice.cluster.ReplicatedLogStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes on loopback in this JVM with replicated stores over file stores (fsync=always), each in its own
 * directory, on a separate Vert.x that outlives the nodes; a crashed node's store is closed and a new one
 * opened on the same directory when the node restarts, so it recovers its logs and epoch history from disk.
 * Helpers read each node's local copy of a log.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures (never an event loop).
 */
abstract class ReplicatedStoreTestBase {

  static final String NS = "test";

  @TempDir
  Path dataDir;

  TestCluster cluster;
  Vertx disks;
  final List<LogStore> locals = new ArrayList<>();
  final List<ReplicaManager> stores = new ArrayList<>();

  /** The cluster of the test, started (all or some of its nodes). */
  abstract TestCluster newCluster();

  @BeforeEach
  void start() {
    cluster = newCluster();
    disks = Vertx.vertx();
    for (int i = 0; i < cluster.size(); i++) {
      locals.add(fileStore(i));
      stores.add(null);
      if (cluster.node(i) != null) {
        startStore(i);
      }
    }
  }

  @AfterEach
  void stop() {
    try {
      // The local stores first: their waiters belong to the nodes' contexts, which the cluster's close ends.
      for (LogStore l : locals) {
        await(l.close());
      }
      cluster.close();
    } finally {
      await(disks.close());
    }
  }

  LogStore fileStore(int i) {
    return LogStore.create(disks, "file", new JsonObject().put("dataDir", dataDir.resolve("node-" + i).toString()));
  }

  ReplicaManager startStore(int i) {
    ReplicaManager m = (ReplicaManager) await(ReplicatedLogStore.create(cluster.node(i), locals.get(i), NS));
    stores.set(i, m);
    return m;
  }

  void crash(int i) {
    cluster.awaitSafe();
    cluster.crash(i);
    stores.set(i, null);
  }

  void restart(int i) {
    await(locals.get(i).close());
    locals.set(i, fileStore(i));
    cluster.restart(i);
    startStore(i);
  }

  static void eventually(String what, long timeoutMs, BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        fail("not within " + timeoutMs + " ms: " + what);
      }
      try {
        Thread.sleep(20); // polls a condition, bounded by the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
  }

  Placement placement(int via, String log) {
    return await(stores.get(via).placement(log));
  }

  static RecordBatch batch(String... values) {
    List<Message> ms = new ArrayList<>();
    for (String v : values) {
      ms.add(Message.of("k", v).withTimestamp(1000));
    }
    return RecordBatch.of(ms);
  }

  static List<String> values(PartitionLog log) {
    long start = await(log.startOffset());
    long end = await(log.endOffset());
    List<String> out = new ArrayList<>();
    long next = start;
    while (next < end) {
      var rs = await(log.read(next, 10_000, 1 << 20));
      for (Record r : rs) {
        out.add(r.valueAsString());
      }
      next = rs.nextOffset();
    }
    return out;
  }

  /** The bytes of a node's local copy, as stored (none while it holds no copy yet). */
  Buffer copyBytes(int node, String log) {
    PartitionLog copy = await(stores.get(node).localCopy(log));
    Buffer out = Buffer.buffer();
    if (copy == null) {
      return out; // no copy yet
    }
    long end = await(copy.endOffset());
    long next = await(copy.startOffset());
    while (next < end) {
      var rs = await(copy.read(next, 10_000, 1 << 20));
      out.appendBuffer(rs.encoded());
      next = rs.nextOffset();
    }
    return out;
  }

  /** The end of a node's local copy, or -1 while it holds none (yet). */
  long copyEnd(int node, String log) {
    PartitionLog copy = await(stores.get(node).localCopy(log));
    return copy == null ? -1 : await(copy.endOffset());
  }
}
