package io.sluice.api.store;

import io.sluice.api.InvalidArgumentException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Opens, lists and drops named logs. Implementations are found by {@link ServiceLoader} through
 * {@link LogStoreProvider}, so modes never know which store they run on.
 *
 * <p>All methods return immediately and MUST NOT block. A log is open at most once per store: opening
 * a name that is open returns the same {@link PartitionLog}; the log has a single writer.
 */
public interface LogStore {

  /** The provider type, e.g. {@code memory} or {@code file}. */
  String type();

  /**
   * Opens a log, creating it if missing (unless {@link LogOptions#isCreateIfMissing()} is false: then
   * it fails with {@code unknown_log}). Fails with {@code invalid_name} for a name that breaks
   * {@link io.sluice.api.Names}; {@code open}, {@code exists} and {@code drop} all check names.
   */
  Future<PartitionLog> open(String name, LogOptions options);

  default Future<PartitionLog> open(String name) {
    return open(name, new LogOptions());
  }

  Future<Boolean> exists(String name);

  /** The names of all logs, open or not, sorted. */
  Future<List<String>> list();

  /** Closes (if open) and deletes a log. Fails with {@code unknown_log} if there is none. */
  Future<Void> drop(String name);

  /**
   * Which of this store's logs this node leads. A local store (the default) leads every log and never
   * changes; a replicated store says where each log's single writer belongs now.
   */
  default Leadership leadership() {
    return Leadership.local();
  }

  /**
   * Where a log's replicas are, for {@code describe}: empty on a store that does not replicate (the
   * default) and for a log a replicated store does not know.
   */
  default Future<Optional<LogReplicas>> replicas(String name) {
    return Future.succeededFuture(Optional.empty());
  }

  /**
   * Closes every open log (flushing it and marking a clean shutdown). Afterwards every call on the
   * store and on its logs fails with {@code store_closed}; closing twice is a no-op.
   */
  Future<Void> close();

  /** The in-memory store: fast and not durable (appends complete at {@code MEMORY}). */
  static LogStore memory(Vertx vertx) {
    return create(vertx, "memory", new JsonObject());
  }

  /**
   * A store of the given type, found through {@link ServiceLoader}.
   *
   * @param config provider settings, e.g. {@code {"dataDir": "./data"}} for the file store
   * @throws InvalidArgumentException if no provider has that type
   */
  static LogStore create(Vertx vertx, String type, JsonObject config) {
    for (LogStoreProvider p : ServiceLoader.load(LogStoreProvider.class)) {
      if (p.type().equals(type)) {
        return p.create(vertx, config);
      }
    }
    throw new InvalidArgumentException("no log store of type '" + type + "' on the class path");
  }
}
