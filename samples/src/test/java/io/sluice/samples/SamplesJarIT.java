package io.sluice.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as the README runs it, in its own process: proves the jar's manifest, its merged
 * {@code META-INF/services} (the file store is found through {@code ServiceLoader}) and the exit code.
 */
class SamplesJarIT {

  private static final Path JAR = Path.of(System.getProperty("sluice.samples.jar", "target/sluice-samples.jar"));

  @Test
  void eachSampleRunsFromTheJarAndExits0(@TempDir Path work) throws Exception {
    assertTrue(Files.isRegularFile(JAR), "build the jar first: " + JAR);
    assertSampleProves(work, "order-processing", "--orders", "60", "--invalid-every", "6");
    assertSampleProves(work, "event-bus", "--jobs", "60", "--interval-ms", "3");
    assertSampleProves(work, "channel-subscription", "--records", "30", "--interval-ms", "5", "--http-port", "0");
  }

  private static void assertSampleProves(Path work, String... args) throws Exception {
    Path log = work.resolve(args[0] + ".log");
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      assertTrue(process.waitFor(90, TimeUnit.SECONDS), args[0] + " did not finish");
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertEquals(0, process.exitValue(), output);
      assertTrue(output.contains("PROVEN"), output);
    } finally {
      process.destroyForcibly();
    }
  }
}
