package io.sluice.broker.cli;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Sends standard input to the node, one record or message per line, a batch of lines per request
 * ({@link #MAX_LINES} lines or {@link #LINGER_MS} after a batch's first line, whichever comes first), like
 * {@code kafka-console-producer}. Prints {@code sent N <noun>s} at the end, or the per-line answers with
 * {@code --verbose}, or each request's JSON answer with {@code --json}. A refused batch stops the run with
 * the node's error, after saying how many lines earlier batches stored.
 *
 * <p>Runs on the command's thread.
 */
final class LineSender {

  static final int MAX_LINES = 500;
  static final long LINGER_MS = 50;
  /** Characters per batch, well inside the node's default 8 MiB body limit even for multi-byte text. */
  static final int MAX_CHARS = 1 << 20;

  /** The request body for a batch of lines; {@code firstLine} (from 1) numbers them in errors. */
  @FunctionalInterface
  interface Encoder {
    JsonObject body(List<String> lines, long firstLine);
  }

  /** Prints what the node answered for each line of a batch ({@code --verbose}). */
  @FunctionalInterface
  interface Reporter {
    void report(Session s, JsonObject answer);
  }

  private LineSender() {
  }

  static int send(Session s, String path, String noun, Encoder encoder, Reporter verbose) throws InterruptedException {
    StdinLines input = new StdinLines(s.in(), MAX_LINES, MAX_CHARS, LINGER_MS);
    long sent = 0;
    try {
      for (List<String> batch = input.nextBatch(); !batch.isEmpty(); batch = input.nextBatch()) {
        JsonObject answer = s.node().post(path, encoder.body(batch, sent + 1));
        sent += batch.size();
        if (s.json()) {
          s.out().println(answer.encode());
        } else if (verbose != null) {
          verbose.report(s, answer);
        }
        s.out().flush();
      }
    } catch (CliFailure e) {
      if (sent > 0) {
        s.err().println("sluice: " + count(sent, noun) + " sent before the batch that failed");
      }
      throw e;
    }
    if (!s.json() && verbose == null) {
      s.out().println("sent " + count(sent, noun));
    }
    return SluiceCli.OK;
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
