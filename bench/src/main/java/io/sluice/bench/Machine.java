package io.sluice.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about the machine a run was measured on, printed at the top of every result. */
final class Machine {

  private Machine() {
  }

  static JsonObject facts(Path dataDir) {
    long memory = -1;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      memory = os.getTotalMemorySize();
    }
    String fs = "?";
    try {
      fs = Files.getFileStore(dataDir).type();
    } catch (IOException e) {
      // the file system type is informative only
    }
    return new JsonObject()
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("memoryGiB", memory >> 30)
        .put("jvm", StoreBench.jvm())
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"))
        .put("dataDirFileSystem", fs);
  }

  static String describe(JsonObject facts) {
    return "Machine: " + facts.getInteger("cores") + " cores, " + facts.getLong("memoryGiB") + " GiB, "
        + facts.getString("os") + ", " + facts.getString("jvm") + ", data dir on " + facts.getString("dataDirFileSystem");
  }
}
