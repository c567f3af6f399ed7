package io.sluice.broker.internal;

import io.sluice.api.InvalidArgumentException;
import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The standalone node's life: settings in, a {@code Vertx} with Prometheus metrics, the node, and a
 * clean stop. Everything it tells a person is one line on {@code out} or {@code err}, never a stack trace.
 *
 * <p>{@link #launch} runs on the main thread, {@link #stop} on the shutdown-hook thread; the node future
 * is the only state they share, and it is volatile.
 */
public final class Launcher {

  /** Exit codes, as printed by {@code --help}. */
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int BAD_SETTINGS = 2;
  /** {@link #launch} returns this when a node is running and the process must stay up. */
  public static final int RUNNING = -1;

  static final String METRICS_REGISTRY = "sluice";
  /** Beyond the HTTP drain, how long the services and the store get to close. */
  private static final long CLOSE_MARGIN_MS = 30_000;

  private final PrintStream out;
  private final PrintStream err;
  private volatile Vertx vertx;
  private volatile Future<SluiceNode> node;
  private volatile NodeOptions options;

  public Launcher(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /**
   * Parses the settings and starts a node. Blocks until it is up.
   *
   * @return {@link #RUNNING} when a node is up, else the exit code (help, bad settings, failed start)
   */
  public int launch(List<String> args, Map<String, String> env) {
    NodeSettings.Outcome outcome = NodeSettings.parse(args, env);
    if (outcome instanceof NodeSettings.Help help) {
      out.print(help.text());
      return OK;
    }
    if (outcome instanceof NodeSettings.Invalid invalid) {
      err.println("sluice: " + invalid.message());
      return BAD_SETTINGS;
    }
    NodeOptions opts = ((NodeSettings.Run) outcome).options();
    try {
      SecuritySetup.checkStartable(opts);
    } catch (InvalidArgumentException e) {
      err.println("sluice: " + e.getMessage());
      return BAD_SETTINGS;
    }
    if (!opts.isCluster()) {
      // A clustered node runs on a clustered Vert.x of its own (without Vert.x's metrics in /metrics).
      opts.setMetricsRegistryName(METRICS_REGISTRY);
    }
    options = opts;
    vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setRegistryName(METRICS_REGISTRY)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))))
        .withMetrics(new MicrometerMetricsFactory())
        .build();
    Future<SluiceNode> started = SluiceNode.start(vertx, opts);
    node = started;
    try {
      SluiceNode n = started.await();
      String store = opts.getStore().equals("file") ? "file in " + opts.getDataDir() : opts.getStore();
      out.println("sluice: node up, HTTP API on http://" + opts.getHttpHost() + ":" + n.httpPort() + " (store: " + store + ")");
      return RUNNING;
    } catch (RuntimeException e) {
      err.println("sluice: " + startFailure(e));
      closeVertx();
      return FAILED;
    }
  }

  /**
   * Stops a running node (waiting for a start in progress first): drains HTTP, closes the services and
   * the store, closes {@code Vertx}.
   *
   * @return the exit code, or {@link #RUNNING} when no node was started (the process exits on its own code)
   */
  public int stop() {
    Future<SluiceNode> started = node;
    if (started == null) {
      return RUNNING;
    }
    long budget = options.getShutdownTimeoutMs() + CLOSE_MARGIN_MS;
    SluiceNode n;
    try {
      n = started.await(budget, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | RuntimeException e) {
      // The start failed: launch() reports it and decides the exit code.
      return RUNNING;
    }
    out.println("sluice: stopping (in-flight requests get " + options.getShutdownTimeoutMs() + " ms)");
    try {
      n.close().await(budget, TimeUnit.MILLISECONDS);
      closeVertx();
      out.println("sluice: stopped cleanly");
      return OK;
    } catch (TimeoutException e) {
      err.println("sluice: the node did not stop within " + budget + " ms");
      return FAILED;
    } catch (RuntimeException e) {
      err.println("sluice: stopped with an error: " + e.getMessage());
      closeVertx();
      return FAILED;
    }
  }

  private void closeVertx() {
    Vertx v = vertx;
    if (v != null) {
      try {
        v.close().await(CLOSE_MARGIN_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | RuntimeException e) {
        err.println("sluice: Vert.x did not close cleanly: " + e.getMessage());
      }
    }
  }

  private static String startFailure(Throwable e) {
    if (e instanceof IllegalStateException) {
      return e.getMessage();
    }
    return "cannot start the node: " + e.getMessage();
  }
}
