package io.sluice.broker.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.broker.reliability.DeliveryHistory.Position;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node crash loop: the fat jar as a process, on the file store, with producers (topic records) and
 * queue producers and consumers over HTTP, killed with {@code kill -9} in the middle of their traffic and
 * restarted, {@code -Dsluice.node.crash.cycles} times (20; 100 with {@code -Plong}). A
 * {@link DeliveryHistory} per durability level then checks, against what the restarted node serves, that
 * every acknowledged record is readable at the offset it was acknowledged with, no offset was acknowledged
 * for two values, every acknowledged queue send is received unless it was settled, and nothing settled is
 * received again.
 *
 * <p>Each cycle drives two topics and two queues at once: with the default durability ({@code fsync=always},
 * acknowledged after fsync) and with {@code fsync=never} (acknowledged after the write to the page cache).
 * A {@code kill -9} leaves the page cache to the kernel, so both must lose nothing; only a power loss could
 * take the second's unsynced tail (RELIABILITY.md). The figures are printed for RELIABILITY.md.
 * The seed ({@code -Dsluice.node.crash.seed}) is printed and replays the kill timings.
 */
class NodeCrashLoopIT {

  private static final int CYCLES = Integer.getInteger("sluice.node.crash.cycles", Boolean.getBoolean("sluice.long") ? 100 : 20);
  private static final int PARTITIONS = 2;

  @TempDir
  Path workDir;

  /** One durability level: its topic, its queue and their history. */
  private record Level(String fsync, String topic, String queue, DeliveryHistory history) {
    Level(String fsync) {
      this(fsync, "crash-" + fsync, "crash-" + fsync, new DeliveryHistory("fsync=" + fsync));
    }
  }

