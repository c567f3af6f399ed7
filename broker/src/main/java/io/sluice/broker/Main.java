package io.sluice.broker;

import io.sluice.broker.cli.SluiceCli;
import io.sluice.broker.internal.Launcher;
import java.util.List;

/**
 * The standalone node: {@code java -jar sluice.jar [options]} ({@code --help} lists them), also spelt
 * {@code sluice.jar node [options]}. Starts a {@link SluiceNode} in its own {@code Vertx} and stops it
 * gracefully on SIGTERM or Ctrl-C. When the first argument is a command word ({@code topics},
 * {@code produce}, {@code consume}, {@code queues}, {@code groups}, {@code help}) it runs that command of
 * the {@link SluiceCli command-line tool} against a node instead.
 *
 * <p>Runs on the main thread; the shutdown hook stops the node on its own thread.
 *
 * <p>Exit codes: 0 after a clean stop (or {@code --help}), 1 when the node cannot start (for example the
 * port is in use) or did not stop cleanly, 2 for bad settings.
 */
public final class Main {

  private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && SluiceCli.isCommand(args[0])) {
      SluiceCli.main(args);
      return;
    }
    // "node" lets the sluice script start a node with the same word list as the commands.
    List<String> settings = args.length > 0 && args[0].equals("node") ? List.of(args).subList(1, args.length) : List.of(args);
    if (System.getProperty(LOG_FORMAT) == null) {
      // One line per log record instead of the JDK's two.
      System.setProperty(LOG_FORMAT, "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
    }
    Launcher launcher = new Launcher(System.out, System.err);
    // Installed before the start, so a SIGTERM during a long store recovery still closes cleanly.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      int code = launcher.stop();
      if (code != Launcher.RUNNING) {
        // A JVM ended by SIGTERM exits with 143 even after a clean stop; halting here reports what
        // actually happened (0 clean, 1 not). It skips later hooks, and the node was the one that mattered.
        Runtime.getRuntime().halt(code);
      }
    }, "sluice-shutdown"));
    int code = launcher.launch(settings, System.getenv());
    if (code != Launcher.RUNNING) {
      System.exit(code);
    }
  }
}
