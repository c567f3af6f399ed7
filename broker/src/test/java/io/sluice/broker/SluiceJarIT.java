package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/** The fat jar as a person runs it: {@code java -jar sluice.jar ...} in its own process. */
class SluiceJarIT {

  /** Set by failsafe, which runs after the jar is packaged. */
  private static final String JAR_PROPERTY = System.getProperty("sluice.jar");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path workDir;

  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void needsThePackagedJar() {
    // A -Dtest pattern can pull this class into surefire, which runs before the jar exists.
    assumeTrue(JAR_PROPERTY != null, "runs under failsafe, after the package phase");
  }

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private Process launch(String... args) throws IOException {
    Path jar = Path.of(JAR_PROPERTY);
    assertTrue(Files.isRegularFile(jar), "the fat jar exists: " + jar);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.net.preferIPv4Stack=true", "-jar", jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectOutput(workDir.resolve("out.txt").toFile())
        .redirectError(workDir.resolve("err.txt").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private int exitWithin(Process p, long seconds) throws InterruptedException {
    assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "exited within " + seconds + " s");
    return p.exitValue();
  }

  private String out() throws IOException {
    return Files.readString(workDir.resolve("out.txt"));
  }

  private String err() throws IOException {
    return Files.readString(workDir.resolve("err.txt"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls /health until 200, failing fast if the process dies. */
  private void awaitHealthy(Process p, int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      assertTrue(p.isAlive(), "the node died: " + err());
      try {
        // The launcher prints its "node up" line just after the node turns UP: wait for both.
        if (get(port, "/health").statusCode() == 200 && out().contains("sluice: node up")) {
          return;
        }
      } catch (ConnectException | HttpTimeoutException e) {
        // not listening yet, or a JVM still starting on a loaded machine: ask again until the deadline
      }
      p.waitFor(100, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError("not healthy within 30 s; stderr: " + err());
  }

  @Test
  void helpListsEverySettingAndExitsZero() throws Exception {
    Process p = launch("--help");
    assertEquals(0, exitWithin(p, 30));
    String help = out();
    for (String s : List.of("--data-dir", "--http-host", "--http-port", "--store", "--config", "--cluster", "--node-id",
        "--cluster-host", "--cluster-port", "--join", "SLUICE_HTTP_PORT", "default 8080", "default ./data")) {
      assertTrue(help.contains(s), s + " in:\n" + help);
    }
  }

  @Test
  void anUnknownFlagIsOneLineAndExitCodeTwo() throws Exception {
    Process p = launch("--htp-port", "1");
    assertEquals(2, exitWithin(p, 30));
    assertEquals("sluice: unknown option '--htp-port' (see --help)", err().trim());
  }

  @Test
  void aTakenPortIsOneLineAndExitCodeOne() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      Process p = launch("--store", "memory", "--http-port", String.valueOf(taken.getLocalPort()));
      assertEquals(1, exitWithin(p, 30));
      assertEquals("sluice: port " + taken.getLocalPort() + " on 127.0.0.1 is in use", err().trim());
    }
  }

  @Test
  void servesUntilSigtermThenStopsCleanlyWithExitCodeZero() throws Exception {
    int port = freePort();
    // A drain budget far longer than the exit wait below: an idle node must not spend it.
    Process p = launch("--store", "memory", "--http-port", String.valueOf(port), "--shutdown-timeout-ms", "120000");
    awaitHealthy(p, port);
    assertTrue(get(port, "/metrics").body().contains("sluice_http_server_requests_seconds"));
    assertEquals(404, get(port, "/v1/nothing").statusCode());

    p.destroy(); // SIGTERM
    assertEquals(0, exitWithin(p, 60), "stderr: " + err());
    assertTrue(out().contains("sluice: stopped cleanly"), out());
  }

  @Test
  @EnabledIf("io.sluice.broker.FileStoreNodeTest#fileStoreOnClassPath")
  void byDefaultKeepsItsLogsInDataUnderTheWorkingDirectory() throws Exception {
    int port = freePort();
    Process p = launch("--http-port", String.valueOf(port));
    awaitHealthy(p, port);
    assertTrue(out().contains("(store: file in ./data)"), out());
    p.destroy();
    assertEquals(0, exitWithin(p, 10), "stderr: " + err());
    assertTrue(Files.isDirectory(workDir.resolve("data")));
  }
}
