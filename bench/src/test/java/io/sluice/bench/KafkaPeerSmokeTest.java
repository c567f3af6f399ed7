package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka peer for real with tiny counts: a KRaft broker and Kafka's perf tools as child JVMs, their output
 * parsed into positive figures, every child process gone and the broker's files deleted afterwards.
 */
class KafkaPeerSmokeTest {

  @Test
  void tinyRunAgainstARealBrokerReportsFiguresAndLeavesNothingBehind(@TempDir Path tmp) throws Exception {
    Path work = tmp.resolve("work");
    KafkaPeer peer = new KafkaPeer(work, 1, 300);
    List<KafkaPeer.Sized> figures = peer.measure(List.of(100), List.of(5_000L));

    assertEquals(1, figures.size());
    Figure produce = figures.get(0).produce();
    assertTrue(produce.rate().median() > 0, produce.toString());
    assertTrue(produce.latency().offeredPerSec() > 0, produce.toString());
    assertTrue(produce.latency().maxMs() >= produce.latency().p50Ms(), produce.toString());
    assertEquals(4, produce.partitions());
    assertEquals(100, produce.recordBytes());
    assertTrue(produce.system().startsWith("Kafka 4."), produce.system());
    Figure consume = figures.get(0).consume();
    assertTrue(consume.rate().median() > 0, consume.toString());

    List<ProcessHandle> started = peer.startedProcesses();
    assertTrue(started.size() >= 6, "format, broker, topic, 2 producers, paced producer, consumer: " + started.size());
    for (ProcessHandle p : started) {
      assertFalse(p.isAlive(), "child " + p.pid() + " still running");
    }
    try (var left = Files.list(work)) {
      assertEquals(0, left.count(), "the broker's data directory is deleted");
    }
  }

  @Test
  void parsesTheToolsResultLines() {
    KafkaPeer.ProducerResult p = KafkaPeer.ProducerResult.parse(List.of("noise",
        "2000000 records sent, 93971.714514 records/sec (8.96 MB/sec), 2289.58 ms avg latency, 3796.00 ms max latency, "
            + "2214 ms 50th, 3253 ms 95th, 3677 ms 99th, 3782 ms 99.9th."));
    assertEquals(2_000_000, p.records());
    assertEquals(93971.714514, p.recordsPerSec(), 1e-6);
    assertEquals(3677, p.p99Ms(), 0);
    assertEquals(3796, p.maxMs(), 0);
    KafkaPeer.ConsumerResult c = KafkaPeer.ConsumerResult.parse(List.of(
        "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec",
        "2026-11-24 22:20:31:025, 2026-11-24 22:20:34:428, 190.7349, 56.0490, 2000000, 587716.7205, 1415, 1988, 95.9431, 1006036.2173"));
    assertEquals(2_000_000, c.records());
    assertEquals(1006036.2173, c.fetchRecordsPerSec(), 1e-6);
  }
}
