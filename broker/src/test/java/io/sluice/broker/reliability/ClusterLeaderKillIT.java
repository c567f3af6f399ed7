package io.sluice.broker.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.broker.reliability.DeliveryHistory.Counts;
import io.sluice.broker.reliability.DeliveryHistory.Position;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader-kill test of issue 6: three nodes from the fat jar, each its own JVM, data directory, HTTP and
 * cluster port, clustered on loopback under a cluster name of their own; a topic of 4 partitions and a queue;
 * producers (one per partition), offset readers (one per partition), queue senders and receivers that ack,
 * every request to a live node chosen in turn. Each cycle finds the leader of one partition
 * ({@code /health?log=}), steers clients away from its followers and stops them ({@code kill -STOP}) once the
 * partition's producer sends to the leader, so the leader holds records no follower has (acknowledged alone
 * with acks=leader, waiting for the followers with acks=all), then {@code kill -9}s the leader and lets the followers
 * run again; it waits until a follower leads and a produce to the partition is acknowledged again, restarts
 * the killed node on its data directory and waits until it is back in every in-sync set.
 * {@code -Dsluice.cluster.kill.cycles} cycles (5; 30 with {@code -Plong}).
 *
 * <p>A {@link DeliveryHistory} sees every operation, and at the end every partition is read back through each
 * node: no acknowledged record or message lost, no offset with two values, no reordering within a partition,
 * nothing redelivered after its ack was acknowledged. With {@code acks=all} (RF 3, minInSync 2) every count
 * must be 0. The negative control runs the same kills with {@code acks=leader} (minInSync 1): the records the
 * killed leader acknowledged alone are gone, and the checker must say so. (Not with replication factor 1: a
 * {@code kill -9} leaves the page cache alone, so a log's only replica comes back with everything it
 * acknowledged; losing an acknowledged tail takes a follower that becomes leader without it.)
 */
class ClusterLeaderKillIT {

  private static final int CYCLES = Integer.getInteger("sluice.cluster.kill.cycles", Boolean.getBoolean("sluice.long") ? 30 : 5);
  /** At most; the control stops after the first cycle that showed loss. */
  private static final int CONTROL_CYCLES = Integer.getInteger("sluice.cluster.kill.control.cycles", 3);
  private static final int NODES = 3;
  private static final int PARTITIONS = 4;
  private static final String TOPIC = "orders";
  private static final String QUEUE = "jobs";
  /** The logs besides the partitions a restarted node must be in sync on: registries, offsets, the queue. */
  private static final List<String> STATE_LOGS = List.of("__topics", "__offsets", "__queues", "q." + QUEUE, "qc." + QUEUE);
  /** How long the followers stay stopped at most: well below the 3 s after which a follower leaves the ISR. */
  private static final long PAUSE_MAX_MS = 1500;

  @TempDir
  Path workDir;

  @Test
  void acksAllLosesNothingWhileLeadersAreKilled() throws Exception {
    assumeTrue(NodeProcess.JAR != null, "runs under failsafe, after the package phase");
    KillRun run = new KillRun(workDir.resolve("acks-all"), "acks=all, RF 3, minInSync 2",
        "--replication-factor", "3", "--min-in-sync", "2", "--acks", "all");
    Counts counts = run.execute(CYCLES);
    assertEquals(List.of(), run.history.violations(), "history violations of " + run.label);
    assertEquals(0, counts.violations(), counts.toString());
    assertTrue(run.history.topicAcknowledgedCount() > 0 && run.history.queueAcknowledgedCount() > 0, run.history.figures());
    assertTrue(run.killsWithTailInFlight > 0, "at least one leader was killed with a produce to its partition in flight");
  }

  /** The negative control: the same kills with acks=leader must show loss, or the checker proves nothing. */
  @Test
  void acksLeaderLosesAcknowledgedRecordsUnderTheSameKills() throws Exception {
    assumeTrue(NodeProcess.JAR != null, "runs under failsafe, after the package phase");
    KillRun run = new KillRun(workDir.resolve("acks-leader"), "acks=leader, RF 3, minInSync 1",
        "--replication-factor", "3", "--min-in-sync", "1", "--acks", "leader");
    // An offset acknowledged twice means the new leader reused offsets the old one acknowledged alone: enough.
    // Loss shows as lost records, offsets acknowledged twice, or queue acks lost (messages redelivered after their
    // ack was acknowledged): any of them proves the checker sees what acks=leader gives up.
    Counts counts = run.execute(CONTROL_CYCLES, () -> run.history.counts().offsetConflicts() > 0);
    assertTrue(counts.violations() > 0, "the checker sees acknowledged data lost with acks=leader: " + counts);
  }

