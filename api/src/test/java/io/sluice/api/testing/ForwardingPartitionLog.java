package io.sluice.api.testing;

import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.SegmentInfo;
import io.vertx.core.Future;
import java.util.List;
import java.util.OptionalLong;

/**
 * A log for tests that forwards every call to another; a test overrides what it stands between (usually
 * {@link #append}). Thread contract: that of the wrapped log.
 */
public class ForwardingPartitionLog implements PartitionLog {

  protected final PartitionLog inner;

  public ForwardingPartitionLog(PartitionLog inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public LogOptions options() {
    return inner.options();
  }

  @Override
  public Future<AppendResult> append(RecordBatch batch) {
    return inner.append(batch);
  }

  @Override
  public Future<Records> read(long fromOffset, int maxRecords, int maxBytes) {
    return inner.read(fromOffset, maxRecords, maxBytes);
  }

  @Override
  public Future<Long> startOffset() {
    return inner.startOffset();
  }

  @Override
  public Future<Long> endOffset() {
    return inner.endOffset();
  }

  @Override
  public Future<OptionalLong> offsetForTimestamp(long timestamp) {
    return inner.offsetForTimestamp(timestamp);
  }

  @Override
  public Future<Void> trimBefore(long offset) {
    return inner.trimBefore(offset);
  }

  @Override
  public Future<Void> truncateTo(long offset) {
    return inner.truncateTo(offset);
  }

  @Override
  public Future<Long> awaitAppend(long offset, long timeoutMs) {
    return inner.awaitAppend(offset, timeoutMs);
  }

  @Override
  public Future<List<SegmentInfo>> segments() {
    return inner.segments();
  }

  @Override
  public Future<Long> sizeInBytes() {
    return inner.sizeInBytes();
  }

  @Override
  public Future<Void> flush() {
    return inner.flush();
  }

  @Override
  public Future<Void> close() {
    return inner.close();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }
}
