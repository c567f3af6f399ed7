package io.sluice.broker.cli;

/**
 * An expected way for a command to fail, with the exit code and the one line a person sees: a usage
 * error (2), an error the node answered (1), or a node that cannot be reached (3). Never printed with a
 * stack trace.
 *
 * <p>Immutable.
 */
final class CliFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;
  /** The node's error code ({@code unknown_topic}, ...) when the node answered; otherwise null. */
  private final String nodeCode;

  private CliFailure(int exitCode, String nodeCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.nodeCode = nodeCode;
  }

  static CliFailure usage(String message) {
    return new CliFailure(SluiceCli.USAGE, null, message);
  }

  /** The node refused the request: {@code code} is its wire code, {@code message} its explanation. */
  static CliFailure node(String code, String message) {
    return new CliFailure(SluiceCli.NODE_ERROR, code, message);
  }

  static CliFailure unreachable(String message) {
    return new CliFailure(SluiceCli.UNREACHABLE, null, message);
  }

  int exitCode() {
    return exitCode;
  }

  /** The line for stderr. */
  String line() {
    return nodeCode != null ? "error: " + nodeCode + ": " + getMessage() : "error: " + getMessage();
  }
}
