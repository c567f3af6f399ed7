package io.sluice.api.store;

import io.sluice.api.internal.LogStateStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/**
 * A small durable key/value map for cursors, committed offsets, queue settlement and metadata.
 *
 * <p>Why a log and not a separate key/value file: a state store is a log of control records (one
 * put or delete per record), replayed into memory on open and compacted by rewriting the live entries
 * and trimming before them. So it inherits everything a log already has — CRC-checked batches, crash
 * recovery, fsync policy with group commit, and, in a cluster, replication by the same followers that
 * copy the data logs — instead of needing a second storage engine with its own failure modes.
 *
 * <p>Reads are served from memory; writes complete when durable per the log's fsync policy. Several
 * updates in one call are one batch: all or nothing.
 *
 * <p>Thread contract: safe to call from any thread; updates are applied in the order their appends
 * are ordered. A state store is the single writer of its log: open it once per name and share the
 * instance (a second {@code open} of a name that is open would write the same log from a second map).
 */
public interface StateStore {

  /** Opens (creating or replaying) the state store kept in the log {@code name} of {@code store}. */
  static Future<StateStore> open(LogStore store, String name, LogOptions options) {
    return LogStateStore.open(store, name, options);
  }

  String name();

  /** The value, or null. */
  Buffer get(String key);

  /** A snapshot of every entry whose key starts with {@code prefix} (empty prefix: all). */
  Map<String, Buffer> entries(String prefix);

  Future<Void> put(String key, Buffer value);

  /** Puts every entry; a null value deletes that key. One durable write. */
  Future<Void> putAll(Map<String, Buffer> entries);

  Future<Void> remove(String key);

  int size();

  /** Closes the underlying log. */
  Future<Void> close();
}
