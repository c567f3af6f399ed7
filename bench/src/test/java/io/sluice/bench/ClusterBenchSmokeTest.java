package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.store.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sluice over the clustered event bus with tiny runs: real nodes and a real client, each in a child JVM; positive
 * figures labelled with their node count and durability, the cluster verdicts, and nothing left behind.
 */
class ClusterBenchSmokeTest {

  @Test
  void networkedOnOneNodeThenThreeReplicatedNodes(@TempDir Path tmp) throws Exception {
    Path work = tmp.resolve("work");
    // 1 s runs: a fresh client JVM on a loaded machine may settle nothing within a shorter window (a rate of 0).
    ClusterBench bench = new ClusterBench(work, 1, 1000, 1000);
    List<Figure> figures = new ArrayList<>(bench.networked(List.of(FsyncPolicy.never()), List.of(100), List.of("topic", "queue")));

    assertEquals(List.of("topic produce (networked)", "topic consume (networked)", "queue send/receive/ack (networked)"),
        figures.stream().map(Figure::scenario).toList());
    for (Figure f : figures) {
      assertEquals(1, f.nodes(), f.toString());
      assertEquals("acks=leader (RF 1), fsync never", f.durability());
    }
    assertTrue(figures.get(0).latency().maxMs() >= figures.get(0).latency().p99Ms(), figures.get(0).toString());
    assertTrue(figures.get(2).latency().offeredPerSec() > 0, figures.get(2).toString());

    List<Figure> three = bench.threeNodes(List.of(FsyncPolicy.never()), List.of(100));
    assertEquals(List.of("topic produce (cluster)", "topic consume (cluster)"), three.stream().map(Figure::scenario).toList());
    assertEquals(List.of(3, 3), three.stream().map(Figure::nodes).toList());
    assertEquals("acks=all, RF 2, minInSync 2, fsync never", three.get(0).durability());
    figures.addAll(three);
    for (Figure f : figures) {
      assertTrue(f.rate().median() > 0, f.toString());
      assertTrue(f.system().startsWith(ClusterBench.SYSTEM), f.system());
    }
    List<String> verdicts = ClusterBench.verdicts(figures);
    assertEquals(2, verdicts.size(), verdicts.toString());
    assertTrue(verdicts.get(0).startsWith("100 B: topic produce (cluster), 3 nodes (acks=all, RF 2, minInSync 2) vs 1 node"),
        verdicts.get(0));
    assertCleanedUp(bench, work);
  }

  private static void assertCleanedUp(ClusterBench bench, Path work) throws Exception {
    assertFalse(bench.startedProcesses().isEmpty());
    for (ProcessHandle p : bench.startedProcesses()) {
      assertFalse(p.isAlive(), "child " + p.pid() + " still running");
    }
    try (var left = Files.list(work)) {
      assertEquals(0, left.count(), "the nodes' data directories are deleted");
    }
  }
}