  /** One node of the cluster: where it lives, and its process (replaced when it is restarted). */
  private static final class Member {
    final String nodeId;
    final int httpPort;
    final Path dir;
    final List<String> args;
    final NodeClient client;
    volatile NodeProcess process;
    /** False while the test has it stopped or killed: clients then go elsewhere, as a load balancer would. */
    volatile boolean available;

    Member(String nodeId, int httpPort, Path dir, List<String> args) {
      this.nodeId = nodeId;
      this.httpPort = httpPort;
      this.dir = dir;
      this.args = args;
      this.client = new NodeClient(httpPort);
    }

    void start() throws Exception {
      process = NodeProcess.start(dir, httpPort, args.toArray(String[]::new));
      available = true;
    }
  }

  /** What one cycle saw, in ms from the kill. */
  private record CycleFigures(int cycle, int partition, String killed, boolean tailInFlight, long electedMs,
      long servedMs, long restartedMs, long inSyncMs) {

    @Override
    public String toString() {
      return String.format("cycle %d: partition %d, killed %s%s; new leader after %d ms, first ack after %d ms, "
              + "restarted after %d ms, back in sync after %d ms", cycle, partition, killed,
          tailInFlight ? " with a produce in flight" : "", electedMs, servedMs, restartedMs, inSyncMs);
    }
  }

  /** One cluster, its traffic, its kills and its history. */
  private static final class KillRun {
    final String label;
    final DeliveryHistory history;
    final List<Member> members = new ArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final AtomicLongArray lastSent = new AtomicLongArray(PARTITIONS);
    final AtomicLongArray lastAck = new AtomicLongArray(PARTITIONS);
    /** Per partition, when its followers were stopped (MAX_VALUE: not stopped), and acks of requests sent since. */
    final AtomicLongArray pauseMark = new AtomicLongArray(PARTITIONS);
    final AtomicLongArray ackedAfterPause = new AtomicLongArray(PARTITIONS);
    /** Per partition, when the producer last had an answer (or lost its connection). */
    final AtomicLongArray lastAnswered = new AtomicLongArray(PARTITIONS);
    /** Produces refused by a node's idempotent producer whose sequence the new leader lacks (acks=leader loss). */
    final AtomicLong outOfOrderRefusals = new AtomicLong();
    /** Per partition, when the first produce after the last kill was acknowledged (0: not yet). */
    final AtomicLongArray firstAckAfterKill = new AtomicLongArray(PARTITIONS);
    final List<CycleFigures> figures = new ArrayList<>();
    int killsWithTailInFlight;
    volatile String lastOutOfSync = "";

    KillRun(Path dir, String label, String... replication) throws IOException {
      this.label = label;
      this.history = new DeliveryHistory(label);
      String clusterName = "sluice-kill-" + UUID.randomUUID().toString().substring(0, 8);
      List<Integer> clusterPorts = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        clusterPorts.add(NodeProcess.freePort());
      }
      String join = String.join(",", clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList());
      for (int i = 0; i < NODES; i++) {
        Path nodeDir = dir.resolve("node-" + (i + 1));
        Files.createDirectories(nodeDir);
        List<String> args = new ArrayList<>(List.of("--cluster", "--node-id", "node-" + (i + 1),
            "--cluster-port", String.valueOf(clusterPorts.get(i)), "--join", join, "--cluster-name", clusterName,
            "--data-dir", nodeDir.resolve("data").toString()));
        args.addAll(List.of(replication));
        members.add(new Member("node-" + (i + 1), NodeProcess.freePort(), nodeDir, args));
      }
    }

    Counts execute(int cycles) throws Exception {
      return execute(cycles, () -> false);
    }

