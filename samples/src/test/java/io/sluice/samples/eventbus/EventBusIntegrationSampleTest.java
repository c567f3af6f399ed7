package io.sluice.samples.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.samples.eventbus.EventBusIntegrationSample.Comparison;
import io.sluice.samples.eventbus.EventBusIntegrationSample.Outcome;
import io.sluice.samples.SampleTestBase;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the event-bus sample itself, small, and checks both of its claims. */
class EventBusIntegrationSampleTest extends SampleTestBase {

  private static final int JOBS = 150;

  @Test
  void theQueueKeepsWhatThePlainEventBusLosesWhileTheWorkerRestarts(@TempDir Path dataDir) throws Exception {
    Comparison result = EventBusIntegrationSample.run(vertx,
        new EventBusIntegrationSample.Settings(dataDir, JOBS, 3, 30_000),
        out).await(90, TimeUnit.SECONDS);
    String output = output();

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
