/**
 * The durable single-node store: segmented log files, sparse indexes, checkpoints, crash recovery.
 * Entry points: {@link io.sluice.store.file.FileLogStore#create} or
 * {@code LogStore.create(vertx, "file", {"dataDir": ...})}; the offline tool {@link io.sluice.store.file.FileLogRepair}.
 */
package io.sluice.store.file;
