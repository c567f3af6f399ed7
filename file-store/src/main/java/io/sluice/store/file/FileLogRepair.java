package io.sluice.store.file;

import io.sluice.store.file.internal.LogRepair;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's tool for a file store's data directory, run while no store has it open:
 *
 * <pre>
 * java -cp &lt;sluice jars&gt; io.sluice.store.file.FileLogRepair &lt;dataDir&gt; [--truncate] [log ...]
 * </pre>
 *
 * Verifies every batch of every segment of the named logs (default: all), whatever the clean-shutdown
 * marker says, and prints one line per log. Without {@code --truncate} it only reports (cutting a torn
 * write at the very end, as any open does) and exits with 2 if a log is corrupt. With {@code --truncate}
 * each corrupt log is cut at its first damaged batch: the damaged bytes and every later segment are moved
 * to {@code <dataDir>/<log>/quarantine/<millis>/} (not deleted) and the log continues from the damaged
 * offset; the same as opening with {@code onCorruption=truncate}.
 *
 * <p>Exit codes: 0 all logs clean (or repaired), 1 usage or I/O error, 2 corruption found and left in place.
 */
public final class FileLogRepair {

  private FileLogRepair() {
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** {@link #main} without exiting, for tests and embedding; returns the exit code. */
  public static int run(String... args) {
    String dataDir = null;
    boolean truncate = false;
    List<String> logs = new ArrayList<>();
    for (String a : args) {
      if (a.equals("--truncate")) {
        truncate = true;
      } else if (a.startsWith("-")) {
        return usage("unknown option " + a);
      } else if (dataDir == null) {
        dataDir = a;
      } else {
        logs.add(a);
      }
    }
    if (dataDir == null) {
      return usage("no data directory given");
    }
    try {
      return LogRepair.run(Paths.get(dataDir), truncate, logs, System.out);
    } catch (IOException | RuntimeException e) {
      System.err.println("repair failed: " + e);
      return LogRepair.ERROR;
    }
  }

  private static int usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: FileLogRepair <dataDir> [--truncate] [log ...]");
    return LogRepair.ERROR;
  }
}
