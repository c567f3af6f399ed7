package io.sluice.api.internal;

import io.sluice.api.StoreClosedException;
import io.sluice.api.store.Leadership;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A mode on one node of a replicated store ({@link Leadership#distributed()}), where several nodes share the
 * same logs: each single writer of a log runs only on the node leading that log, so the event bus has one
 * handler per address (two would split a writer's state, e.g. producer idempotence or a queue's cursor).
 *
 * <ul>
 *   <li>The mode's registry runs on the node leading its {@code catalogue} state log: it starts when this
 *       node gains that leadership (replaying its state as after a restart) and stops when it loses it.</li>
 *   <li>Each other single writer runs on the node leading its log, per the {@link #layout} (which the
 *       registry answers): a pass deploys the writers of the logs this node leads and undeploys the rest.
 *       A pass runs on every leadership change, when the registry announces a change at
 *       {@code changedAddress} (layout fetched again), and every second (retrying failed starts).</li>
 * </ul>
 * Between a leader change and its notice reaching both nodes an address can briefly have no handler
 * (clients retry) or two: the old writer's appends are then forwarded to the new leader (writers are not
 * fenced by epoch yet), so for that moment a writer's state can be split.
 *
 * <p>Thread contract: confined to the verticle's context (leadership listeners are told on it).
 */
public abstract class LeaderFollower extends VerticleBase {

  private static final System.Logger LOG = System.getLogger("io.sluice.cluster");
  private static final long PASS_INTERVAL_MS = 1000;

  protected final LogStore store;
  private final String catalogue;
  private final List<String> stateLogs;
  private final LogOptions stateOptions;
  private final String changedAddress;
  private final Leadership leadership;
  private final Leadership.Listener listener = this::leadershipChanged;
  /** Log name to the deployment id of its writer running here. */
  private final Map<String, String> writers = new HashMap<>();
  private Map<String, Supplier<Deployable>> layout;
  private Future<String> registry;
  private Future<?> passes = Future.succeededFuture();
  /** The layout a pass waits for; failed by {@link #stop} so stopping never waits for a request nobody answers. */
  private Promise<Map<String, Supplier<Deployable>>> layoutWait;
  /** Registry starts and stops, apart from passes: a pass may wait seconds for a layout nobody serves yet. */
  private Future<?> roles = Future.succeededFuture();
  private MessageConsumer<Object> changed;
  private long timer = -1;
  private boolean stopped;
  private boolean stateLogsCreated;
  private boolean passPending;
  private boolean refreshPending;

  /**
   * @param catalogue the registry's state log: its leader runs the registry
   * @param stateLogs logs that must exist before anyone can lead them (the catalogue and other state logs)
   */
  protected LeaderFollower(LogStore store, String catalogue, List<String> stateLogs, LogOptions stateOptions, String changedAddress) {
    this.store = store;
    this.catalogue = catalogue;
    this.stateLogs = List.copyOf(stateLogs);
    this.stateOptions = stateOptions;
    this.changedAddress = changedAddress;
    this.leadership = store.leadership();
  }

  /** The registry to run while this node leads the catalogue. */
  protected abstract Deployable registry();

  /** Every single writer of the mode, by the log whose leader runs it (usually asked of the registry). */
  protected abstract Future<Map<String, Supplier<Deployable>>> layout();

  @Override
  public Future<?> start() {
    leadership.addListener(listener);
    changed = vertx.eventBus().consumer(changedAddress, m -> pass(true));
    // Not waiting for the state logs: they cannot be created before enough nodes joined; passes retry.
    return changed.completion().onSuccess(v -> {
      roles = step(roles, this::registryRole);
      pass(true);
      timer = vertx.setPeriodic(PASS_INTERVAL_MS, id -> pass(layout == null));
    });
  }

  /** Creates the state logs once (someone must, for one node to lead them and run the registry). */
  private Future<?> stateLogsCreated() {
    if (stateLogsCreated) {
      return Future.succeededFuture();
    }
    List<Future<?>> created = new ArrayList<>();
    stateLogs.forEach(log -> created.add(store.open(log, stateOptions)));
    return Future.all(created).onSuccess(v -> stateLogsCreated = true);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    leadership.removeListener(listener);
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (layoutWait != null) {
      // The layout request may have gone to a node that is stopping too (the bus drops it without an answer)
      // and would hold this stop for its whole timeout.
      layoutWait.tryFail(new StoreClosedException("stopping: the layout is no longer needed"));
    }
    Future<Void> unregistered = changed == null ? Future.succeededFuture() : changed.unregister();
    return unregistered.transform(v -> Future.join(passes, roles)).transform(c -> {
      List<Future<?>> undeploys = new ArrayList<>();
      writers.values().forEach(id -> undeploys.add(undeploy(id)));
      writers.clear();
      if (registry != null) {
        undeploys.add(registry.compose(this::undeploy));
      }
      return Future.join(undeploys);
    });
  }

  private void leadershipChanged(String log, boolean leader) {
    if (catalogue.equals(log)) {
      roles = step(roles, this::registryRole);
    } else {
      pass(layout == null || !layout.containsKey(log));
    }
  }

  /** Queues a pass unless one is already waiting (it then also refreshes if asked): passes never pile up. */
  private void pass(boolean refresh) {
    refreshPending |= refresh;
    if (passPending) {
      return;
    }
    passPending = true;
    passes = step(passes, () -> {
      passPending = false;
      boolean r = refreshPending;
      refreshPending = false;
      return reconcile(r);
    });
  }

  private Future<?> step(Future<?> previous, Supplier<Future<?>> step) {
    return previous.transform(v -> stopped ? Future.succeededFuture() : step.get()).recover(e -> {
      LOG.log(System.Logger.Level.DEBUG, "placing single writers failed (retried on the next pass)", e);
      return Future.succeededFuture();
    });
  }

  private Future<?> registryRole() {
    boolean lead = leadership.leads(catalogue);
    if (lead && registry == null) {
      registry = vertx.deployVerticle(registry());
      return registry.onFailure(e -> registry = null);
    }
    if (!lead && registry != null) {
      Future<String> r = registry;
      registry = null;
      return r.compose(this::undeploy);
    }
    return Future.succeededFuture();
  }

  private Future<?> reconcile(boolean refresh) {
    Future<Map<String, Supplier<Deployable>>> known = stateLogsCreated().compose(v ->
        refresh || layout == null ? fetchLayout() : Future.succeededFuture(layout));
    return known.compose(all -> {
      layout = all;
      List<Future<?>> steps = new ArrayList<>();
      all.forEach((log, writer) -> {
        if (leadership.leads(log) && !writers.containsKey(log)) {
          steps.add(vertx.deployVerticle(writer.get()).onSuccess(id -> writers.put(log, id)));
        }
      });
      for (String log : new ArrayList<>(writers.keySet())) {
        if (!all.containsKey(log) || !leadership.leads(log)) {
          steps.add(undeploy(writers.remove(log)));
        }
      }
      return Future.join(steps);
    });
  }

  private Future<Map<String, Supplier<Deployable>>> fetchLayout() {
    Promise<Map<String, Supplier<Deployable>>> wait = Promise.promise();
    layoutWait = wait;
    layout().onComplete(wait::tryComplete, wait::tryFail);
    return wait.future().onComplete(ar -> {
      if (layoutWait == wait) {
        layoutWait = null;
      }
    });
  }

  private Future<Void> undeploy(String id) {
    return vertx.deploymentIDs().contains(id) ? vertx.undeploy(id).recover(e -> Future.succeededFuture()) : Future.succeededFuture();
  }
}
