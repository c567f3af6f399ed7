package io.sluice.samples;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;

/** A Vert.x per test, closed after it, and the sample's printed output to check. */
public abstract class SampleTestBase {

  protected final Vertx vertx = Vertx.vertx();
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  /** Where the sample prints. */
  protected final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @AfterEach
  void closeVertx() throws Exception {
    try {
      // Longer than a node's shutdown drain (10 s by default) and a consumer's close bound (10 s).
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // A close that hangs says where: every thread's stack, for the CI log.
      Thread.getAllStackTraces().forEach((thread, stack) -> {
        System.err.println("thread " + thread.getName());
        Arrays.stream(stack).forEach(frame -> System.err.println("    at " + frame));
      });
      throw e;
    }
  }

  /** What the sample printed so far. */
  protected String output() {
    return printed.toString(StandardCharsets.UTF_8);
  }
}
