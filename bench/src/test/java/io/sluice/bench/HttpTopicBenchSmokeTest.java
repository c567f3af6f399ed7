package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.store.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Networked Sluice over HTTP with tiny counts: a real node in a child JVM, positive figures, nothing left behind. */
class HttpTopicBenchSmokeTest {

  @Test
  void tinyRunAgainstANodeInAnotherJvm(@TempDir Path tmp) throws Exception {
    Path work = tmp.resolve("work");
    HttpTopicBench bench = new HttpTopicBench(work, 1, 300);
    List<Figure> figures = bench.measure(List.of(FsyncPolicy.never()), List.of(100), List.of(5_000L));

    assertEquals(2, figures.size(), "produce and consume");
    Figure produce = figures.get(0);
    assertEquals("topic produce (networked)", produce.scenario());
    assertTrue(produce.rate().median() > 0, produce.toString());
    assertTrue(produce.latency().offeredPerSec() > 0, produce.toString());
    assertTrue(produce.latency().maxMs() >= produce.latency().p99Ms(), produce.toString());
    assertEquals("acks=leader, fsync never", produce.durability());
    assertTrue(figures.get(1).rate().median() > 0, figures.get(1).toString());
    for (ProcessHandle p : bench.startedProcesses()) {
      assertFalse(p.isAlive(), "node " + p.pid() + " still running");
    }
    try (var left = Files.list(work)) {
      assertEquals(0, left.count(), "the node's data directory is deleted");
    }
  }
}
