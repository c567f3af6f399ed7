package io.sluice.broker.cli;

import static io.sluice.broker.testing.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.sluice.broker.testing.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/sluice} as a person runs it: through {@code /bin/sh}, a JVM per command, signals included. */
@ExtendWith(VertxExtension.class)
class SluiceScriptIT {

  /** Set by failsafe, which runs after the jar is packaged; the script finds the same jar from its own folder. */
  private static final String JAR_PROPERTY = System.getProperty("sluice.jar");
  private static final Path ROOT = JAR_PROPERTY != null
      ? Path.of(JAR_PROPERTY).toAbsolutePath().getParent().getParent().getParent()
      : Path.of("").toAbsolutePath().getParent();
  private static final Path SCRIPT = ROOT.resolve("bin/sluice");
  private static final Path JAR = ROOT.resolve("broker/target/sluice.jar");

  @TempDir
  Path work;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private Process sh(Path script, Map<String, String> env, Path stdin, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("/bin/sh", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
        .redirectOutput(work.resolve("out.txt").toFile())
        .redirectError(work.resolve("err.txt").toFile());
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
    pb.environment().putAll(env);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private static int exitWithin(Process p, long seconds) throws InterruptedException {
    assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "exited within " + seconds + " s");
    return p.exitValue();
  }

  private String file(String name) throws IOException {
    return Files.readString(work.resolve(name));
  }

  @Test
  void helpThroughTheScriptOrTheEntryClass() throws Exception {
    String help;
    if (Files.isRegularFile(JAR)) {
      Process p = sh(SCRIPT, Map.of(), null, "--help");
      assertEquals(SluiceCli.OK, exitWithin(p, 60), file("err.txt"));
      help = file("out.txt");
    } else {
      // No jar (a surefire run before the package phase): the same help from the entry class, said out loud.
      System.err.println("SluiceScriptIT: " + JAR + " is not built; checking the help of the entry class instead of bin/sluice");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int code = new SluiceCli(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
          System.err, Map.of()).run(List.of("--help"));
      assertEquals(SluiceCli.OK, code);
      help = out.toString(StandardCharsets.UTF_8);
    }
    assertTrue(help.startsWith("usage: sluice <command>"), help);
    assertTrue(help.contains("consume <topic>") && help.contains("node [settings]"), help);
  }

  @Test
  void nodeLeadsToTheNodesOwnSettings() throws Exception {
    assumeTrue(Files.isRegularFile(JAR), "needs " + JAR + " (built by the package phase)");
    Process p = sh(SCRIPT, Map.of(), null, "node", "--help");
    assertEquals(0, exitWithin(p, 60), file("err.txt"));
    assertTrue(file("out.txt").contains("--http-port"), file("out.txt"));
    assertEquals(2, exitWithin(sh(SCRIPT, Map.of(), null, "node", "--no-such-setting"), 60), "the node's bad-setting exit code");
    assertTrue(file("err.txt").contains("--no-such-setting"), file("err.txt"));
  }

  @Test
  void theScriptSaysHowToBuildTheJarWhenItIsMissing() throws Exception {
    Path copy = work.resolve("repo/bin/sluice");
    Files.createDirectories(copy.getParent());
    Files.copy(SCRIPT, copy);
    Process p = sh(copy, Map.of(), null, "topics", "list");
    assertEquals(1, exitWithin(p, 30));
    String err = file("err.txt");
    assertTrue(err.contains("broker/target/sluice.jar is not built") && err.contains("mvn -B -DskipTests package -pl broker -am"), err);
  }

  @Test
  void producesFromAPipeAndAFollowingConsumerStopsCleanlyOnSigterm(Vertx vertx) throws Exception {
    // A -Dtest pattern can pull this class into surefire, before the jar exists; failsafe always has it.
    assumeTrue(Files.isRegularFile(JAR), "needs " + JAR + " (built by the package phase)");
    SluiceNode node = await(SluiceNode.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0)));
    try {
      Map<String, String> env = Map.of(SluiceCli.URL_VARIABLE, "http://127.0.0.1:" + node.httpPort());
      assertEquals(0, exitWithin(sh(SCRIPT, env, null, "topics", "create", "feed", "--partitions", "2"), 60), file("err.txt"));
      Path lines = work.resolve("lines.txt");
      Files.writeString(lines, "a:1\nb:2\nc:3\n");
      assertEquals(0, exitWithin(sh(SCRIPT, env, lines, "produce", "feed", "--key-separator", ":"), 60), file("err.txt"));
      assertEquals("sent 3 records\n", file("out.txt"));

      Process follow = sh(SCRIPT, env, null, "consume", "feed", "--group", "watchers", "--from-beginning", "--follow");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (file("out.txt").split("\n").length < 3 || !file("out.txt").endsWith("\n")) {
        assertTrue(follow.isAlive(), "still following: " + file("err.txt"));
        assertTrue(System.nanoTime() < deadline, "printed within 60 s: " + file("out.txt"));
        Thread.sleep(50);
      }
      follow.destroy();
      assertEquals(SluiceCli.OK, exitWithin(follow, 20), "a clean stop on SIGTERM: " + file("err.txt"));
      assertEquals(List.of("1", "2", "3"), List.of(file("out.txt").split("\n")).stream().sorted().toList());

      JsonObject group = TestHttp.get(vertx, node.httpPort(), "/v1/groups/watchers").json();
      assertEquals(0, group.getJsonArray("members").size(), "left its group: " + group);
      long committed = 0;
      for (Object c : group.getJsonArray("committed")) {
        committed += ((JsonObject) c).getLong("offset");
      }
      assertEquals(3, committed, "committed what it printed: " + group);
    } finally {
      await(node.close());
    }
  }
}
