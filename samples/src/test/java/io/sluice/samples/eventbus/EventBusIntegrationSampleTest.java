package io.sluice.samples.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.samples.eventbus.EventBusIntegrationSample.Comparison;
import io.sluice.samples.eventbus.EventBusIntegrationSample.Outcome;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the event-bus sample itself, small, and checks both of its claims. */
class EventBusIntegrationSampleTest {

  private static final int JOBS = 150;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theQueueKeepsWhatThePlainEventBusLosesWhileTheWorkerRestarts(@TempDir Path dataDir) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Comparison result = EventBusIntegrationSample.run(vertx,
        new EventBusIntegrationSample.Settings(dataDir, JOBS, 3, 30_000),
        new PrintStream(printed, true, StandardCharsets.UTF_8)).await(90, TimeUnit.SECONDS);
    String output = printed.toString(StandardCharsets.UTF_8);

    Outcome durable = result.durable();
    assertEquals(JOBS, durable.sent());
    assertEquals(JOBS, durable.done(), output);
    assertEquals(0, durable.lost(), output);
    assertEquals(0, durable.unexplainedDuplicates(), "a job done twice without a redelivery: " + output);
    assertEquals(JOBS / 10, durable.failed(), "every tenth job fails once, then comes back: " + output);
    assertEquals(0, result.leftInQueue(), "every reply() acked its message");

    Outcome plain = result.plain();
    assertEquals(JOBS, plain.done() + plain.lost());
    // Jobs sent while the worker was away are lost, on top of the ones it failed.
    assertTrue(plain.lost() > plain.failed(), output);
    assertEquals(0, plain.duplicates());

    assertTrue(result.proven(), output);
    assertTrue(output.contains("PROVEN: with the queue nothing was lost"), output);
  }
}
