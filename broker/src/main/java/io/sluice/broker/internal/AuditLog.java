package io.sluice.broker.internal;

import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line per admin action and per denied request: to the {@code io.sluice.audit} logger always, and as
 * JSON lines to a file when one is configured. File writes run on one dedicated thread, never on an event
 * loop; the queue in front of it is bounded, and lines that do not fit are counted and reported in the log
 * instead of growing the heap.
 *
 * <p>Thread-safe.
 */
final class AuditLog implements AutoCloseable {

  private static final Logger LOG = System.getLogger("io.sluice.audit");
  private static final int MAX_PENDING = 100_000;

  private final ExecutorService writer;
  private final BufferedWriter out;
  private final AtomicLong dropped = new AtomicLong();

  private AuditLog(ExecutorService writer, BufferedWriter out) {
    this.writer = writer;
    this.out = out;
  }

  /** An audit log to the logger only. */
  static AuditLog loggerOnly() {
    return new AuditLog(null, null);
  }

  /** An audit log writing to {@code file} (appending), or to the logger only when {@code file} is null. */
  static AuditLog open(String file) throws IOException {
    if (file == null) {
      return loggerOnly();
    }
    Path path = Path.of(file).toAbsolutePath();
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(MAX_PENDING), r -> {
      Thread t = new Thread(r, "sluice-audit-writer");
      t.setDaemon(true);
      return t;
    }, (r, executor) -> { });
    return new AuditLog(writer, out);
  }

  /** Records one event: {@code outcome} is the HTTP status the request got. */
  void record(String event, String principal, String method, String path, int outcome, String remote, String detail) {
    JsonObject line = new JsonObject()
        .put("time", Instant.now().toString())
        .put("event", event)
        .put("principal", principal)
        .put("method", method)
        .put("path", path)
        .put("status", outcome)
        .put("remote", remote);
    if (detail != null) {
      line.put("detail", detail);
    }
    String text = line.encode();
    LOG.log(Level.INFO, text);
    if (writer != null && !writer.isShutdown()) {
      int before = ((ThreadPoolExecutor) writer).getQueue().size();
      if (before >= MAX_PENDING) {
        long n = dropped.incrementAndGet();
        if (n == 1 || n % 10_000 == 0) {
          LOG.log(Level.WARNING, "audit file writer is behind; " + n + " lines went to the logger only");
        }
        return;
      }
      writer.execute(() -> write(text));
    }
  }

  private void write(String text) {
    try {
      out.write(text);
      out.newLine();
      out.flush();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot write the audit file: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    writer.shutdown();
    try {
      if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.log(Level.WARNING, "audit writer did not finish within 5 s");
      }
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot close the audit file: " + e.getMessage());
    }
  }
}
