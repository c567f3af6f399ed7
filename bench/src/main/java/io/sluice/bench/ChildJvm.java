package io.sluice.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A peer's process: a child JVM started with a class path, a main class and arguments, its stdout and stderr
 * merged, copied line by line to a log file and offered to waiters ({@link #awaitLine}). {@link #close()}
 * stops it by its PID (SIGTERM, then SIGKILL after a grace period, its descendants too); a JVM shutdown hook
 * does the same if the bench itself is stopped, so no child outlives the bench.
 *
 * <p>Thread contract: started and closed from one plain thread; a daemon thread per child reads its output.
 */
final class ChildJvm implements AutoCloseable {

  private static final long GRACE_SECONDS = 10;

  private final String name;
  private final Process process;
  private final Path log;
  private final Thread hook;
  private final Thread reader;
  private final List<Waiter> waiters = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

  private record Waiter(Predicate<String> match, CompletableFuture<String> found) {
  }

  private ChildJvm(String name, Process process, Path log) throws IOException {
    this.name = name;
    this.process = process;
    this.log = log;
    this.hook = new Thread(this::kill, "stop-" + name);
    Runtime.getRuntime().addShutdownHook(hook);
    Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
    this.reader = new Thread(() -> copy(out), name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code mainClass} in a new JVM (the same Java as the bench) with {@code jvmOptions}, logging to
   * {@code log}; with {@code -Dsluice.bench.childJfr=<dir>} the child also writes a JFR recording there. Every output line is also kept in memory (a few thousand lines at most for the peers), so a
   * line printed before {@link #awaitLine} was called is still found.
   */
  static ChildJvm start(String name, String classPath, List<String> jvmOptions, String mainClass, List<String> args,
      Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    String jfrDir = System.getProperty("sluice.bench.childJfr");
    if (jfrDir != null) {
      // Profiling where a networked scenario's time goes: every child records itself (JFR's "profile" settings).
      command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
          + Path.of(jfrDir, name + "-" + System.nanoTime() + ".jfr"));
    }
    // The children print numbers: one locale, so the bench parses what it reads.
    command.add("-Duser.language=en");
    command.add("-Duser.country=US");
    command.add("-Djava.net.preferIPv4Stack=true");
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new ChildJvm(name, p, log);
  }

  /**
   * Waits up to {@code seconds} for a line that says the child is ready; otherwise stops it and throws, naming
   * {@code what} and its log.
   */
  ChildJvm awaitReady(Predicate<String> ready, long seconds, String what) {
    try {
      awaitLine(ready).get(seconds, TimeUnit.SECONDS);
      return this;
    } catch (Exception e) {
      close();
      List<String> all = lines();
      throw new IllegalStateException(what + " did not start in " + seconds + " s; its last lines: "
          + all.subList(Math.max(0, all.size() - 20), all.size()) + " (all in " + log + ")", e);
    }
  }

  long pid() {
    return process.pid();
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  /** Completes with the first output line that matches, or fails if the output ends without one. */
  CompletableFuture<String> awaitLine(Predicate<String> match) {
    CompletableFuture<String> found = new CompletableFuture<>();
    synchronized (waiters) {
      for (String line : lines) {
        if (match.test(line)) {
          found.complete(line);
          return found;
        }
      }
      waiters.add(new Waiter(match, found));
    }
    return found;
  }

  /** Waits, at most {@code seconds}, for the child to exit; its exit code. */
  int awaitExit(long seconds) throws InterruptedException, TimeoutException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new TimeoutException(name + " (pid " + pid() + ") still running after " + seconds + " s");
    }
    try {
      // The output copy ends at end of stream; the lines must all be in before the caller parses them.
      reader.join(TimeUnit.SECONDS.toMillis(GRACE_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw e;
    }
    return process.exitValue();
  }

  /** Every output line so far. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is running or has run kill()
    }
  }

  private void kill() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  private void copy(Writer out) {
    try (out; BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        synchronized (waiters) {
          lines.add(line);
          for (Waiter w : waiters) {
            if (!w.found().isDone() && w.match().test(line)) {
              w.found().complete(line);
            }
          }
          waiters.removeIf(w -> w.found().isDone());
        }
      }
      out.flush();
    } catch (IOException e) {
      // The child was killed while we read: its log simply ends here.
    } finally {
      synchronized (waiters) {
        for (Waiter w : waiters) {
          w.found().completeExceptionally(new IllegalStateException(name + " ended its output without the awaited line"));
        }
        waiters.clear();
      }
    }
  }

  /** A TCP port free on 127.0.0.1 now (the child binds it moments later). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
