package io.sluice.api.internal;

import io.sluice.api.store.Leadership;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Leadership} a replicated store feeds with {@link #changed}: it keeps the set of logs this node
 * leads and hands each change to every listener on the context that added it.
 *
 * <p>Thread contract: thread-safe; {@link #changed} must be called by one thread (or context) at a time,
 * in the order the changes happened, so every listener sees them in that order.
 */
public final class LeadershipTracker implements Leadership {

  /** The local store's leadership: every log led, nothing ever changes. */
  public static final Leadership LOCAL = new Leadership() {
    @Override
    public boolean leads(String log) {
      return true;
    }

    @Override
    public boolean distributed() {
      return false;
    }

    @Override
    public void addListener(Listener listener) {
      // Nothing ever moves on a local store.
    }

    @Override
    public void removeListener(Listener listener) {
      // Nothing registered.
    }
  };

  private final Set<String> led = ConcurrentHashMap.newKeySet();
  /** Listener to the context it was added on (empty: added off any context, told on the thread calling {@link #changed}). */
  private final Map<Listener, Optional<Context>> listeners = new ConcurrentHashMap<>();

  @Override
  public boolean leads(String log) {
    return led.contains(log);
  }

  @Override
  public boolean distributed() {
    return true;
  }

  @Override
  public void addListener(Listener listener) {
    listeners.put(Objects.requireNonNull(listener, "listener"), Optional.ofNullable(Vertx.currentContext()));
  }

  @Override
  public void removeListener(Listener listener) {
    if (listener != null) {
      listeners.remove(listener);
    }
  }

  /** Records that this node started or stopped leading {@code log}, then tells every listener. */
  public void changed(String log, boolean leader) {
    if (leader) {
      led.add(log);
    } else {
      led.remove(log);
    }
    listeners.forEach((l, ctx) -> {
      if (ctx.isPresent()) {
        ctx.get().runOnContext(v -> tell(l, log, leader));
      } else {
        tell(l, log, leader);
      }
    });
  }

  private static void tell(Listener l, String log, boolean leader) {
    try {
      l.leadershipChanged(log, leader);
    } catch (RuntimeException e) {
      System.getLogger("io.sluice.api").log(System.Logger.Level.WARNING, "a leadership listener failed", e);
    }
  }
}
