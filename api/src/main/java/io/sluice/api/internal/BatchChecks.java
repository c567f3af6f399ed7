package io.sluice.api.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.OffsetOutOfRangeException;
import io.sluice.api.RecordBatch;
import io.sluice.api.RecordTooLargeException;
import io.sluice.api.store.LogOptions;

/** Argument checks every {@code PartitionLog} implementation applies the same way. */
public final class BatchChecks {

  private BatchChecks() {
  }

  /** Checks an incoming batch against the log's limits and its own CRC and framing. */
  public static void checkAppend(String log, RecordBatch batch, LogOptions options) {
    if (batch == null) {
      throw new InvalidArgumentException("batch is null");
    }
    if (batch.sizeInBytes() > options.getMaxBatchBytes()) {
      throw new RecordTooLargeException(ErrorCode.BATCH_TOO_LARGE, "batch of " + batch.sizeInBytes()
          + " bytes exceeds maxBatchBytes " + options.getMaxBatchBytes() + " of log '" + log + "'", null);
    }
    String bad = batch.verify();
    if (bad != null) {
      throw new InvalidArgumentException("malformed record batch for log '" + log + "': " + bad);
    }
    int largest = batch.largestRecordSize();
    if (largest > options.getMaxRecordBytes()) {
      throw new RecordTooLargeException("record of " + largest + " bytes exceeds maxRecordBytes "
          + options.getMaxRecordBytes() + " of log '" + log + "'");
    }
  }

  /**
   * Checks a trim offset: negative is invalid, beyond the end is out of range; at or below the start
   * is allowed (a no-op).
   */
  public static void checkTrim(String log, long offset, long start, long end) {
    if (offset < 0) {
      throw new InvalidArgumentException("trim offset must be >= 0, got " + offset + " for log '" + log + "'");
    }
    if (offset > end) {
      throw new OffsetOutOfRangeException(log, offset, start, end);
    }
  }

  /** Checks read arguments against the log's offsets. */
  public static void checkRead(String log, long from, int maxRecords, int maxBytes, long start, long end) {
    if (maxRecords <= 0 || maxBytes <= 0) {
      throw new InvalidArgumentException("maxRecords and maxBytes must be > 0, got " + maxRecords + " and " + maxBytes);
    }
    if (from < start || from > end) {
      throw new OffsetOutOfRangeException(log, from, start, end);
    }
  }

  /** Checks a truncation offset: negative is invalid, below the start is out of range; at or past the end is a no-op. */
  public static void checkTruncate(String log, long offset, long start, long end) {
    if (offset < 0) {
      throw new InvalidArgumentException("truncation offset must be >= 0, got " + offset + " for log '" + log + "'");
    }
    if (offset < start) {
      throw new OffsetOutOfRangeException(log, offset, start, end);
    }
  }

  /** The error for a truncation offset that falls inside {@code batch} instead of at its base. */
  public static InvalidArgumentException insideBatch(String log, long offset, RecordBatch batch) {
    return new InvalidArgumentException("cannot truncate log '" + log + "' to " + offset + ": it is inside the batch "
        + batch.baseOffset() + ".." + batch.lastOffset() + " (truncate at a batch boundary)");
  }
}
