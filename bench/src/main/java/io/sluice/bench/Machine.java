package io.sluice.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

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

  /** {@link #describe} and what a whole run adds: the raw disk write rate it measured, the load before and after. */
  static String describeRun(JsonObject facts) {
    // A run without the store scenario (bench cluster, or peers without its result file) has no disk figure.
    String disk = facts.containsKey("rawDiskWriteMBps")
        ? String.format(Locale.ROOT, ", raw disk write %.0f MB/s (measured in the run)", facts.getDouble("rawDiskWriteMBps")) : "";
    return describe(facts) + disk + String.format(Locale.ROOT, ", load average %.2f at start and %.2f at end (the machine is "
        + "shared)", facts.getDouble("loadAverageAtStart", -1.0), facts.getDouble("loadAverageAtEnd", -1.0));
  }

  /** The 1-minute system load average (the machine is shared: a figure means little without it). */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
