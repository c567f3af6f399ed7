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

/** A networked queue over HTTP with a tiny count: a real node in a child JVM, a positive rate, nothing left behind. */
class HttpQueueBenchSmokeTest {

  @Test
  void tinyRunAgainstANodeInAnotherJvm(@TempDir Path tmp) throws Exception {
    Path work = tmp.resolve("work");
    HttpQueueBench bench = new HttpQueueBench(work, 1);
    List<Figure> figures = bench.measure(List.of(FsyncPolicy.never()), List.of(100), List.of(3_000L));

    assertEquals(1, figures.size());
    Figure queue = figures.get(0);
    assertEquals("queue send/receive/ack (networked)", queue.scenario());
    assertEquals("fsync never", queue.durability());
    assertTrue(queue.rate().median() > 0, queue.toString());
    for (ProcessHandle p : bench.startedProcesses()) {
      assertFalse(p.isAlive(), "node " + p.pid() + " still running");
    }
    try (var left = Files.list(work)) {
      assertEquals(0, left.count(), "the node's data directory is deleted");
    }
  }
}
