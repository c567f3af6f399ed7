package io.sluice.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher behind {@code java -jar sluice-samples.jar}: exit codes and argument errors. */
class SamplesTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @Test
  void withoutArgumentsItPrintsUsageAndExits2() {
    assertEquals(2, Samples.run(List.of(), out));
    assertTrue(printed.toString(StandardCharsets.UTF_8).contains("usage: java -jar sluice-samples.jar"));
  }

  @Test
  void helpExits0() {
    assertEquals(0, Samples.run(List.of("--help"), out));
  }

  @Test
  void anUnknownSampleOrABadNumberExits2(@TempDir Path dataDir) {
    assertEquals(2, Samples.run(List.of("weather", "--data-dir", dataDir.toString()), out));
    assertTrue(printed.toString(StandardCharsets.UTF_8).contains("unknown sample 'weather'"));
    assertEquals(2, Samples.run(List.of("order-processing", "--orders", "many", "--data-dir", dataDir.toString()), out));
    assertTrue(printed.toString(StandardCharsets.UTF_8).contains("--orders takes a positive whole number, got 'many'"));
    assertEquals(2, Samples.run(List.of("order-processing", "stray"), out));
  }

  @Test
  void aSampleThatProvesItsClaimsExits0(@TempDir Path dataDir) {
    assertEquals(0, Samples.run(List.of("order-processing", "--orders", "40", "--invalid-every", "8",
        "--data-dir", dataDir.toString()), out), printed.toString(StandardCharsets.UTF_8));
    assertTrue(printed.toString(StandardCharsets.UTF_8).contains("PROVEN"));
  }
}
