package io.sluice.samples.eventbus;

import io.sluice.samples.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;

/**
 * The story both paths go through: the producer sends jobs at a steady pace; after the first third the
 * worker is undeployed (a restart, a crash, a rolling update), after the second third it is deployed again;
 * then we count what the worker did.
 *
 * <p>Thread contract: one instance runs once; its steps are chained futures, so they never run at the same time.
 */
final class RestartScenario {

  /** The plain bus delivers at once or never: this long without any work done means nothing more will come. */
  private static final long PLAIN_QUIET_MS = 500;

  private final Vertx vertx;
  private final EventBusIntegrationSample.Settings settings;
  private final PrintStream out;
  private final JobLog log = new JobLog();
  private String workerDeployment;

  RestartScenario(Vertx vertx, EventBusIntegrationSample.Settings settings, PrintStream out) {
    this.vertx = vertx;
    this.settings = settings;
    this.out = out;
  }

  /**
   * Runs the story with the producer sending to {@code producerAddress}. With {@code durable}, waits until
   * every job is done (up to the timeout); without, until the worker has been idle a moment.
   */
  Future<EventBusIntegrationSample.Outcome> run(String label, String producerAddress, boolean durable) {
    int jobs = settings.jobs();
    JobProducer producer = new JobProducer(producerAddress, jobs, settings.intervalMs());
    return deployWorker()
        .compose(v -> vertx.deployVerticle(producer))
        .compose(producerDeployment -> producer.sent(jobs / 3)
            .compose(v -> {
              out.printf("  %-20s worker undeployed after job %d%n", label + ":", jobs / 3);
              return vertx.undeploy(workerDeployment);
            })
            // At least a tenth of the jobs go out while the worker is away, however long the undeploy took.
            .compose(v -> producer.sent(Math.min(jobs, Math.max(2 * jobs / 3, producer.sentSoFar() + jobs / 10))))
            .compose(v -> deployWorker())
            .compose(v -> {
              out.printf("  %-20s worker deployed again after job %d%n", label + ":", producer.sentSoFar());
              return producer.sent(jobs);
            })
            .compose(v -> Waits.until(vertx,
                () -> log.jobsDone() >= jobs || (!durable && log.quietForMs() >= PLAIN_QUIET_MS), settings.timeoutMs()))
            .eventually(() -> Future.join(vertx.undeploy(producerDeployment), vertx.undeploy(workerDeployment))))
        .map(v -> new EventBusIntegrationSample.Outcome(label, jobs, log.jobsDone(), jobs - log.jobsDone(),
            log.duplicates(), log.unexplainedDuplicates(), log.failures()));
  }

  private Future<Void> deployWorker() {
    return vertx.deployVerticle(new JobWorker(log)).onSuccess(id -> workerDeployment = id).mapEmpty();
  }
}
