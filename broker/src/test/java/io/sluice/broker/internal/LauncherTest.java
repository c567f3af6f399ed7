package io.sluice.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone launcher in-process: what a person sees, and the exit code, for each outcome. */
class LauncherTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Launcher launcher = new Launcher(new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8));

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private void assertOneLineOnStderr() {
    assertEquals(1, err().lines().count(), err());
    assertTrue(err().startsWith("sluice: "), err());
    assertTrue(!err().contains("Exception") && !err().contains("\tat "), "no stack trace: " + err());
  }

  @Test
  void helpPrintsTheSettingsAndExitsZero() {
    assertEquals(Launcher.OK, launcher.launch(List.of("--help"), Map.of()));
    assertTrue(out().startsWith("Usage: java -jar sluice.jar"));
    assertTrue(out().contains("--http-port <port>"));
    assertTrue(out().contains("SLUICE_HTTP_PORT"));
    assertEquals("", err());
    assertEquals(Launcher.RUNNING, launcher.stop(), "nothing to stop");
  }

  @Test
  void aBadSettingIsOneLineAndExitCodeTwo() {
    assertEquals(Launcher.BAD_SETTINGS, launcher.launch(List.of("--http-port", "eighty"), Map.of()));
    assertOneLineOnStderr();
    assertEquals("sluice: bad value for --http-port: 'eighty' is not a whole number\n", err().replace("\r", ""));
  }

  @Test
  void aNonLoopbackAddressWithoutAuthenticationIsRefusedWithExitCodeTwo() {
    assertEquals(Launcher.BAD_SETTINGS, launcher.launch(List.of("--store", "memory", "--http-host", "0.0.0.0"), Map.of()));
    assertOneLineOnStderr();
    assertTrue(err().contains("without authentication") && err().contains("--allow-insecure"), err());
  }

  @Test
  void aBadClusterNameIsOneLineAndExitCodeTwo() {
    assertEquals(Launcher.BAD_SETTINGS, launcher.launch(List.of("--cluster", "--cluster-name", "no spaces"), Map.of()));
    assertOneLineOnStderr();
    assertTrue(err().contains("--cluster-name"), err());
  }

  @Test
  void aTakenPortIsOneLineAndExitCodeOne(@TempDir Path data) throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();
      assertEquals(Launcher.FAILED, launcher.launch(List.of("--store", "memory", "--http-port", String.valueOf(port)),
          Map.of("SLUICE_DATA_DIR", data.toString())));
      assertOneLineOnStderr();
      assertEquals("sluice: port " + port + " on 127.0.0.1 is in use", err().trim());
    }
    assertEquals(Launcher.RUNNING, launcher.stop(), "a failed start leaves nothing to stop");
  }

  @Test
  void runsWithVertxMetricsAndStopsCleanly(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("node.json");
    Files.writeString(config, "{\"store\": \"memory\", \"httpPort\": 0}");
    assertEquals(Launcher.RUNNING, launcher.launch(List.of("--config", config.toString()), Map.of()));
    try {
      String up = out().trim();
      assertTrue(up.matches("sluice: node up, HTTP API on http://127\\.0\\.0\\.1:\\d+ \\(store: memory\\)"), up);
      String base = up.substring(up.indexOf("http://"), up.indexOf(" (store"));
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode());
      String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("sluice_http_server_requests_seconds_bucket"), "Sluice's meters");
      assertTrue(metrics.contains("vertx_http_server_"), "Vert.x's own meters share the registry");
      assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM meters");
    } finally {
      assertEquals(Launcher.OK, launcher.stop());
    }
    assertTrue(out().contains("sluice: stopped cleanly"), out());
    assertEquals("", err());
  }
}
