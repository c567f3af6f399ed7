package io.sluice.samples;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/** A Vert.x per test, closed after it, and the sample's printed output to check. */
public abstract class SampleTestBase {

  protected final Vertx vertx = Vertx.vertx();
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  /** Where the sample prints. */
  protected final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @AfterEach
  void closeVertx() throws Exception {
    // Longer than a node's shutdown drain (10 s by default), which a node left serving spends on in-flight requests.
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** What the sample printed so far. */
  protected String output() {
    return printed.toString(StandardCharsets.UTF_8);
  }
}
