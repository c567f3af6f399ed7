package io.sluice.broker.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * The fat jar ({@code -Dsluice.jar}, set by failsafe) started as a node in its own JVM on a loopback port
 * (a free one, or the one a restarted cluster member had), the way {@code SluiceJarIT} starts it;
 * {@link #kill()} is {@code kill -9} of exactly that process, {@link #pause()} and {@link #resume()} are
 * {@code kill -STOP} and {@code kill -CONT} of it. Each launch appends its output to
 * {@code node-out.txt}/{@code node-err.txt} in the work directory.
 *
 * <p>Not thread-safe: one test thread starts, waits for and kills a node.
 */
final class NodeProcess implements AutoCloseable {

  /** The jar failsafe built; null under surefire (which runs before packaging). */
  static final String JAR = System.getProperty("sluice.jar");

  private final Process process;
  private final int port;
  private final Path workDir;

  private NodeProcess(Process process, int port, Path workDir) {
    this.process = process;
    this.port = port;
    this.workDir = workDir;
  }

  /** The class-data archive a node started by {@link #startRecordingClasses} leaves at its clean exit. */
  private static final String CLASS_ARCHIVE = "node-classes.jsa";

  /**
   * Starts {@code java -jar sluice.jar --http-port <free> args...} in {@code workDir} and waits until healthy.
   * With the class-data archive of {@link #startRecordingClasses} in {@code workDir}, the JVM maps its
   * classes from it, which halves the start on a loaded machine.
   */
  static NodeProcess start(Path workDir, String... args) throws Exception {
    return start(workDir, freePort(), args);
  }

  /** Starts a node on HTTP port {@code port} (a cluster member restarted where its clients expect it). */
  static NodeProcess start(Path workDir, int port, String... args) throws Exception {
    Path archive = workDir.resolve(CLASS_ARCHIVE);
    return start(workDir, port, Files.isRegularFile(archive) ? "-XX:SharedArchiveFile=" + archive : "-Xshare:auto", args);
  }

  /** Starts a node that writes the class-data archive for later starts when it exits cleanly ({@link #stop()}). */
  static NodeProcess startRecordingClasses(Path workDir, String... args) throws Exception {
    return start(workDir, freePort(), "-XX:ArchiveClassesAtExit=" + workDir.resolve(CLASS_ARCHIVE), args);
  }

  private static NodeProcess start(Path workDir, int port, String classSharing, String... args) throws Exception {
    Path jar = Path.of(JAR);
    assertTrue(Files.isRegularFile(jar), "the fat jar exists: " + jar);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // A small, quickly started JVM: the loop restarts it dozens of times.
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", classSharing, "-Djava.net.preferIPv4Stack=true",
        "-jar", jar.toString(), "--http-port", String.valueOf(port)));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("node-out.txt").toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(workDir.resolve("node-err.txt").toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
    NodeProcess node = new NodeProcess(pb.start(), port, workDir);
    try {
      node.awaitHealthy();
    } catch (Exception | Error e) {
      node.kill();
      throw e;
    }
    return node;
  }

  int port() {
    return port;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** {@code kill -9}: SIGKILL to this process only, then waits for it to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the killed node exited");
  }

  /** {@code kill -STOP}: the process stops running (no heartbeats, no fetches, no answers) until {@link #resume()}. */
  void pause() throws Exception {
    signal("STOP");
  }

  /** {@code kill -CONT}. */
  void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + process.pid());
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, and waits for the clean exit (code 0). */
  void stop() throws Exception {
    process.destroy();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the node stopped within 60 s");
    assertEquals(0, process.exitValue(), "exit code; stderr: " + err());
  }

  /** The node's stderr so far (all launches in this work directory). */
  String err() throws IOException {
    Path p = workDir.resolve("node-err.txt");
    return Files.exists(p) ? Files.readString(p) : "";
  }

  private void awaitHealthy() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    // A clustered node also waits for its members and its leaderships: slower on a loaded machine.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      assertTrue(process.isAlive(), "the node died: " + err());
      try {
        HttpRequest req = HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(5)).build();
        if (http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (ConnectException | HttpTimeoutException e) {
        // not listening yet, or a JVM still starting on a loaded machine: ask again until the deadline
      }
      process.waitFor(50, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError("not healthy within 120 s; stderr: " + err());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
