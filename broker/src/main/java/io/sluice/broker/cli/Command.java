package io.sluice.broker.cli;

import java.util.Set;

/**
 * One command of the CLI: its words ({@code "topics create"}), what it takes, its help, and what it does.
 *
 * @param name the command words
 * @param synopsis the arguments after the words, for the usage line
 * @param summary one line for the overview
 * @param options the option lines of its help (may be empty)
 * @param valueOptions options that take a value (without {@code --})
 * @param flagOptions options that do not
 * @param maxPositionals how many positional arguments it takes at most
 * @param action what it does
 */
record Command(String name, String synopsis, String summary, String options, Set<String> valueOptions,
    Set<String> flagOptions, int maxPositionals, Action action) {

  /** Runs a command on the caller's thread; answers the exit code, or throws a {@link CliFailure}. */
  @FunctionalInterface
  interface Action {
    int run(Args args, Session session) throws InterruptedException;
  }

  String usage() {
    return "usage: sluice " + name + (synopsis.isEmpty() ? "" : " " + synopsis);
  }

  String help() {
    return usage() + "\n\n" + summary + ".\n" + (options.isEmpty() ? "" : "\nOptions:\n" + options) + "\n" + SluiceCli.GLOBAL_OPTIONS;
  }
}