    /** Runs up to {@code cycles} kill cycles, fewer once {@code enough} holds after one. */
    Counts execute(int cycles, BooleanSupplier enough) throws Exception {
      long t0 = System.nanoTime();
      List<Thread> workers = new ArrayList<>();
      try {
        startAll();
        long started = System.nanoTime();
        createTopicAndQueue();
        for (int p = 0; p < PARTITIONS; p++) {
          int partition = p;
          pauseMark.set(p, Long.MAX_VALUE);
          workers.add(worker("produce-" + p, () -> produce(partition)));
          workers.add(worker("read-" + p, () -> read(partition)));
        }
        for (int k = 0; k < 2; k++) {
          int sender = k;
          workers.add(worker("send-" + k, () -> sendMessages(sender)));
          workers.add(worker("receive-" + k, () -> receiveAndAck(sender)));
        }
        await("every partition acknowledged a produce", 60, () -> {
          for (int p = 0; p < PARTITIONS; p++) {
            if (lastAck.get(p) == 0) {
              return false;
            }
          }
          return true;
        });
        for (int c = 0; c < cycles && failures.isEmpty() && (c == 0 || !enough.getAsBoolean()); c++) {
          figures.add(cycle(c));
        }
        stop.set(true);
        for (Thread w : workers) {
          w.join(TimeUnit.SECONDS.toMillis(30));
          assertTrue(!w.isAlive(), w.getName() + " stopped");
        }
        if (!failures.isEmpty()) {
          AssertionError e = new AssertionError(label + ": a client saw a wrong answer: " + failures.get(0), failures.get(0));
          failures.stream().skip(1).forEach(e::addSuppressed);
          throw e;
        }
        long topicLost = members.get(0).client.checkTopic(TOPIC, PARTITIONS, history);
        for (Member m : members.subList(1, NODES)) {
          for (int p = 0; p < PARTITIONS; p++) {
            int partition = p;
            new TreeMap<>(m.client.readPartition(TOPIC, p)).forEach((offset, value) ->
                history.topicRead(new Position(partition, offset), value));
          }
        }
        long queueLost = members.get(0).client.drainQueue(QUEUE, history);
        Counts counts = history.counts();
        System.out.printf("ClusterLeaderKillIT [%s]: %d kill -9 cycles in %d s (cluster start %d s)%n", label, figures.size(),
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), TimeUnit.NANOSECONDS.toSeconds(started - t0));
        figures.forEach(f -> System.out.println("ClusterLeaderKillIT [" + label + "]:   " + f));
        System.out.println("ClusterLeaderKillIT [" + label + "]: " + history.figures() + "; lost: topic " + topicLost
            + ", queue " + queueLost + "; produces refused out_of_order_sequence " + outOfOrderRefusals.get());
        System.out.println("ClusterLeaderKillIT [" + label + "]: checker: " + counts);
        history.violations().stream().limit(10).forEach(v -> System.out.println("ClusterLeaderKillIT [" + label + "]:   " + v));
        return counts;
      } catch (Exception | AssertionError e) {
        System.out.println("ClusterLeaderKillIT [" + label + "]: failed after " + figures.size() + " cycles: " + figures
            + "; the nodes' output is kept in " + keepLogs());
        throw e;
      } finally {
        stop.set(true);
        for (Member m : members) {
          if (m.process != null) {
            m.process.close();
          }
        }
        for (Thread w : workers) {
          w.join(TimeUnit.SECONDS.toMillis(30));
        }
      }
    }

    /** Copies each node's output (the work directory is deleted after the test) to {@code target/}. */
    private Path keepLogs() throws IOException {
      Path kept = Path.of("target", "cluster-kill-logs", label.replaceAll("[^A-Za-z0-9=]+", "-"));
      for (Member m : members) {
        Path to = kept.resolve(m.nodeId);
        Files.createDirectories(to);
        for (String f : List.of("node-out.txt", "node-err.txt")) {
          if (Files.exists(m.dir.resolve(f))) {
            Files.copy(m.dir.resolve(f), to.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      return kept.toAbsolutePath();
    }

    /** The three nodes start at once (each waits for the others to join before it is healthy). */
    private void startAll() throws Exception {
      ExecutorService starter = Executors.newFixedThreadPool(NODES);
      try {
        List<Future<?>> starts = new ArrayList<>();
        for (Member m : members) {
          starts.add(starter.submit(() -> {
            m.start();
            return null;
          }));
        }
        for (Future<?> f : starts) {
          f.get(3, TimeUnit.MINUTES);
        }
      } finally {
        starter.shutdownNow();
      }
    }

    /** Creates them through any node, retrying while the cluster still places its own logs (503). */
    private void createTopicAndQueue() throws Exception {
      await("the topic and queue are created", 90, () -> created("/v1/topics/" + TOPIC, "{\"partitions\":" + PARTITIONS + "}")
          && created("/v1/queues/" + QUEUE, "{\"visibilityTimeoutMs\":5000}"));
    }

    private boolean created(String path, String body) {
      try {
        HttpResponse<String> r = members.get(0).client.send("PUT", path, body);
        assertTrue(r.statusCode() == 201 || r.statusCode() == 409 || r.statusCode() == 503, r.statusCode() + " " + r.body());
        return r.statusCode() != 503;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    private CycleFigures cycle(int c) throws Exception {
      int p = c % PARTITIONS;
      String log = TOPIC + "-" + p;
      JsonObject placement = awaitPlacement(log, pl -> pl.getString("leader") != null && pl.getJsonArray("isr").size() == NODES, 60);
      Member leader = member(placement.getString("leader"));
      List<Member> followers = members.stream().filter(m -> m != leader).toList();
      long cycleStart = System.nanoTime();
      await("a produce to partition " + p + " is acknowledged", 30, () -> lastAck.get(p) > cycleStart);

      // Clients leave the followers first, so the partition's producer next sends to the leader itself; then
      // stop the followers, so the leader holds what it appends next alone; then kill it with that in flight.
      long leftAt = System.nanoTime();
      for (Member f : followers) {
        f.available = false;
      }
      await("partition " + p + "'s producer sends to the leader", 30, () -> lastSent.get(p) > leftAt);
      for (Member f : followers) {
        f.process.pause();
      }
      long pausedAt = System.nanoTime();
      boolean tailInFlight;
      long killedAt;
      try {
        // Until the leader acknowledged a produce alone (acks=leader) or one has waited 300 ms for the
        // stopped followers (acks=all), at most PAUSE_MAX_MS.
        // A follower's fetch waiting at the leader when it stopped may still carry the next batch (its answer
        // waits in the socket buffer), and the owner may join a following one into that append: only the
        // batches after those are the leader's alone, hence three acknowledgements.
        pauseMark.set(p, pausedAt);
        long until = pausedAt + TimeUnit.MILLISECONDS.toNanos(PAUSE_MAX_MS);
        long waited = TimeUnit.MILLISECONDS.toNanos(300);
        while (!(ackedAfterPause.get(p) >= 3 || outstanding(p) && System.nanoTime() - Math.max(pausedAt, lastSent.get(p)) > waited)
            && System.nanoTime() < until) {
          Thread.sleep(5);
        }
        tailInFlight = ackedAfterPause.get(p) >= 3 || outstanding(p);
        leader.available = false;
        leader.process.kill();
        killedAt = System.nanoTime();
        firstAckAfterKill.set(p, 0);
        pauseMark.set(p, Long.MAX_VALUE);
        ackedAfterPause.set(p, 0);
      } finally {
        for (Member f : followers) {
          f.process.resume();
          f.available = true;
        }
      }
      if (tailInFlight) {
        killsWithTailInFlight++;
      }

      awaitPlacement(log, pl -> pl.getString("leader") != null && !pl.getString("leader").equals(leader.nodeId), 60);
      long elected = System.nanoTime();
      // The killed node restarts while clients find the new leader (restarting takes seconds of its own).
      leader.start();
      long restarted = System.nanoTime();
      await("partition " + p + " acknowledges produces again", 60, () -> firstAckAfterKill.get(p) != 0);
      long served = firstAckAfterKill.get(p);
      List<String> logs = new ArrayList<>(STATE_LOGS);
      for (int q = 0; q < PARTITIONS; q++) {
        logs.add(TOPIC + "-" + q);
      }
      await(() -> leader.nodeId + " is back in every in-sync set (" + lastOutOfSync + ")", 120,
          () -> inSyncEverywhere(leader.nodeId, logs));
      long inSync = System.nanoTime();
      return new CycleFigures(c, p, leader.nodeId, tailInFlight, ms(killedAt, elected), ms(killedAt, served),
          ms(killedAt, restarted), ms(killedAt, inSync));
    }

    /** Whether partition {@code p}'s producer waits for an answer. */
    private boolean outstanding(int p) {
      return lastSent.get(p) > lastAnswered.get(p);
    }

    private boolean inSyncEverywhere(String nodeId, List<String> logs) {
      for (String log : logs) {
        JsonObject pl = placement(log);
        if (pl == null || pl.getJsonArray("replicas").contains(nodeId) && !pl.getJsonArray("isr").contains(nodeId)) {
          lastOutOfSync = log + ": " + (pl == null ? "no answer" : pl.encode());
          return false;
        }
      }
      return true;
    }

    private JsonObject awaitPlacement(String log, Predicate<JsonObject> condition, int seconds) throws Exception {
      JsonObject[] seen = new JsonObject[1];
      await(() -> "placement of " + log + " (last seen: " + seen[0] + ")", seconds, () -> {
        seen[0] = placement(log);
        return seen[0] != null && condition.test(seen[0]);
      });
      return seen[0];
    }

    /** The placement of {@code log} as an available node sees it, or null when none answered. */
    private JsonObject placement(String log) {
      Member m = nextAvailable(ThreadLocalRandom.current().nextInt(NODES));
      if (m == null) {
        return null;
      }
      try {
        HttpResponse<String> r = m.client.send("GET", "/health?log=" + log, null);
        return r.statusCode() == 200 ? new JsonObject(r.body()).getJsonObject("cluster").getJsonObject("log") : null;
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    private Member member(String nodeId) {
      return members.stream().filter(m -> m.nodeId.equals(nodeId)).findFirst()
          .orElseThrow(() -> new AssertionError("no member " + nodeId));
    }

    /** The first available member from {@code turn} on, or null while none is. */
    private Member nextAvailable(int turn) {
      for (int i = 0; i < NODES; i++) {
        Member m = members.get(Math.floorMod(turn + i, NODES));
        if (m.available) {
          return m;
        }
      }
      return null;
    }

    // ---------------------------------------------------------------------------------------------- clients

    private interface Work {
      void run() throws Exception;
    }

    private Thread worker(String name, Work work) {
      Thread t = new Thread(() -> {
        try {
          work.run();
        } catch (Exception | AssertionError e) {
          failures.add(e);
        }
      }, name);
      t.start();
      return t;
    }

    /** A client's pause after a failed request (a killed node, a leadership moving), before the next. */
    private static void backOff() throws InterruptedException {
      Thread.sleep(100);
    }

    /** How a numbered batch goes out: through {@code m}, its values, the history told. */
    private interface Batch {
      void send(Member m, List<String> values) throws IOException, InterruptedException;
    }

    /**
     * Sends values {@code <producer>|0}, {@code |1}, ... in batches of 1-5, one batch at a time, each to the
     * next available node, until the run stops. A batch whose answer is lost is in doubt and not sent again.
     */
    private void sendNumbered(String producer, int firstTurn, Batch batch) throws Exception {
      long seq = 0;
      for (int turn = firstTurn; !stop.get(); turn++) {
        Member m = nextAvailable(turn);
        if (m == null) {
          backOff();
          continue;
        }
        int n = 1 + ThreadLocalRandom.current().nextInt(5);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          values.add(producer + "|" + seq++);
        }
        try {
          batch.send(m, values);
        } catch (IOException e) {
          backOff();
        }
      }
    }

    /** One producer per partition: its records numbered {@code orders-p<p>|<n>}. */
    private void produce(int p) throws Exception {
      sendNumbered(TOPIC + "-p" + p, p, (m, values) -> {
        int n = values.size();
        JsonArray records = new JsonArray();
        values.forEach(v -> records.add(new JsonObject().put("value", v).put("partition", p)));
        history.topicSending(values);
        long sentAt = System.nanoTime();
        lastSent.set(p, sentAt);
        HttpResponse<String> r;
        try {
          r = m.client.post("/v1/topics/" + TOPIC + "/records", new JsonObject().put("records", records),
              () -> history.topicInDoubt(n));
        } finally {
          lastAnswered.set(p, System.nanoTime());
        }
        if (r.statusCode() == 409 && r.body().contains("out_of_order_sequence")) {
          // The node's producer sent sequences the partition's new leader has lost: refused, not stored.
          outOfOrderRefusals.incrementAndGet();
          backOff();
          return;
        }
        if (r.statusCode() >= 500) {
          // not_enough_replicas, not_leader or a timeout while the leadership moves: maybe appended.
          history.topicInDoubt(n);
          backOff();
          return;
        }
        assertEquals(200, r.statusCode(), r.body());
        JsonArray offsets = new JsonObject(r.body()).getJsonArray("offsets");
        for (int i = 0; i < n; i++) {
          JsonObject at = offsets.getJsonObject(i);
          assertEquals(p, at.getInteger("partition"));
          history.topicAcknowledged(new Position(p, at.getLong("offset")), values.get(i));
        }
        long now = System.nanoTime();
        lastAck.set(p, now);
        firstAckAfterKill.compareAndSet(p, 0, now);
        if (sentAt > pauseMark.get(p)) {
          ackedAfterPause.incrementAndGet(p);
        }
      });
    }

    /** One reader per partition: reads onwards from offset 0, each request to the next available node. */
    private void read(int p) throws Exception {
      long next = 0;
      for (int turn = p + 1; !stop.get(); turn++) {
        Member m = nextAvailable(turn);
        if (m == null) {
          backOff();
          continue;
        }
        HttpResponse<String> r;
        try {
          r = m.client.send("GET", "/v1/topics/" + TOPIC + "/partitions/" + p + "/records?offset=" + next + "&max=500&waitMs=300", null);
        } catch (IOException e) {
          backOff();
          continue;
        }
        if (r.statusCode() == 503) {
          backOff();
          continue;
        }
        assertEquals(200, r.statusCode(), "partition " + p + " at " + next + " through " + m.nodeId + ": " + r.body());
        JsonObject page = new JsonObject(r.body());
        JsonArray records = page.getJsonArray("records");
        for (int i = 0; i < records.size(); i++) {
          JsonObject rec = records.getJsonObject(i);
          assertEquals(next + i, rec.getLong("offset"), "dense offsets");
          history.topicRead(new Position(p, rec.getLong("offset")), rec.getString("value"));
        }
        next = page.getLong("nextOffset");
      }
    }

    private void sendMessages(int sender) throws Exception {
      sendNumbered(QUEUE + "-s" + sender, sender, (m, values) -> {
        int n = values.size();
        JsonArray messages = new JsonArray();
        values.forEach(v -> messages.add(new JsonObject().put("value", v)));
        history.queueSending(values);
        HttpResponse<String> r = m.client.post("/v1/queues/" + QUEUE + "/messages", new JsonObject().put("messages", messages),
            () -> history.queueSendInDoubt(n));
        if (r.statusCode() >= 500) {
          history.queueSendInDoubt(n);
          backOff();
          return;
        }
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(n, new JsonObject(r.body()).getJsonArray("ids").size());
        history.queueAcknowledged(values);
      });
    }

    private void receiveAndAck(int receiver) throws Exception {
      for (int turn = receiver + 2; !stop.get(); turn++) {
        Member m = nextAvailable(turn);
        if (m == null) {
          backOff();
          continue;
        }
        try {
          m.client.receiveOnce(QUEUE, history, 20, 300, 0);
        } catch (IOException e) {
          backOff();
        }
      }
    }
  }

  private static long ms(long from, long to) {
    return TimeUnit.NANOSECONDS.toMillis(to - from);
  }

  /** Polls {@code condition} every 50 ms until it holds, or fails after {@code seconds}. */
  private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
    await(() -> what, seconds, condition);
  }

  private static void await(Supplier<String> what, int seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + seconds + " s: " + what.get());
      }
      Thread.sleep(50);
    }
  }
}