  @Test
  void everyAcknowledgedRecordAndMessageSurvivesKillMinus9() throws Exception {
    assumeTrue(NodeProcess.JAR != null, "runs under failsafe, after the package phase");
    long seed = Long.getLong("sluice.node.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    String replay = " (replay: -Dsluice.node.crash.seed=" + seed + ")";
    List<Level> levels = List.of(new Level("always"), new Level("never"));
    String[] args = {"--data-dir", workDir.resolve("data").toString()};
    long t0 = System.nanoTime();

    try (NodeProcess node = NodeProcess.startRecordingClasses(workDir, args)) {
      NodeClient client = new NodeClient(node.port());
      for (Level l : levels) {
        // The default durability is fsync=always: only the comparison level names its policy.
        String fsync = l.fsync().equals("always") ? "" : ",\"fsync\":\"" + l.fsync() + "\"";
        assertEquals(201, client.send("PUT", "/v1/topics/" + l.topic(), "{\"partitions\":" + PARTITIONS + fsync + "}").statusCode());
        assertEquals(201, client.send("PUT", "/v1/queues/" + l.queue(), "{\"visibilityTimeoutMs\":2000" + fsync + "}").statusCode());
      }
      node.stop();
    }

    for (int cycle = 0; cycle < CYCLES; cycle++) {
      runAndKill(cycle, levels, args, random);
    }

    try (NodeProcess node = NodeProcess.start(workDir, args)) {
      NodeClient client = new NodeClient(node.port());
      List<String> report = new ArrayList<>();
      List<String> violations = new ArrayList<>();
      for (Level l : levels) {
        long topicLost = client.checkTopic(l.topic(), PARTITIONS, l.history());
        long queueLost = client.drainQueue(l.queue(), l.history());
        violations.addAll(l.history().violations());
        report.add(l.history().label() + ": " + l.history().figures() + "; lost: topic " + topicLost + ", queue " + queueLost
            + "; checker: " + l.history().counts());
        assertTrue(l.history().topicAcknowledgedCount() > 0 && l.history().queueAcknowledgedCount() > 0,
            "traffic was acknowledged at " + l.history().label());
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      System.out.println("NodeCrashLoopIT: " + CYCLES + " kill -9 cycles in " + seconds + " s, seed " + seed);
      report.forEach(line -> System.out.println("NodeCrashLoopIT:   " + line));
      assertEquals(List.of(), violations, "history violations" + replay);
    }
  }

  /** Starts the node, runs every level's traffic until each worker was answered and a random while more, kills it. */
  private void runAndKill(int cycle, List<Level> levels, String[] args, Random random) throws Exception {
    NodeProcess node = NodeProcess.start(workDir, args);
    NodeClient client = new NodeClient(node.port());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger answered = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (Level l : levels) {
      long s = random.nextLong();
      workers.add(worker("produce-" + l.topic(), failures, () -> produce(client, l, cycle, new Random(s), stop, answered)));
      workers.add(worker("send-" + l.queue(), failures, () -> sendMessages(client, l, cycle, new Random(s + 1), stop, answered)));
      workers.add(worker("receive-" + l.queue(), failures, () -> receiveAndAck(client, l, stop, answered)));
    }
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      // Kill while traffic flows: after every worker has had answers, plus 0-400 ms.
      while (answered.get() < workers.size() * 2 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(random.nextInt(400));
    } finally {
      node.kill();
      stop.set(true);
      for (Thread w : workers) {
        w.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!w.isAlive(), w.getName() + " stopped");
      }
    }
    if (!failures.isEmpty()) {
      AssertionError e = new AssertionError("cycle " + cycle + ": a client saw a wrong answer: " + failures.get(0), failures.get(0));
      failures.stream().skip(1).forEach(e::addSuppressed);
      throw e;
    }
  }

  private interface Work {
    void run() throws Exception;
  }

  private static Thread worker(String name, List<Throwable> failures, Work work) {
    Thread t = new Thread(() -> {
      try {
        work.run();
      } catch (IOException e) {
        // the node was killed under this request: expected, the request is in doubt
      } catch (Exception | AssertionError e) {
        failures.add(e);
      }
    }, name);
    t.start();
    return t;
  }

  private void produce(NodeClient client, Level l, int cycle, Random random,
      AtomicBoolean stop, AtomicInteger answered) throws Exception {
    for (int seq = 0; !stop.get(); ) {
      int n = 1 + random.nextInt(10);
      List<String> values = new ArrayList<>();
      List<Integer> partitions = new ArrayList<>();
      JsonArray records = new JsonArray();
      for (int i = 0; i < n; i++) {
        String v = l.topic() + "|" + cycle + "|" + seq++;
        int p = random.nextInt(PARTITIONS);
        values.add(v);
        partitions.add(p);
        records.add(new JsonObject().put("value", v).put("partition", p));
      }
      l.history().topicSending(values);
      HttpResponse<String> r = client.post("/v1/topics/" + l.topic() + "/records",
          new JsonObject().put("records", records), () -> l.history().topicInDoubt(n));
      answered.incrementAndGet();
      assertEquals(200, r.statusCode(), r.body());
      JsonArray offsets = new JsonObject(r.body()).getJsonArray("offsets");
      for (int i = 0; i < n; i++) {
        JsonObject at = offsets.getJsonObject(i);
        assertEquals(partitions.get(i), at.getInteger("partition"));
        l.history().topicAcknowledged(new Position(at.getInteger("partition"), at.getLong("offset")), values.get(i));
      }
    }
  }

  private void sendMessages(NodeClient client, Level l, int cycle, Random random,
      AtomicBoolean stop, AtomicInteger answered) throws Exception {
    for (int seq = 0; !stop.get(); ) {
      int n = 1 + random.nextInt(10);
      List<String> values = new ArrayList<>();
      JsonArray messages = new JsonArray();
      for (int i = 0; i < n; i++) {
        String v = l.queue() + "|q" + cycle + "|" + seq++;
        values.add(v);
        messages.add(new JsonObject().put("value", v));
      }
      l.history().queueSending(values);
      HttpResponse<String> r = client.post("/v1/queues/" + l.queue() + "/messages",
          new JsonObject().put("messages", messages), () -> l.history().queueSendInDoubt(n));
      answered.incrementAndGet();
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(n, new JsonObject(r.body()).getJsonArray("ids").size());
      l.history().queueAcknowledged(values);
    }
  }

  private void receiveAndAck(NodeClient client, Level l, AtomicBoolean stop, AtomicInteger answered)
      throws Exception {
    while (!stop.get()) {
      if (client.receiveOnce(l.queue(), l.history(), 20, 200, 0).isEmpty()) {
        continue;
      }
      answered.incrementAndGet();
    }
  }
}
