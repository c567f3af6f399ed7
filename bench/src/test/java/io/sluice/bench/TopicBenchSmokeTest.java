package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.store.FsyncPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the topic scenario in a tiny mode: it must produce non-zero figures, write its files and leave no work dir. */
class TopicBenchSmokeTest {

  @Test
  void tinyRunReportsFiguresAndWritesResults(@TempDir Path tmp) throws Exception {
    Path work = tmp.resolve("work");
    Path out = tmp.resolve("out");
    TopicBench bench = new TopicBench(true, work, out, 1, 200, 200,
        List.of(new TopicBench.StoreSetting("memory", "memory", FsyncPolicy.never()),
            new TopicBench.StoreSetting("file", "file", FsyncPolicy.never())),
        List.of(100));
    bench.run();

    assertTrue(Files.exists(out.resolve("topic-quick.md")));
    JsonObject json = new JsonObject(Files.readString(out.resolve("topic-quick.json")));
    JsonArray results = json.getJsonArray("results");
    assertEquals(2, results.size());
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      assertEquals(100, r.getInteger("recordBytes"));
      assertEquals(4, r.getInteger("partitions"));
      assertEquals(1, r.getInteger("nodes"));
      assertTrue(r.getJsonObject("producedPerSec").getDouble("median") > 0, r.encode());
      assertTrue(r.getJsonObject("consumedPerSec").getDouble("median") > 0, r.encode());
      JsonObject latency = r.getJsonObject("latency");
      assertTrue(latency.getDouble("offeredRatePerSec") > 0, r.encode());
      assertTrue(latency.getJsonObject("maxMs").getDouble("median") > 0, r.encode());
      assertTrue(latency.getJsonObject("p99Ms").getDouble("median") <= latency.getJsonObject("maxMs").getDouble("median"), r.encode());
    }
    String md = Files.readString(out.resolve("topic-quick.md"));
    assertTrue(md.contains("| file | fsync never | 100 B |"), md);
    assertFalse(Files.exists(work), "the work directory is removed");
  }
}
