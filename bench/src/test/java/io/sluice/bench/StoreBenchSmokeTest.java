package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store scenario in quick mode: it runs, reports non-zero figures, writes its files and cleans up. */
class StoreBenchSmokeTest {

  @Test
  void quickRunReportsFiguresAndWritesResults(@TempDir Path tmp) throws Exception {
    Path work = tmp.resolve("work");
    Path out = tmp.resolve("out");
    new StoreBench(true, work, out).run();

    JsonObject json = new JsonObject(Files.readString(out.resolve("store-quick.json")));
    assertTrue(json.getJsonObject("machine").getDouble("rawDiskWriteMBps") > 0);
    JsonArray results = json.getJsonArray("results");
    assertEquals(2 * 2 * 2 * 2 + 2, results.size(), "16 append cells (2 policies, 2 sizes, 2 batch sizes, 1 and 16 appenders) and 2 reads");
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      assertTrue(r.getDouble("recordsPerSec") > 0, r.encode());
    }
    assertTrue(Files.readString(out.resolve("store-quick.md")).contains("| always | 100 B | 100 | 16 |"));
    assertFalse(Files.exists(work), "the work directory is removed");
  }
}
