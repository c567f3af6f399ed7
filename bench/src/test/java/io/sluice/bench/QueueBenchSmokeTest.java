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

/** Runs the queue scenario in a tiny mode: both systems measure something and the result files are written. */
class QueueBenchSmokeTest {

  @Test
  void tinyRunMeasuresBothSystemsAndWritesResults(@TempDir Path dir) throws Exception {
    Path work = dir.resolve("work");
    Path out = dir.resolve("out");
    new QueueBench(work, out, "queue-smoke", 1, 300, new int[] {100}, List.of(FsyncPolicy.never()), true).run();

    assertTrue(Files.readString(out.resolve("queue-smoke.md")).contains("| Sluice queue (file store) | fsync never | 100 B | flat out |"));
    JsonArray results = new JsonObject(Files.readString(out.resolve("queue-smoke.json"))).getJsonArray("results");
    assertEquals(4, results.size(), "flat and paced rows for IQueue and for Sluice");
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      assertTrue(r.getDouble("messagesPerSec") > 0, r.encode());
      assertTrue(r.getJsonObject("latencyMicros").getLong("count") > 0, r.encode());
      assertEquals(1, r.getInteger("nodes"));
    }
    assertFalse(Files.exists(work), "the store's temp dirs are removed");
  }
}
