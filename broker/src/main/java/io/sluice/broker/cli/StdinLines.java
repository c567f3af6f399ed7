package io.sluice.broker.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Lines of standard input in batches: a batch closes at {@code maxLines} lines, {@code maxChars}
 * characters, or {@code lingerMs} after its first line, whichever comes first. So a pipe of a million
 * lines goes out in full batches, while a line typed at a terminal goes out at once instead of waiting
 * for more.
 *
 * <p>Why a thread: a read from stdin cannot be given a timeout, so a daemon thread reads lines into a
 * bounded queue (back-pressure when the node is slower than the input) and the command thread takes
 * batches from it with the linger as the timeout. The daemon thread ends at the end of input; a process
 * that exits while it still waits on a terminal does not wait for it.
 *
 * <p>{@link #nextBatch} is for one thread, the command's.
 */
final class StdinLines {

  /** A line, or the end of input ({@code text == null}); failure is set when the input broke. */
  private record Line(String text, IOException failure) {
  }

  private static final Line END = new Line(null, null);

  private final BlockingQueue<Line> lines;
  private final int maxLines;
  private final int maxChars;
  private final long lingerMs;
  private boolean ended;

  StdinLines(InputStream in, int maxLines, int maxChars, long lingerMs) {
    this.maxLines = maxLines;
    this.maxChars = maxChars;
    this.lingerMs = lingerMs;
    this.lines = new ArrayBlockingQueue<>(4 * maxLines);
    Thread reader = new Thread(() -> read(in), "sluice-stdin");
    reader.setDaemon(true);
    reader.start();
  }

  private void read(InputStream in) {
    Line last = END;
    try {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.put(new Line(line, null));
      }
    } catch (IOException e) {
      last = new Line(null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      lines.put(last);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The next batch; empty at the end of input (and from then on).
   *
   * @throws CliFailure when reading the input failed
   */
  List<String> nextBatch() throws InterruptedException {
    List<String> batch = new ArrayList<>();
    if (ended) {
      return batch;
    }
    Line line = lines.take();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lingerMs);
    int chars = 0;
    while (line != null) {
      if (line.text() == null) {
        ended = true;
        if (line.failure() != null) {
          throw CliFailure.usage("cannot read standard input: " + line.failure().getMessage());
        }
        break;
      }
      batch.add(line.text());
      chars += line.text().length();
      if (batch.size() >= maxLines || chars >= maxChars) {
        break;
      }
      line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    return batch;
  }
}
