package io.sluice.store.file;

import io.sluice.api.InvalidArgumentException;
import io.sluice.api.store.LogStore;
import io.sluice.store.file.internal.FileLogStoreImpl;
import io.vertx.core.Vertx;

/**
 * The durable single-node {@link LogStore}, and Sluice's embedded default: each log is a directory of
 * segment files under {@link FileStoreOptions#getDataDir()}, built like Kafka's log.
 *
 * <h2>On disk</h2>
 * <pre>
 * dataDir/.lock                          held while a store uses the directory (one store per directory)
 * dataDir/&lt;log&gt;/00000000000000000000.log   segment: whole record batches in the wire format, named by base offset
 * dataDir/&lt;log&gt;/00000000000000000000.index       sparse offset index (relative offset, position)
 * dataDir/&lt;log&gt;/00000000000000000000.timeindex   sparse time index (max timestamp so far, relative offset)
 * dataDir/&lt;log&gt;/checkpoint             log start offset + recovery point (CRC-protected, replaced atomically)
 * dataDir/&lt;log&gt;/clean-shutdown         present only while the log is closed cleanly
 * </pre>
 * Segments roll at {@code LogOptions.segmentBytes} (default 128 MiB) and {@code segmentMs}. Indexes are
 * not checksummed: they are rebuilt from the segment when missing or damaged.
 *
 * <h2>Durability</h2>
 * Per log, from {@code LogOptions.fsync}: {@code always} (the default) acknowledges an append only after
 * an fsync that covers it, and concurrent appends share one fsync (group commit) so throughput grows
 * with the number of appenders; appends complete with {@code LOCAL_FSYNC}. {@code interval:<ms>} and
 * {@code never} acknowledge after the write ({@code LOCAL_DISK}): a process crash loses nothing, a power
 * loss can lose what was not yet fsync'd. The default is {@code always} because an acknowledged record
 * of an embedded, single-node store has no other copy: it must survive a power loss, and group commit
 * keeps the cost low when there is concurrency to amortize it.
 *
 * <h2>Recovery and corruption</h2>
 * Closing a log leaves a clean-shutdown marker, and the next open trusts the files as they are. After a
 * crash, every batch past the checkpointed recovery point is verified (framing, dense offsets, CRC32C) and
 * the indexes are rebuilt; a torn write at the end is cut at the last whole batch. Corruption inside the
 * log (a damaged batch followed by good data, or in a sealed segment) is never cut silently: the log serves
 * reads below it and fails reads at or after it, and appends, with {@code corrupt_log} naming the segment
 * file and byte position, until an operator acts — either reopen with
 * {@link FileStoreOptions#setOnCorruption onCorruption = truncate} (the damaged tail is moved to a
 * {@code quarantine} folder, not deleted), or run the offline tool {@link FileLogRepair}. Every read verifies
 * the CRC of every batch it returns, so a flipped bit is reported, never served.
 *
 * <p>Thread contract: like every {@link LogStore}, all methods return immediately and never block; file I/O
 * runs on the store's own threads and futures complete on the caller's Vert.x context. Close the store to
 * release its threads and the directory lock.
 */
public interface FileLogStore extends LogStore {

  /** The provider type name: {@code file}. */
  String TYPE = "file";

  /**
   * Creates a store over {@code options.getDataDir()}. Does no I/O now: the directory is created and
   * locked by the first call that needs it.
   *
   * @throws InvalidArgumentException if no data directory is set
   */
  static FileLogStore create(Vertx vertx, FileStoreOptions options) {
    if (options.getDataDir() == null) {
      throw new InvalidArgumentException("the file store needs a dataDir");
    }
    return new FileLogStoreImpl(vertx, new FileStoreOptions(options));
  }

  /** The settings the store was created with (a copy). */
  FileStoreOptions options();
}
