package io.sluice.broker.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code sluice} command-line tool: {@code topics}, {@code produce}, {@code consume}, {@code queues}
 * and {@code groups} commands that talk to a node's HTTP API, for people at a terminal (aligned tables)
 * and for scripts ({@code --json}). {@code java -jar sluice.jar <command> ...} reaches it through
 * {@link io.sluice.broker.Main}; {@code sluice help} lists the commands.
 *
 * <p>Exit codes: {@link #OK} 0, {@link #NODE_ERROR} 1 (the node answered an error, printed as
 * {@code error: <code>: <message>}), {@link #USAGE} 2 (bad arguments, with the usage), {@link #UNREACHABLE}
 * 3 (no node at the URL). Expected failures print one line, never a stack trace.
 *
 * <p>Thread contract: {@link #run} runs one command at a time on the caller's thread; {@link #stop} may be
 * called from any thread (a shutdown hook) while it runs.
 */
public final class SluiceCli {

  public static final int OK = 0;
  public static final int NODE_ERROR = 1;
  public static final int USAGE = 2;
  public static final int UNREACHABLE = 3;
  /** A command stopped before it finished (128 + SIGINT, as shells report it). */
  public static final int INTERRUPTED = 130;

  public static final String DEFAULT_URL = "http://127.0.0.1:8080";
  public static final String URL_VARIABLE = "SLUICE_URL";

  static final String GLOBAL_OPTIONS = """
      Global options:
        --url URL  the node (default: $SLUICE_URL, else http://127.0.0.1:8080)
        --json     print the node's JSON instead of text (one object per line for records and messages)
        --help     this help
      """;

  private static final String USAGE_LINE = "usage: sluice <command> [arguments] [options]";
  /** How long a shutdown hook lets a stopped command finish (commit, leave its group) before the JVM exits. */
  private static final long STOP_GRACE_MS = 10_000;
  private static final Set<String> GLOBAL_VALUES = Set.of("url");
  private static final Set<String> GLOBAL_FLAGS = Set.of("json", "help");
  /** Words followed by a sub-command. */
  private static final Set<String> GROUP_WORDS = Set.of("topics", "queues", "groups");

  private static final Map<String, Command> COMMANDS = commands();

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private volatile boolean stopping;
  /** The thread running a command, to interrupt on stop(); guarded by {@code this}. */
  private Thread runner;

  public SluiceCli(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
  }

  private static Map<String, Command> commands() {
    List<Command> all = new ArrayList<>();
    all.addAll(TopicCommands.all());
    all.add(ConsumeCommand.command());
    all.addAll(QueueCommands.all());
    all.addAll(GroupCommands.all());
    Map<String, Command> byName = new LinkedHashMap<>();
    all.forEach(c -> byName.put(c.name(), c));
    return byName;
  }

  /**
   * True when {@code word}, the first argument, starts a CLI command rather than a node's settings: a
   * command word, {@code help}, or a global option given before the command ({@code --url}, {@code --json}),
   * which no node setting is.
   */
  public static boolean isCommand(String word) {
    return word.equals("help") || GROUP_WORDS.contains(word) || !word.contains(" ") && COMMANDS.containsKey(word)
        || word.equals("--json") || word.equals("--url") || word.startsWith("--url=");
  }

  /**
   * The process entry: runs one command with the real terminal and exits with its code. On Ctrl-C or
   * SIGTERM the command is stopped ({@link #stop}) and given a few seconds to finish cleanly.
   */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
        false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    SluiceCli cli = new SluiceCli(System.in, out, err, System.getenv());
    CountDownLatch finished = new CountDownLatch(1);
    AtomicInteger code = new AtomicInteger(OK);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (finished.getCount() == 0) {
        return;
      }
      cli.stop();
      try {
        if (finished.await(STOP_GRACE_MS, TimeUnit.MILLISECONDS)) {
          // Exit with the command's own code (0 after a clean stop), not the signal's; as the node does.
          Runtime.getRuntime().halt(code.get());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "sluice-stop"));
    code.set(cli.run(List.of(args)));
    finished.countDown();
    System.exit(code.get());
  }

  /** Asks the running command to stop: a consumer commits what it printed and leaves its group. */
  public void stop() {
    synchronized (this) {
      stopping = true;
      if (runner != null) {
        runner.interrupt();
      }
    }
  }

  /** Runs one command ({@code args} as typed after {@code sluice}); answers its exit code. */
  public int run(List<String> args) {
    synchronized (this) {
      runner = Thread.currentThread();
    }
    try {
      if (stopping) {
        return INTERRUPTED;
      }
      return dispatch(args);
    } finally {
      synchronized (this) {
        runner = null;
      }
      // A stop() that raced the end of the command must not leave the caller's thread interrupted; after the
      // block above no later stop() can interrupt it.
      Thread.interrupted();
      out.flush();
      err.flush();
    }
  }

  private int dispatch(List<String> typed) {
    // Global options typed before the command words go after them, where every command parses its options.
    List<String> leading = new ArrayList<>();
    int first = 0;
    while (first < typed.size()) {
      String a = typed.get(first);
      if (a.equals("--json") || a.startsWith("--url=")) {
        leading.add(a);
        first++;
      } else if (a.equals("--url") && first + 1 < typed.size()) {
        leading.add(a);
        leading.add(typed.get(first + 1));
        first += 2;
      } else {
        break;
      }
    }
    List<String> args = typed.subList(first, typed.size());
    if (args.isEmpty()) {
      err.print(overview());
      return USAGE;
    }
    String word = args.get(0);
    if (word.equals("help") || word.equals("--help") || word.equals("-h")) {
      return help(args.subList(1, args.size()));
    }
    Command command;
    int words;
    if (GROUP_WORDS.contains(word)) {
      String sub = args.size() > 1 ? args.get(1) : null;
      if (sub == null || sub.startsWith("-")) {
        if (args.contains("--help")) {
          out.print(groupHelp(word));
          return OK;
        }
        err.println("sluice: " + word + " needs a sub-command");
        err.print(groupHelp(word));
        return USAGE;
      }
      command = COMMANDS.get(word + " " + sub);
      if (command == null) {
        err.println("sluice: unknown command '" + word + " " + sub + "'");
        err.print(groupHelp(word));
        return USAGE;
      }
      words = 2;
    } else {
      command = COMMANDS.get(word);
      if (command == null) {
        err.println("sluice: unknown command '" + word + "'");
        err.println(USAGE_LINE);
        err.println("('sluice help' lists the commands)");
        return USAGE;
      }
      words = 1;
    }
    List<String> rest = new ArrayList<>(leading);
    rest.addAll(args.subList(words, args.size()));
    if (rest.contains("--help")) {
      out.print(command.help());
      return OK;
    }
    try {
      return execute(command, rest);
    } catch (CliFailure f) {
      if (f.exitCode() == USAGE) {
        err.println("sluice: " + f.getMessage());
        err.println(command.usage());
        err.println("('sluice " + command.name() + " --help' explains the options)");
      } else {
        err.println(f.line());
      }
      return f.exitCode();
    } catch (InterruptedException e) {
      err.println("sluice: stopped");
      return INTERRUPTED;
    }
  }

  private int execute(Command command, List<String> rest) throws InterruptedException {
    Set<String> values = new HashSet<>(command.valueOptions());
    values.addAll(GLOBAL_VALUES);
    Set<String> flags = new HashSet<>(command.flagOptions());
    flags.addAll(GLOBAL_FLAGS);
    Args args = Args.parse(rest, values, flags).atMostPositionals(command.maxPositionals());
    String fromEnv = env.get(URL_VARIABLE);
    String url = NodeClient.checkUrl(args.value("url", fromEnv == null || fromEnv.isEmpty() ? DEFAULT_URL : fromEnv));
    Session session = new Session(new NodeClient(url), in, out, err, args.flag("json"), () -> stopping);
    return command.action().run(args, session);
  }

  private int help(List<String> words) {
    if (words.isEmpty()) {
      out.print(overview());
      return OK;
    }
    Command command = COMMANDS.get(String.join(" ", words));
    if (command != null) {
      out.print(command.help());
      return OK;
    }
    if (words.size() == 1 && GROUP_WORDS.contains(words.get(0))) {
      out.print(groupHelp(words.get(0)));
      return OK;
    }
    err.println("sluice: no command '" + String.join(" ", words) + "'");
    err.print(overview());
    return USAGE;
  }

  private static String groupHelp(String word) {
    StringBuilder text = new StringBuilder("usage: sluice " + word + " <command> ...\n\n");
    Table table = new Table();
    COMMANDS.values().stream().filter(c -> c.name().startsWith(word + " "))
        .forEach(c -> table.row("  " + c.name() + (c.synopsis().isEmpty() ? "" : " " + c.synopsis().split(" ")[0]), c.summary()));
    return text.append(table.render()).append("\n'sluice ").append(word).append(" <command> --help' explains a command's options.\n")
        .toString();
  }

  private static String overview() {
    Table table = new Table();
    for (Command c : COMMANDS.values()) {
      table.row("  " + c.name() + (c.synopsis().isEmpty() ? "" : " " + c.synopsis().split(" ")[0]), c.summary());
    }
    table.row("  node [settings]", "Start a node here (sluice node --help lists its settings)");
    return USAGE_LINE + "\n\n"
        + "Talks to a Sluice node over its HTTP API.\n\nCommands:\n"
        + table.render() + "\n" + GLOBAL_OPTIONS
        + "\nExit codes: 0 ok, 1 the node answered an error, 2 bad usage, 3 cannot connect to the node.\n"
        + "'sluice <command> --help' explains a command's options.\n";
  }
}
