package io.sluice.api.testing;

import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.Future;
import java.util.List;

/**
 * A store for tests that forwards everything to another and lets a test wrap the logs it opens
 * ({@link #wrap}), e.g. to hold, fail or count appends. Thread contract: that of the wrapped store.
 */
public abstract class ForwardingLogStore implements LogStore {

  protected final LogStore inner;

  protected ForwardingLogStore(LogStore inner) {
    this.inner = inner;
  }

  /** The log handed out for {@code log}, opened as {@code name}; the default hands it out as it is. */
  protected PartitionLog wrap(String name, PartitionLog log) {
    return log;
  }

  @Override
  public String type() {
    return inner.type();
  }

  @Override
  public Future<PartitionLog> open(String name, LogOptions options) {
    return inner.open(name, options).map(log -> wrap(name, log));
  }

  @Override
  public Future<Boolean> exists(String name) {
    return inner.exists(name);
  }

  @Override
  public Future<List<String>> list() {
    return inner.list();
  }

  @Override
  public Future<Void> drop(String name) {
    return inner.drop(name);
  }

  @Override
  public Future<Void> close() {
    return inner.close();
  }
}
