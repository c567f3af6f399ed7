/**
 * Implementation of the file store: segments, sparse indexes, checkpoints, recovery, the per-log writer.
 * Not an API: types here may change without notice and never appear in public signatures.
 */
package io.sluice.store.file.internal;
