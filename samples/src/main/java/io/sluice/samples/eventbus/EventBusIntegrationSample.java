package io.sluice.samples.eventbus;

import io.sluice.api.store.LogStore;
import io.sluice.queue.BindOptions;
import io.sluice.queue.Queues;
import io.sluice.samples.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Sample 3, event-bus integration: an ordinary Vert.x application (a {@link JobProducer} that
 * {@code send}s jobs, a {@link JobWorker} that {@code reply()}s or {@code fail()}s) runs the same
 * {@link RestartScenario} twice: on the plain event bus, where the jobs sent while the worker restarts are
 * lost, and with its address pointed at a Sluice queue, where they wait in the queue and nothing is lost.
 *
 * <p>The whole change between the two runs is in {@link #durable}: the queue is bound to the worker's
 * address, and the producer is given the queue's address instead of the worker's.
 */
public final class EventBusIntegrationSample {

  public static final String QUEUE = "jobs";
  private static final long QUEUE_EMPTY_TIMEOUT_MS = 10_000;

  /**
   * @param dataDir    where the file store keeps the queue
   * @param jobs       how many jobs the producer sends
   * @param intervalMs one job every this many milliseconds
   * @param timeoutMs  how long the durable run may take to finish the last job
   */
  public record Settings(Path dataDir, int jobs, long intervalMs, long timeoutMs) {
  }

  /**
   * One run of the scenario.
   *
   * @param done                  distinct jobs the worker did
   * @param duplicates            jobs done more than once
   * @param unexplainedDuplicates duplicates that were not redeliveries of an unacked message (must be 0)
   * @param failed                jobs the worker answered with {@code fail()} once
   */
  public record Outcome(String path, int sent, int done, int lost, int duplicates, int unexplainedDuplicates,
      int failed) {
  }

  /** Both runs, side by side. */
  public record Comparison(Outcome plain, Outcome durable, long leftInQueue) {

    /** The durable path lost nothing and explains every duplicate; the plain path lost jobs. */
    public boolean proven() {
      return durable.lost() == 0 && durable.unexplainedDuplicates() == 0 && leftInQueue == 0 && plain.lost() > 0;
    }

    void print(PrintStream out) {
      out.printf("%n%-22s %6s %6s %6s %11s %9s%n", "path", "sent", "done", "lost", "duplicates", "fail()ed");
      for (Outcome o : new Outcome[] {plain, durable}) {
        out.printf("%-22s %6d %6d %6d %11d %9d%n", o.path(), o.sent(), o.done(), o.lost(), o.duplicates(), o.failed());
      }
      out.println("plain event bus: a job sent while no worker listens, or answered with fail(), is gone.");
      out.println("sluice queue: the queue kept those jobs and delivered them again; reply() acked each one.");
      out.println(proven()
          ? "PROVEN: with the queue nothing was lost across the worker's restart (duplicates only for unacked jobs: "
              + durable.duplicates() + "); the plain event bus lost " + plain.lost() + "."
          : "NOT PROVEN: see the counts above (left in the queue: " + leftInQueue + ").");
    }
  }

  private EventBusIntegrationSample() {
  }

  public static Future<Comparison> run(Vertx vertx, Settings settings, PrintStream out) {
    out.printf("event-bus integration: %d jobs, one every %d ms; the worker is undeployed after a third and back after two thirds%n",
        settings.jobs(), settings.intervalMs());
    return new RestartScenario(vertx, settings, out).run("plain event bus", JobWorker.ADDRESS, false)
        .compose(plain -> durable(vertx, settings, out)
            .map(durable -> new Comparison(plain, durable.outcome(), durable.leftInQueue())))
        .onSuccess(comparison -> comparison.print(out));
  }

  private record DurableRun(Outcome outcome, long leftInQueue) {
  }

  private static Future<DurableRun> durable(Vertx vertx, Settings settings, PrintStream out) {
    LogStore store = LogStore.create(vertx, "file", new JsonObject().put("dataDir", settings.dataDir().toString()));
    return Queues.create(vertx, store)
        .compose(queues -> queues.createQueue(QUEUE)
            // The queue feeds the worker's address: reply() acks, fail() or silence nacks. While the worker
            // is away the queue's deliveries find no handler; they come back after the nack delay.
            .compose(v -> queues.bindToAddress(QUEUE, JobWorker.ADDRESS,
                new BindOptions().setNackDelayMs(100).setReplyTimeoutMs(2_000)))
            // ... and the producer sends to the queue ("sluice.queue.jobs") instead of to the worker.
            .compose(binding -> new RestartScenario(vertx, settings, out).run("sluice queue 'jobs'", queues.address(QUEUE), true)
                .compose(outcome -> Waits.untilAsync(vertx,
                        () -> queues.describe(QUEUE).map(stats -> stats.depth() == 0), QUEUE_EMPTY_TIMEOUT_MS)
                    .compose(empty -> queues.describe(QUEUE))
                    .map(stats -> new DurableRun(outcome, stats.depth())))
                .eventually(binding::close))
            .eventually(queues::close))
        .eventually(store::close);
  }
}
