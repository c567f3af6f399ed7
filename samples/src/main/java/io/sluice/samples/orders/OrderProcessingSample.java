package io.sluice.samples.orders;

import io.sluice.api.store.LogStore;
import io.sluice.queue.QueueConfig;
import io.sluice.queue.Queues;
import io.sluice.samples.Deployments;
import io.sluice.samples.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sample 1, order processing: a generator places orders on the {@code orders} queue, three processors
 * compete for them (CLIENT acks), invalid orders are nacked until {@link #MAX_DELIVERIES} deliveries are
 * used up and then sit in {@code orders.dlq} with the reason. At the end a ledger keyed by order id proves
 * that every valid order was processed exactly once.
 *
 * <p>Everything runs embedded: a file store in {@code dataDir}, the queues on it, the verticles beside
 * them, in the caller's {@code Vertx}. {@link #run} is what {@code java -jar sluice-samples.jar
 * order-processing} and the test both call.
 */
public final class OrderProcessingSample {

  public static final String ORDERS = "orders";
  public static final String ORDERS_DLQ = "orders.dlq";
  /** Deliveries an order gets before the queue gives up on it. */
  public static final int MAX_DELIVERIES = 3;
  static final int PROCESSORS = 3;

  private static final String[] SKUS = {"kettle", "teapot", "mug", "strainer", "tray"};
  private static final long QUEUE_EMPTY_TIMEOUT_MS = 10_000;

  /**
   * @param dataDir      where the file store keeps the queues
   * @param orders       how many orders to place
   * @param invalidEvery every n-th order has a negative quantity (and must end in the DLQ)
   * @param timeoutMs    how long to wait for the last order before reporting what happened
   */
  public record Settings(Path dataDir, int orders, int invalidEvery, long timeoutMs) {
  }

  private OrderProcessingSample() {
  }

  /** Runs the sample, printing progress and the report to {@code out}; completes with the report. */
  public static Future<OrderReport> run(Vertx vertx, Settings settings, PrintStream out) {
    List<Order> orders = orders(settings.orders(), settings.invalidEvery());
    LogStore store = LogStore.create(vertx, "file", new JsonObject().put("dataDir", settings.dataDir().toString()));
    return Queues.create(vertx, store)
        .compose(queues -> new Scenario(vertx, queues, orders, settings, out).run().eventually(queues::close))
        .eventually(store::close)
        .onSuccess(report -> report.print(out));
  }

  /** One run: queues, processors, then the orders; wait for the last of them; report. */
  private static final class Scenario {

    private final Vertx vertx;
    private final Queues queues;
    private final List<Order> orders;
    private final Settings settings;
    private final PrintStream out;
    private final OrderLedger ledger = new OrderLedger();
    private final DeadLetterAuditor auditor;
    private final OrderGenerator generator;
    private final Deployments deployments;
    private final long invalid;

    Scenario(Vertx vertx, Queues queues, List<Order> orders, Settings settings, PrintStream out) {
      this.vertx = vertx;
      this.queues = queues;
      this.orders = orders;
      this.settings = settings;
      this.out = out;
      this.deployments = new Deployments(vertx);
      this.auditor = new DeadLetterAuditor(queues);
      this.generator = new OrderGenerator(queues, orders);
      this.invalid = orders.stream().filter(o -> !o.valid()).count();
    }

    Future<OrderReport> run() {
      long valid = orders.size() - invalid;
      out.printf("order-processing: %d orders (%d invalid) -> queue '%s', %d processors, maxDeliveries %d, DLQ '%s'%n",
          orders.size(), invalid, ORDERS, PROCESSORS, MAX_DELIVERIES, ORDERS_DLQ);
      long progress = vertx.setPeriodic(1000, id -> out.printf("  booked %d/%d valid orders, %d/%d invalid in the DLQ%n",
          ledger.distinctOrders(), valid, auditor.deadLetters().size(), invalid));

      // The dead-letter queue must exist before a queue can name it.
      return queues.createQueue(ORDERS_DLQ)
          .compose(v -> queues.createQueue(ORDERS, new QueueConfig()
              .setMaxDeliveries(MAX_DELIVERIES)
              .setDeadLetterQueue(ORDERS_DLQ)))
          .compose(v -> deployConsumers())
          // The processors are waiting before the first order arrives, so they compete from the start.
          .compose(v -> deployments.deploy(generator))
          .compose(v -> generator.allSent())
          .compose(v -> Waits.until(vertx,
              () -> ledger.distinctOrders() >= valid && auditor.deadLetters().size() >= invalid, settings.timeoutMs()))
          // Booked is not yet acked: wait until the queue has stored the last ack.
          .compose(done -> Waits.untilAsync(vertx,
              () -> queues.describe(ORDERS).map(stats -> stats.depth() == 0), QUEUE_EMPTY_TIMEOUT_MS))
          .compose(empty -> queues.describe(ORDERS))
          .map(stats -> OrderReport.of(orders, ledger, auditor.deadLetters(), stats.depth()))
          .eventually(() -> {
            vertx.cancelTimer(progress);
            return deployments.undeployAll();
          });
    }

    /** The processors and the dead-letter auditor, in parallel. */
    private Future<Void> deployConsumers() {
      List<Future<Void>> deployed = new ArrayList<>();
      deployed.add(deployments.deploy(auditor));
      for (int i = 1; i <= PROCESSORS; i++) {
        deployed.add(deployments.deploy(new OrderProcessor("processor-" + i, queues, ledger)));
      }
      return Future.all(deployed).mapEmpty();
    }
  }

  /** Orders {@code order-00001...}; every {@code invalidEvery}-th one has quantity -1. */
  static List<Order> orders(int count, int invalidEvery) {
    List<Order> orders = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      int quantity = i % invalidEvery == 0 ? -1 : 1 + i % 4;
      orders.add(new Order(String.format("order-%05d", i), SKUS[i % SKUS.length], quantity));
    }
    return orders;
  }
}
