package io.sluice.store.file.internal;

import io.sluice.api.Durability;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.OffsetOutOfRangeException;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.SluiceException;
import io.sluice.api.StorageException;
import io.sluice.api.StoreClosedException;
import io.sluice.api.internal.AppendWaiters;
import io.sluice.api.internal.BatchChecks;
import io.sluice.api.internal.Buffers;
import io.sluice.api.internal.Promises;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.PartitionLog;
import io.sluice.api.store.SegmentInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/*
 * How a file log works, and why.
 *
 * One writer, many readers. Every change to the log (append, roll, trim, flush, close) is an operation
 * in one queue, drained by one thread at a time from the store's io pool (the "writer"). The writer owns
 * the active segment, the next offset and the indexes' append side, so none of that needs a lock, and
 * the order in which operations leave the queue is the order of the log. Readers never touch the queue:
 * they read what the writer has published.
 *
 * Publication is one volatile field, the horizon: (end offset, segment, byte position). The writer
 * publishes it only after a run of batches is written and, under fsync=always, forced; so a reader never
 * sees a record that could still be lost, and an appender that got its acknowledgement can read its own
 * record. A reader takes the horizon once and reads below it with positional reads (no shared file
 * position), so any number of reads run in parallel with the writer and with each other.
 *
 * Group commit. Appenders enqueue and return a future. When the writer wakes it takes every append that
 * is waiting (up to 1024 batches or 64 MiB), copies heap batches into one direct staging buffer (direct
 * batches go as they are), issues one gathering write, one fsync, publishes, and completes all their
 * futures. Appends that arrive during the fsync form the next group. One thing makes this work under
 * load: when N appenders each wait for their acknowledgement before appending again, a naive writer
 * settles into two alternating half-groups (the ones released by fsync k arrive just after fsync k+1
 * started). So under fsync=always the writer lingers briefly — until as many appends are waiting as the
 * last group had, or half an fsync time, at most 1 ms — which keeps the whole cohort in one fsync. A
 * lone appender never waits (its last group was 1).
 *
 * Durability bookkeeping. Each segment carries a flush mark (position, offset) below which it is on
 * stable storage. The checkpoint file stores the first such mark that is not the end of its segment:
 * the recovery point. It is rewritten when a segment rolls, on trim (the start offset must be durable),
 * on flush() and on close, not on every fsync, which would double the cost of an append; after a
 * crash, recovery verifies from the recovery point on, i.e. at most about the active segment.
 * Under fsync=never/interval a rolled segment is forced in the background so a roll never stalls appends.
 *
 * Failure. A failed write is cut back (truncate to where the run began) and its appends fail with
 * storage_failure; the log goes on. A failed fsync leaves the page cache in an unknown state (Linux may
 * drop the dirty pages and report success next time), so the log stops accepting appends until it is
 * reopened and recovered. Corruption found by a read (a CRC or framing mismatch where the data was
 * trusted) freezes the log at that offset, like corruption found on open.
 *
 * Memory stays bounded: the queue holds references to batches their callers built and are waiting for
 * (no copies), the writer takes at most 1024 batches or 64 MiB per group, each io thread has one 4 MiB
 * direct staging buffer, and a read allocates one heap buffer of at most maxBytes (or its first batch).
 *
 * Trimming deletes whole segments below the new start. A reader may be copying from one of them: segments
 * are reference-counted, and a deleted segment's channel closes when its last reader lets go.
 */

/**
 * A log stored as a directory of segment files; see the comment at the top of this file for the design.
 *
 * <p>Thread contract: safe to call from any thread; methods never block. Appends, trims, flushes and
 * close are serialized on the log's writer (one io thread at a time); reads and timestamp lookups run on
 * the store's read threads concurrently with the writer. Futures complete on the caller's Vert.x context
 * when called from one.
 */
final class FilePartitionLog implements PartitionLog {

  private static final System.Logger LOG = System.getLogger("io.sluice.store.file");
  private static final int MAX_GROUP_BATCHES = 1024;
  private static final long MAX_GROUP_BYTES = 64L << 20;
  private static final int MAX_OPS_PER_DRAIN = 64;
  private static final long MAX_LINGER_NANOS = 1_000_000;
  private static final int STAGING_BYTES = 4 << 20;
  private static final int LOCATE_WINDOW = 8192;
  /**
   * The offset lookup's scan window, one per thread: every read locates its first batch, and a new 8 KiB
   * window per read was 5% of the bytes a consuming topic allocated (JFR), for data that lives one call.
   */
  private static final ThreadLocal<ByteBuffer> LOCATE_WINDOWS = ThreadLocal.withInitial(() -> ByteBuffer.allocate(LOCATE_WINDOW));
  private static final int SEARCH_WINDOW = 64 * 1024;
  private static final ThreadLocal<ByteBuffer> STAGING = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(STAGING_BYTES));

  /**
   * What readers may see: offsets below {@code offset}; bytes below {@code position} of segment {@code segmentBase}.
   * {@code truncations} counts the tail cuts so far: a reader whose snapshot predates a cut may find the cut
   * segment replaced and shorter, which is that cut and not damage.
   */
  record Horizon(long offset, long segmentBase, long position, long truncations) {

    Horizon advancedTo(long offset, long segmentBase, long position) {
      return new Horizon(offset, segmentBase, position, truncations);
    }

    Horizon cutTo(long offset, long segmentBase, long position) {
      return new Horizon(offset, segmentBase, position, truncations + 1);
    }
  }

  /** A read whose snapshot a truncation cut under it; the read is done again under the new horizon. */
  private static final class TruncatedMeanwhile extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TruncatedMeanwhile() {
      super(null, null, false, false);
    }
  }

  private abstract static class Op {
  }

  private static final class AppendOp extends Op {
    final RecordBatch batch;
    final Promise<AppendResult> promise;

    AppendOp(RecordBatch batch, Promise<AppendResult> promise) {
      this.batch = batch;
      this.promise = promise;
    }
  }

  private enum Kind { TRIM, TRUNCATE, FLUSH, CLOSE }

  private static final class ControlOp extends Op {
    final Kind kind;
    final long offset;
    final Promise<Void> promise;

    ControlOp(Kind kind, long offset, Promise<Void> promise) {
      this.kind = kind;
      this.offset = offset;
      this.promise = promise;
    }
  }

  private final String name;
  private final Path dir;
  private final LogOptions options;
  private final FsyncPolicy.Kind fsync;
  private final Durability ackLevel;
  private final StoreThreads threads;
  private final DataDirLimit limit;
  private final AppendWaiters waiters;

  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private volatile long startOffset;
  private volatile Horizon horizon;
  private volatile Corruption corruption;
  private volatile SluiceException failure;
  private final AtomicBoolean open = new AtomicBoolean(true);
  private final Promise<Void> closed = Promise.promise();

  private final ConcurrentLinkedQueue<Op> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean intervalFlushRunning = new AtomicBoolean();
  private final AtomicLong fsyncs = new AtomicLong();
  /** Serializes checkpoint writes (writer, background seal flushes) and the final steps of close. */
  private final Object checkpointLock = new Object();
  private boolean checkpointsStopped;
  private final ScheduledFuture<?> intervalFlush;

  // Writer-owned (touched only by the thread draining the queue).
  private Segment active;
  private long nextOffset;
  private boolean writerClosed;
  private int lastGroup;
  private long lastFsyncNanos;

  FilePartitionLog(Vertx vertx, StoreThreads threads, DataDirLimit limit, String name, Path dir, LogOptions options,
      LogLoader.Loaded loaded) {
    this.name = name;
    this.dir = dir;
    this.options = options;
    this.fsync = options.getFsync().kind();
    this.ackLevel = fsync == FsyncPolicy.Kind.ALWAYS ? Durability.LOCAL_FSYNC : Durability.LOCAL_DISK;
    this.threads = threads;
    this.limit = limit;
    this.waiters = new AppendWaiters(vertx);
    for (Segment s : loaded.segments()) {
      segments.put(s.base, s);
    }
    this.active = loaded.segments().get(loaded.segments().size() - 1);
    this.nextOffset = active.nextOffset();
    this.startOffset = loaded.startOffset();
    this.corruption = loaded.corruption();
    this.horizon = new Horizon(active.nextOffset(), active.base, active.size(), 0);
    if (fsync == FsyncPolicy.Kind.INTERVAL) {
      long ms = options.getFsync().intervalMs();
      intervalFlush = threads.timer.scheduleWithFixedDelay(this::scheduleIntervalFlush, ms, ms, TimeUnit.MILLISECONDS);
    } else {
      intervalFlush = null;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public LogOptions options() {
    return new LogOptions(options);
  }

  @Override
  public boolean isOpen() {
    return open.get();
  }

  /** How many fsyncs of segment data the writer issued (for tests of group commit). */
  long fsyncCount() {
    return fsyncs.get();
  }

  Future<Void> closeFuture() {
    return closed.future();
  }

  private void checkOpen() {
    if (!open.get()) {
      throw new StoreClosedException("log '" + name + "' is closed");
    }
  }

  private <T> Future<T> closedFuture() {
    return Future.failedFuture(new StoreClosedException("log '" + name + "' is closed"));
  }

  // ------------------------------------------------------------------ appends (callers)

  @Override
  public Future<AppendResult> append(RecordBatch batch) {
    try {
      checkOpen();
      BatchChecks.checkAppend(name, batch, options);
      refuseIfBroken();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Promise<AppendResult> promise = Promises.onCallerContext();
    enqueue(new AppendOp(batch, promise));
    return promise.future();
  }

  private void refuseIfBroken() {
    Corruption c = corruption;
    if (c != null) {
      throw c.toException(name);
    }
    SluiceException f = failure;
    if (f != null) {
      throw f;
    }
  }

  @Override
  public Future<Void> trimBefore(long offset) {
    if (!open.get()) {
      return closedFuture();
    }
    if (offset < 0) {
      return Future.failedFuture(new InvalidArgumentException("trim offset must be >= 0, got " + offset
          + " for log '" + name + "'"));
    }
    Promise<Void> promise = Promises.onCallerContext();
    enqueue(new ControlOp(Kind.TRIM, offset, promise));
    return promise.future();
  }

  @Override
  public Future<Void> truncateTo(long offset) {
    if (!open.get()) {
      return closedFuture();
    }
    if (offset < 0) {
      return Future.failedFuture(new InvalidArgumentException("truncation offset must be >= 0, got " + offset
          + " for log '" + name + "'"));
    }
    Promise<Void> promise = Promises.onCallerContext();
    enqueue(new ControlOp(Kind.TRUNCATE, offset, promise));
    return promise.future();
  }

  @Override
  public Future<Void> flush() {
    if (!open.get()) {
      return closedFuture();
    }
    Promise<Void> promise = Promises.onCallerContext();
    enqueue(new ControlOp(Kind.FLUSH, 0, promise));
    return promise.future();
  }

  @Override
  public Future<Void> close() {
    Promise<Void> promise = Promises.onCallerContext();
    if (!open.compareAndSet(true, false)) {
      closed.future().onComplete(ar -> promise.tryComplete());
      return promise.future();
    }
    closed.future().onComplete(ar -> promise.tryComplete());
    enqueue(new ControlOp(Kind.CLOSE, 0, null));
    return promise.future();
  }

  private void enqueue(Op op) {
    queue.add(op);
    queued.incrementAndGet();
    if (draining.compareAndSet(false, true)) {
      submitDrain();
    }
  }

  private void submitDrain() {
    try {
      threads.io.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The store is shutting down: nothing will run these operations.
      draining.set(false);
      Op op;
      while ((op = queue.poll()) != null) {
        queued.decrementAndGet();
        fail(op, new StoreClosedException("store is closed"));
      }
      finishClose();
    }
  }

  // ------------------------------------------------------------------ the writer

  private void drain() {
    try {
      for (int n = 0; n < MAX_OPS_PER_DRAIN; n++) {
        Op head = queue.peek();
        if (head == null) {
          break;
        }
        if (head instanceof AppendOp) {
          if (fsync == FsyncPolicy.Kind.ALWAYS && !writerClosed) {
            linger();
          }
          commit(takeAppends());
        } else {
          queue.poll();
          queued.decrementAndGet();
          runControl((ControlOp) head);
        }
      }
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "log '" + name + "': unexpected failure in the writer", e);
    } finally {
      draining.set(false);
      // Another round, also for fairness: a busy log gives its io thread back to other logs between drains.
      if (!queue.isEmpty() && draining.compareAndSet(false, true)) {
        submitDrain();
      }
    }
  }

  /** Waits (bounded) for the cohort of the last group to come back, so it shares one fsync. */
  private void linger() {
    int target = lastGroup;
    if (target <= 1 || queued.get() >= target) {
      return;
    }
    long deadline = System.nanoTime() + Math.min(MAX_LINGER_NANOS, lastFsyncNanos / 2);
    while (queued.get() < target) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      LockSupport.parkNanos(Math.min(left, 20_000));
    }
  }

  private List<AppendOp> takeAppends() {
    List<AppendOp> group = new ArrayList<>();
    long bytes = 0;
    while (group.size() < MAX_GROUP_BATCHES && bytes < MAX_GROUP_BYTES && queue.peek() instanceof AppendOp) {
      AppendOp op = (AppendOp) queue.poll();
      queued.decrementAndGet();
      group.add(op);
      bytes += op.batch.sizeInBytes();
    }
    return group;
  }

  private void commit(List<AppendOp> group) {
    lastGroup = group.size();
    int i = 0;
    while (i < group.size()) {
      if (writerClosed) {
        failAll(group.subList(i, group.size()), new StoreClosedException("log '" + name + "' is closed"));
        return;
      }
      try {
        refuseIfBroken();
      } catch (SluiceException e) {
        failAll(group.subList(i, group.size()), e);
        return;
      }
      long now = System.currentTimeMillis();
      try {
        if (needsRoll(active.size(), group.get(i).batch.sizeInBytes(), now, active.firstAppendMs())) {
          roll();
        }
      } catch (IOException e) {
        failAll(group.subList(i, group.size()), DiskOps.failure("log '" + name + "': cannot roll a new segment", e));
        return;
      }
      // The run: the batches that fit in the active segment (its age counts from its first batch, maybe this one).
      long firstAppend = active.isEmpty() ? now : active.firstAppendMs();
      int j = i;
      long bytes = active.size();
      do {
        bytes += group.get(j).batch.sizeInBytes();
        j++;
      } while (j < group.size() && !needsRoll(bytes, group.get(j).batch.sizeInBytes(), now, firstAppend));
      writeRun(group.subList(i, j), now);
      i = j;
    }
  }

  private boolean needsRoll(long segmentSize, int batchSize, long now, long firstAppend) {
    return segmentSize > 0 && (segmentSize + batchSize > options.getSegmentBytes()
        || now - firstAppend >= options.getSegmentMs());
  }

  /** Writes batches that all go to the active segment, forces them if required, publishes, acknowledges. */
  private void writeRun(List<AppendOp> run, long now) {
    Segment seg = active;
    long startPos = seg.size();
    long next = nextOffset;
    if (startPos == 0) {
      seg.firstAppendMs(now);
    }
    for (AppendOp op : run) {
      op.batch.assignBaseOffset(next);
      next += op.batch.recordCount();
    }
    long end;
    boolean wrote = false;
    long runBytes = 0;
    for (AppendOp op : run) {
      runBytes += op.batch.sizeInBytes();
    }
    try {
      limit.reserve(name, runBytes);
    } catch (StorageException e) {
      failAll(run, e);
      return;
    }
    try {
      end = write(seg.channel(), startPos, run);
      wrote = true;
      if (fsync == FsyncPolicy.Kind.ALWAYS) {
        long t0 = System.nanoTime();
        seg.channel().force(false);
        lastFsyncNanos = System.nanoTime() - t0;
        fsyncs.incrementAndGet();
      }
    } catch (IOException e) {
      StorageException err = DiskOps.failure("log '" + name + "': append failed", e);
      try {
        seg.truncateTo(startPos);
        if (!wrote) {
          limit.release(runBytes);
        }
      } catch (IOException e2) {
        wrote = true;
      }
      if (wrote) {
        // The fsync failed (or the cut did): what is on disk is unknown until the log is recovered.
        failure = new StorageException("log '" + name + "' stopped accepting appends after an I/O failure ("
            + e + "); reopen it to recover", e);
        LOG.log(Level.ERROR, failure.getMessage(), e);
      }
      failAll(run, err);
      return;
    }
    IndexBuilder ib = seg.indexer();
    long pos = startPos;
    for (AppendOp op : run) {
      ib.add(op.batch.baseOffset(), pos, op.batch.sizeInBytes(), op.batch.maxTimestamp());
      pos += op.batch.sizeInBytes();
    }
    seg.committed(end, next, ib.maxTimestamp());
    if (fsync == FsyncPolicy.Kind.ALWAYS) {
      seg.markForced(new Segment.FlushMark(end, next));
    }
    nextOffset = next;
    horizon = horizon.advancedTo(next, seg.base, end);
    long appendTime = System.currentTimeMillis();
    for (AppendOp op : run) {
      long base = op.batch.baseOffset();
      op.promise.complete(new AppendResult(base, base + op.batch.recordCount() - 1, appendTime, ackLevel));
    }
    waiters.wake(next);
  }

  /**
   * Writes the batches at {@code position} with as few system calls as possible: heap batches are copied
   * into this thread's direct staging buffer (the JDK would otherwise copy each into a temporary direct
   * buffer of its own), direct ones are passed as they are, all in gathering writes.
   */
  private static long write(FileChannel ch, long position, List<AppendOp> run) throws IOException {
    ByteBuffer staging = STAGING.get();
    staging.clear();
    List<ByteBuffer> gather = new ArrayList<>();
    int sliceStart = 0;
    long pos = position;
    for (AppendOp op : run) {
      ByteBuffer b = Buffers.nio(op.batch.buffer());
      if (b.isDirect()) {
        sliceStart = cutSlice(staging, sliceStart, gather);
        gather.add(b);
        continue;
      }
      if (b.remaining() > staging.capacity()) {
        // A huge heap batch goes through the staging buffer in pieces (the JDK would allocate and keep
        // a direct buffer of its whole size otherwise).
        cutSlice(staging, sliceStart, gather);
        pos = writeAll(ch, pos, gather);
        gather.clear();
        while (b.hasRemaining()) {
          staging.clear();
          ByteBuffer piece = b.duplicate();
          piece.limit(piece.position() + Math.min(b.remaining(), staging.capacity()));
          staging.put(piece);
          b.position(piece.position());
          staging.flip();
          gather.add(staging);
          pos = writeAll(ch, pos, gather);
          gather.clear();
        }
        staging.clear();
        sliceStart = 0;
        continue;
      }
      if (b.remaining() > staging.remaining()) {
        cutSlice(staging, sliceStart, gather);
        pos = writeAll(ch, pos, gather);
        gather.clear();
        staging.clear();
        sliceStart = 0;
      }
      staging.put(b);
    }
    cutSlice(staging, sliceStart, gather);
    return writeAll(ch, pos, gather);
  }

  private static int cutSlice(ByteBuffer staging, int sliceStart, List<ByteBuffer> gather) {
    if (staging.position() > sliceStart) {
      ByteBuffer slice = staging.duplicate();
      slice.position(sliceStart).limit(staging.position());
      gather.add(slice.slice());
    }
    return staging.position();
  }

  private static long writeAll(FileChannel ch, long position, List<ByteBuffer> gather) throws IOException {
    if (gather.isEmpty()) {
      return position;
    }
    ByteBuffer[] srcs = gather.toArray(new ByteBuffer[0]);
    long remaining = 0;
    for (ByteBuffer b : srcs) {
      remaining += b.remaining();
    }
    ch.position(position);
    long written = 0;
    int first = 0;
    while (written < remaining) {
      written += ch.write(srcs, first, srcs.length - first);
      while (first < srcs.length && !srcs[first].hasRemaining()) {
        first++;
      }
    }
    return position + remaining;
  }

  /** Seals the active segment and starts a new one at the next offset. Writer only. */
  private void roll() throws IOException {
    Segment old = active;
    Segment next = Segment.create(dir, nextOffset, options.getIndexIntervalBytes());
    try {
      // The new file's name must be durable before anything in it is acknowledged as durable.
      DiskOps.fsyncDirectory(dir);
    } catch (IOException e) {
      next.release();
      next.deleteFiles();
      throw e;
    }
    old.writeIndexes(true);
    segments.put(next.base, next);
    active = next;
    horizon = horizon.advancedTo(nextOffset, next.base, 0);
    // Force the sealed segment (already forced under fsync always) and move the recovery point off the writer,
    // so a roll never stalls appends: a checkpoint only shortens recovery, which verifies from the older one.
    try {
      threads.io.execute(() -> {
        forceSegments();
        writeCheckpointQuietly();
      });
    } catch (RejectedExecutionException e) {
      // closing: close forces everything itself
    }
  }

  private void runControl(ControlOp op) {
    if (op.kind == Kind.CLOSE) {
      closeNow();
      return;
    }
    if (writerClosed) {
      op.promise.fail(new StoreClosedException("log '" + name + "' is closed"));
      return;
    }
    try {
      if (op.kind == Kind.TRIM) {
        trimNow(op.offset, op.promise);
        return;
      } else if (op.kind == Kind.TRUNCATE) {
        truncateNow(op.offset);
      } else {
        forceSegments();
        writeCheckpoint();
      }
      op.promise.complete();
    } catch (SluiceException e) {
      op.promise.fail(e);
    } catch (IOException e) {
      op.promise.fail(DiskOps.failure("log '" + name + "': " + op.kind.name().toLowerCase(java.util.Locale.ROOT) + " failed", e));
    }
  }

  /** Completes {@code done} once the segments below {@code offset} are deleted (off the writer). */
  private void trimNow(long offset, Promise<Void> done) throws IOException {
    BatchChecks.checkTrim(name, offset, startOffset, nextOffset);
    if (offset <= startOffset) {
      done.complete();
      return;
    }
    startOffset = offset;
    if (!active.isEmpty() && active.nextOffset() <= offset && corruption == null && failure == null) {
      roll();
    }
    List<Segment> doomed = new ArrayList<>();
    for (Segment s : segments.values()) {
      if (s != active && s.nextOffset() <= offset) {
        doomed.add(s);
      }
    }
    // The new start must be durable before the data below it is gone.
    writeCheckpoint();
    for (Segment s : doomed) {
      segments.remove(s.base);
      s.release();
      limit.release(s.size());
    }
    if (doomed.isEmpty()) {
      done.complete();
      return;
    }
    // Deleting files and syncing the directory off the writer: appends need neither, and recovery drops segment
    // files below the durable start if a crash comes first. The trim completes when the space is given back.
    try {
      threads.io.execute(() -> {
        deleteQuietly(doomed);
        done.complete();
      });
    } catch (RejectedExecutionException e) {
      deleteQuietly(doomed);
      done.complete();
    }
  }

  private void deleteQuietly(List<Segment> doomed) {
    try {
      for (Segment s : doomed) {
        s.deleteFiles();
      }
      DiskOps.fsyncDirectory(dir);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "log '" + name + "': cannot delete trimmed segments (recovery deletes them)", e);
    }
  }

  /*
   * Truncation cuts the tail, and must never leave a gap or a torn prefix behind a crash: the recovery
   * point moves back to the start of the segment being cut (so recovery verifies it), the segments above
   * go newest first (a crash leaves a shorter log, never a hole), and the kept part of the cut segment
   * is copied to a temporary file that atomically replaces it. Readers still copying from the old file
   * keep its inode through their open channel, and the horizon shrinks first so no new read goes past
   * the cut.
   */
  private void truncateNow(long offset) throws IOException {
    BatchChecks.checkTruncate(name, offset, startOffset, nextOffset);
    if (offset >= nextOffset) {
      return;
    }
    refuseIfBroken();
    if (offset == startOffset) {
      emptyAt(offset);
      return;
    }
    Segment cutSegment = segments.floorEntry(offset).getValue();
    IndexBuilder kept = new IndexBuilder(cutSegment.base, options.getIndexIntervalBytes());
    long cut = keptPrefix(cutSegment, offset, kept);
    horizon = horizon.cutTo(offset, cutSegment.base, cut);
    synchronized (checkpointLock) {
      if (!checkpointsStopped) {
        new LogCheckpoint(startOffset, cutSegment.base, 0, cutSegment.base).write(dir);
      }
    }
    List<Segment> above = new ArrayList<>(segments.tailMap(cutSegment.base, false).values());
    java.util.Collections.reverse(above);
    for (Segment s : above) {
      segments.remove(s.base);
      s.deleteFiles();
      s.release();
    }
    Path file = cutSegment.file();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
      long copied = 0;
      while (copied < cut) {
        copied += cutSegment.channel().transferTo(copied, cut - copied, out);
      }
      out.force(true);
    }
    DiskOps.deleteIfExists(SegmentFiles.index(dir, cutSegment.base));
    DiskOps.deleteIfExists(SegmentFiles.timeIndex(dir, cutSegment.base));
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    DiskOps.fsyncDirectory(dir);
    Segment fresh = Segment.openActive(dir, cutSegment.base, options.getIndexIntervalBytes(), cut, offset, kept,
        new Segment.FlushMark(cut, offset));
    segments.put(fresh.base, fresh);
    cutSegment.release();
    active = fresh;
    nextOffset = offset;
    writeCheckpoint();
  }

  /**
   * Walks the batch headers of {@code s} up to {@code offset}, indexing them into {@code kept}; returns the
   * position of the batch that starts at {@code offset}. Fails with invalid_argument if offset is inside a batch.
   */
  private long keptPrefix(Segment s, long offset, IndexBuilder kept) throws IOException {
    BatchScanner scanner = new BatchScanner(s.channel(), s.size(), 1 << 20);
    long pos = 0;
    long expected = s.base;
    while (expected < offset) {
      if (scanner.at(pos) != BatchScanner.Status.OK || scanner.baseOffset() != expected) {
        throw corruptAt(s, pos, expected, "unexpected batch header while truncating", horizon);
      }
      if (scanner.nextOffset() > offset) {
        throw new InvalidArgumentException("cannot truncate log '" + name + "' to " + offset + ": it is inside the batch "
            + expected + ".." + (scanner.nextOffset() - 1) + " (truncate at a batch boundary)");
      }
      kept.add(expected, pos, scanner.size(), scanner.maxTimestamp());
      pos += scanner.size();
      expected = scanner.nextOffset();
    }
    return pos;
  }

  /** Truncation to the start offset: nothing visible remains, so the log restarts as one empty segment there. */
  private void emptyAt(long offset) throws IOException {
    horizon = horizon.cutTo(offset, -1, 0);
    List<Segment> all = new ArrayList<>(segments.values());
    java.util.Collections.reverse(all);
    for (Segment s : all) {
      segments.remove(s.base);
      s.deleteFiles();
      s.release();
    }
    Segment fresh = Segment.create(dir, offset, options.getIndexIntervalBytes());
    DiskOps.fsyncDirectory(dir);
    segments.put(fresh.base, fresh);
    active = fresh;
    nextOffset = offset;
    horizon = horizon.advancedTo(offset, fresh.base, 0);
    writeCheckpoint();
  }

  /** Forces every segment up to what is published. Any thread. */
  private void forceSegments() {
    Horizon h = horizon;
    for (Segment s : segments.values()) {
      if (s.base > h.segmentBase()) {
        break;
      }
      boolean current = s.base == h.segmentBase();
      long pos = current ? h.position() : s.size();
      long off = current ? h.offset() : s.nextOffset();
      if (s.forced().position() >= pos || !s.retain()) {
        continue;
      }
      try {
        s.force(pos, off);
        fsyncs.incrementAndGet();
      } catch (ClosedChannelException e) {
        // trimmed or closed meanwhile: nothing to make durable
      } catch (IOException e) {
        failure = new StorageException("log '" + name + "' stopped accepting appends after an fsync failure ("
            + e + "); reopen it to recover", e);
        LOG.log(Level.ERROR, failure.getMessage(), e);
      } finally {
        s.release();
      }
    }
  }

  private void scheduleIntervalFlush() {
    if (!open.get() || !intervalFlushRunning.compareAndSet(false, true)) {
      return;
    }
    try {
      threads.io.execute(() -> {
        try {
          forceSegments();
        } finally {
          intervalFlushRunning.set(false);
        }
      });
    } catch (RejectedExecutionException e) {
      intervalFlushRunning.set(false);
    }
  }

  /** The first flush mark that is not the end of its segment: everything before it is durable. */
  private LogCheckpoint checkpoint() {
    long start = startOffset;
    Segment last = segments.lastEntry().getValue();
    for (Segment s : segments.values()) {
      if (s != last && s.nextOffset() <= start) {
        continue;
      }
      Segment.FlushMark f = s.forced();
      if (s == last || f.position() < s.size()) {
        return new LogCheckpoint(start, s.base, f.position(), f.offset());
      }
    }
    throw new IllegalStateException("no segments");
  }

  private void writeCheckpoint() throws IOException {
    synchronized (checkpointLock) {
      if (!checkpointsStopped) {
        checkpoint().write(dir);
      }
    }
  }

  private void writeCheckpointQuietly() {
    try {
      writeCheckpoint();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "log '" + name + "': cannot write the checkpoint (recovery will verify more)", e);
    }
  }

  private void closeNow() {
    if (writerClosed) {
      return;
    }
    writerClosed = true;
    if (intervalFlush != null) {
      intervalFlush.cancel(false);
    }
    boolean healthy = corruption == null && failure == null;
    try {
      if (healthy) {
        forceSegments();
        active.writeIndexes(false);
        synchronized (checkpointLock) {
          if (failure == null) {
            checkpoint().write(dir);
            Files.write(dir.resolve(SegmentFiles.CLEAN_SHUTDOWN), new byte[0]);
            DiskOps.fsyncDirectory(dir);
          }
          checkpointsStopped = true;
        }
      } else {
        synchronized (checkpointLock) {
          // Leave the files as they are, without a clean marker: the next open verifies again.
          checkpointsStopped = true;
        }
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "log '" + name + "': close could not finish cleanly; the next open will recover", e);
    } finally {
      finishClose();
    }
  }

  private void finishClose() {
    if (closed.future().isComplete()) {
      return;
    }
    open.set(false);
    waiters.close();
    for (Segment s : segments.values()) {
      s.release();
    }
    // Operations queued behind the close are failed by the drain loop (writerClosed).
    closed.tryComplete();
  }

  private static void failAll(List<AppendOp> ops, Throwable cause) {
    for (AppendOp op : ops) {
      op.promise.tryFail(cause);
    }
  }

  private static void fail(Op op, Throwable cause) {
    if (op instanceof AppendOp a) {
      a.promise.tryFail(cause);
    } else if (op instanceof ControlOp c && c.promise != null) {
      c.promise.tryFail(cause);
    }
  }

  // ------------------------------------------------------------------ reads

  @Override
  public Future<Records> read(long fromOffset, int maxRecords, int maxBytes) {
    Horizon h;
    try {
      checkOpen();
      h = horizon;
      BatchChecks.checkRead(name, fromOffset, maxRecords, maxBytes, startOffset, h.offset());
      Corruption c = corruption;
      if (c != null && fromOffset >= c.offset()) {
        throw c.toException(name);
      }
      if (fromOffset == h.offset()) {
        return Future.succeededFuture(Records.empty(fromOffset));
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Promise<Records> promise = Promises.onCallerContext();
    onReadThread(promise, () -> readAcrossCuts(fromOffset, maxRecords, maxBytes, h));
    return promise.future();
  }

  private interface ReadTask<T> {
    T run() throws IOException;
  }

  private <T> void onReadThread(Promise<T> promise, ReadTask<T> task) {
    try {
      threads.read.execute(() -> {
        try {
          promise.complete(task.run());
        } catch (SluiceException e) {
          promise.fail(e);
        } catch (ClosedChannelException e) {
          promise.fail(new StoreClosedException("log '" + name + "' was closed during the read", e));
        } catch (IOException e) {
          promise.fail(DiskOps.failure("log '" + name + "': read failed", e));
        } catch (RuntimeException e) {
          LOG.log(Level.ERROR, "log '" + name + "': unexpected read failure", e);
          promise.fail(new StorageException("log '" + name + "': read failed: " + e, e));
        }
      });
    } catch (RejectedExecutionException e) {
      promise.fail(new StoreClosedException("store is closed"));
    }
  }

  /** Bytes of {@code s} a reader may read under horizon {@code h} and corruption {@code c}. */
  private static long readableEnd(Segment s, Horizon h, Corruption c) {
    long end;
    if (s.base < h.segmentBase()) {
      end = s.size();
    } else if (s.base == h.segmentBase()) {
      end = h.position();
    } else {
      end = 0;
    }
    if (c != null) {
      if (s.base == c.segmentBase()) {
        end = Math.min(end, c.position());
      } else if (s.base > c.segmentBase()) {
        end = 0;
      }
    }
    return end;
  }

  private Segment retainFloor(long offset) {
    while (true) {
      Map.Entry<Long, Segment> e = segments.floorEntry(offset);
      if (e == null) {
        if (!open.get()) {
          throw new StoreClosedException("log '" + name + "' is closed");
        }
        throw new OffsetOutOfRangeException(name, offset, startOffset, horizon.offset());
      }
      if (e.getValue().retain()) {
        return e.getValue();
      }
      if (!open.get()) {
        throw new StoreClosedException("log '" + name + "' is closed");
      }
      // Trimmed between the lookup and now: look again.
      if (segments.get(e.getKey()) == e.getValue()) {
        Thread.onSpinWait();
      }
    }
  }

  /**
   * A read, done again under the new horizon whenever a truncation cut the log while it ran: its snapshot may
   * have covered bytes the cut removed and that new appends are rewriting, so what it copied proves nothing.
   */
  private Records readAcrossCuts(long from, int maxRecords, int maxBytes, Horizon h) throws IOException {
    Horizon now = h;
    while (true) {
      try {
        Records read = readNow(from, maxRecords, maxBytes, now);
        if (horizon.truncations() == now.truncations()) {
          return read;
        }
      } catch (TruncatedMeanwhile e) {
        // read again below
      }
      // Answer as a read issued after the cut: records below it, or out of range past it.
      now = horizon;
      BatchChecks.checkRead(name, from, maxRecords, maxBytes, startOffset, now.offset());
      if (from == now.offset()) {
        return Records.empty(from);
      }
    }
  }

  private Records readNow(long from, int maxRecords, int maxBytes, Horizon h) throws IOException {
    Corruption c = corruption;
    long limitOffset = c == null ? h.offset() : Math.min(h.offset(), c.offset());
    if (from >= limitOffset) {
      throw c.toException(name);
    }
    long capOffset = from + Math.min(maxRecords, limitOffset - from);
    Segment seg = retainFloor(from);
    List<Segment> held = new ArrayList<>(2);
    held.add(seg);
    try {
      long[] found = locate(seg, from, h, c);
      long firstPos = found[0];
      int firstSize = (int) found[1];
      long available = readableEnd(seg, h, c) - firstPos;
      for (Segment s : segments.tailMap(seg.base, false).values()) {
        long r = readableEnd(s, h, c);
        if (r == 0) {
          break;
        }
        available += r;
      }
      long hardCap = Math.max(firstSize, Math.min(maxBytes, available));
      long estimate = hardCap;
      long records = seg.nextOffset() - seg.base;
      if (records > 0 && capOffset - from < Integer.MAX_VALUE) {
        // Size the buffer for maxRecords when that is the tighter limit, from this segment's average record size.
        double perRecord = (double) seg.size() / records;
        estimate = firstSize + (long) ((capOffset - from) * perRecord * 1.25) + 256;
      }
      int capacity = (int) Math.min(hardCap, Math.max(firstSize, estimate));
      ByteBuffer buf = ByteBuffer.allocate(capacity);
      return new Reader(buf, (int) hardCap, held, seg, firstPos, h, c).read(from, capOffset, limitOffset, maxBytes);
    } finally {
      held.forEach(Segment::release);
    }
  }

  /**
   * Finds the batch holding {@code offset} in {@code seg}: from the offset index's nearest entry, walking batch
   * headers only. Returns {position, size}. A sealed segment whose index points at the wrong batch gets its
   * index rebuilt once; anything else that does not add up is corruption.
   */
  private long[] locate(Segment seg, long offset, Horizon h, Corruption c) throws IOException {
    long readable = readableEnd(seg, h, c);
    for (int attempt = 0; ; attempt++) {
      long packed = seg.offsetIndex().floor(offset - seg.base);
      long indexPos = OffsetIndex.positionOf(packed);
      long pos = indexPos;
      long expected = seg.base + OffsetIndex.relativeOffsetOf(packed);
      BatchScanner s = new BatchScanner(seg.channel(), readable, LOCATE_WINDOWS.get());
      String problem = null;
      while (problem == null) {
        BatchScanner.Status st = s.at(pos);
        if (st == BatchScanner.Status.END) {
          problem = "offset " + offset + " is missing from the segment (it ends at offset " + expected + ")";
        } else if (st != BatchScanner.Status.OK) {
          problem = s.problem();
        } else if (s.baseOffset() != expected) {
          problem = "the batch has base offset " + s.baseOffset() + ", expected " + expected;
        } else if (offset < s.nextOffset()) {
          return new long[] {pos, s.size()};
        } else {
          pos += s.size();
          expected = s.nextOffset();
        }
      }
      if (attempt == 0 && pos == indexPos && indexPos > 0 && seg.isSealed()) {
        LOG.log(Level.WARNING, "log ''{0}'': the index of {1} points at a wrong batch ({2}); rebuilding it",
            name, seg.file(), problem);
        seg.rebuildIndexes();
        continue;
      }
      throw corruptAt(seg, pos, expected, problem, h);
    }
  }

  private SluiceException corruptAt(Segment seg, long position, long offset, String reason, Horizon seenBy) {
    if (horizon.truncations() != seenBy.truncations()) {
      // Not damage: the tail this reader saw was cut (and maybe rewritten) while it read.
      throw new TruncatedMeanwhile();
    }
    Corruption found = new Corruption(seg.base, seg.file(), position, offset, reason);
    synchronized (this) {
      Corruption c = corruption;
      if (c == null || found.offset() < c.offset()) {
        corruption = found;
        LOG.log(Level.ERROR, found.toException(name).getMessage());
      } else {
        found = c;
      }
    }
    return found.toException(name);
  }

  static boolean crcMatches(ByteBuffer buf, int at, int size) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = buf.duplicate();
    view.position(at + RecordBatch.ATTRIBUTES_POS).limit(at + size);
    crc.update(view);
    return (int) crc.getValue() == buf.getInt(at + RecordBatch.CRC_POS);
  }

  /**
   * One read: copies whole batches from the segments into one buffer with positional reads, then checks
   * each batch (framing, dense offsets, CRC) before it is handed out. Not thread-safe; one per read.
   */
  private final class Reader {
    private ByteBuffer buf;
    private final int hardCap;
    private final List<Segment> held;
    private final Horizon h;
    private final Corruption c;
    private Segment seg;
    private long segPos;
    private int filled;
    /** Where each segment's bytes begin in the buffer, to name the file and position of a bad batch. */
    private final List<long[]> starts = new ArrayList<>(2);

    Reader(ByteBuffer buf, int hardCap, List<Segment> held, Segment seg, long pos, Horizon h, Corruption c) {
      this.buf = buf;
      this.hardCap = hardCap;
      this.held = held;
      this.seg = seg;
      this.segPos = pos;
      this.h = h;
      this.c = c;
      starts.add(new long[] {0, seg.base, pos});
    }

    Records read(long from, long capOffset, long limitOffset, int maxBytes) throws IOException {
      int walk = 0;
      int accepted = 0;
      long expected = -1;
      long next = from;
      while (next < capOffset) {
        if (filled - walk < RecordBatch.HEADER_SIZE && !refill()) {
          break;
        }
        if (filled - walk < RecordBatch.HEADER_SIZE) {
          continue;
        }
        long base = buf.getLong(walk + RecordBatch.BASE_OFFSET_POS);
        int length = buf.getInt(walk + RecordBatch.LENGTH_POS);
        long size = RecordBatch.LOG_OVERHEAD + (long) length;
        if (expected >= 0 && base >= limitOffset) {
          break;
        }
        String bad = null;
        if (length < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD || buf.get(walk + RecordBatch.MAGIC_POS) != RecordBatch.MAGIC) {
          bad = "bad batch header";
        } else if (expected >= 0 ? base != expected : (base > from)) {
          bad = "the batch has base offset " + base + ", expected " + (expected >= 0 ? expected : from);
        }
        if (bad != null) {
          // Recorded as corruption either way; batches already checked are still served.
          SluiceException e = badBatch(walk, expected >= 0 ? expected : from, bad);
          if (accepted == 0) {
            throw e;
          }
          break;
        }
        if (accepted > 0 && accepted + size > maxBytes) {
          break;
        }
        if (walk + size > filled) {
          if (walk + size > buf.capacity() && walk + size > hardCap) {
            if (accepted == 0) {
              throw badBatch(walk, base, "the batch of " + size + " bytes runs past the readable end");
            }
            break;
          }
          if (!refill()) {
            if (accepted == 0) {
              throw badBatch(walk, base, "the batch of " + size + " bytes runs past the readable end");
            }
            break;
          }
          continue;
        }
        int count = buf.getInt(walk + RecordBatch.RECORD_COUNT_POS);
        if (count <= 0 || !crcMatches(buf, walk, (int) size)) {
          SluiceException e = badBatch(walk, base, count <= 0 ? "bad record count " + count : "CRC mismatch");
          if (accepted == 0) {
            throw e;
          }
          break;
        }
        walk += (int) size;
        accepted = walk;
        expected = base + count;
        next = Math.min(capOffset, expected);
      }
      if (accepted == 0) {
        throw new IllegalStateException("read of '" + name + "' from " + from + " found no batch");
      }
      ByteBuffer out = buf.duplicate();
      out.position(0).limit(accepted);
      return Records.of(Buffers.wrap(out.slice()), from, next);
    }

    /** Reads more bytes (growing the buffer up to the hard cap, moving on to the next segment). */
    private boolean refill() throws IOException {
      if (filled == buf.capacity()) {
        if (buf.capacity() >= hardCap) {
          return false;
        }
        ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(hardCap, (long) buf.capacity() * 2));
        ByteBuffer old = buf.duplicate();
        old.position(0).limit(filled);
        bigger.put(old);
        buf = bigger;
      }
      long segEnd = readableEnd(seg, h, c);
      if (segPos >= segEnd) {
        Map.Entry<Long, Segment> e = segments.higherEntry(seg.base);
        if (e == null || readableEnd(e.getValue(), h, c) == 0 || !e.getValue().retain()) {
          return false;
        }
        seg = e.getValue();
        held.add(seg);
        segPos = 0;
        segEnd = readableEnd(seg, h, c);
        starts.add(new long[] {filled, seg.base, 0});
      }
      int n = (int) Math.min(buf.capacity() - filled, segEnd - segPos);
      ByteBuffer dst = buf.duplicate();
      dst.position(filled).limit(filled + n);
      int got = seg.read(dst, segPos);
      if (got < n) {
        if (horizon.truncations() != h.truncations()) {
          throw new TruncatedMeanwhile();
        }
        throw new StorageException("log '" + name + "': " + seg.file() + " is shorter than its committed size "
            + segEnd + " (was it truncated by hand?)");
      }
      filled += n;
      segPos += n;
      return true;
    }

    private SluiceException badBatch(int bufPos, long offset, String reason) {
      long[] where = starts.get(0);
      for (long[] s : starts) {
        if (s[0] <= bufPos) {
          where = s;
        }
      }
      Segment s = segments.get(where[1]);
      if (s == null) {
        s = seg;
      }
      return corruptAt(s, where[2] + (bufPos - where[0]), offset, reason, h);
    }
  }

  // ------------------------------------------------------------------ timestamps, offsets, segments

  @Override
  public Future<OptionalLong> offsetForTimestamp(long timestamp) {
    if (!open.get()) {
      return closedFuture();
    }
    Promise<OptionalLong> promise = Promises.onCallerContext();
    onReadThread(promise, () -> {
      while (true) {
        try {
          return searchTimestamp(timestamp);
        } catch (TruncatedMeanwhile e) {
          // a truncation cut the log under the search: search the log as it is now
        }
      }
    });
    return promise.future();
  }

  private OptionalLong searchTimestamp(long target) throws IOException {
    long start = startOffset;
    Horizon h = horizon;
    Corruption c = corruption;
    long limit = c == null ? h.offset() : Math.min(h.offset(), c.offset());
    for (Segment s : segments.values()) {
      if (s.base >= limit || s.base > h.segmentBase()) {
        break;
      }
      long segEnd = Math.min(limit, s.base == h.segmentBase() ? h.offset() : s.nextOffset());
      if (segEnd <= start || s.maxTimestamp() < target || !s.retain()) {
        continue;
      }
      try {
        OptionalLong found = searchSegment(s, target, start, segEnd, h, c);
        if (found.isPresent()) {
          return found;
        }
      } finally {
        s.release();
      }
    }
    if (c != null) {
      // The answer may lie beyond the damage: say so rather than claim there is none.
      throw c.toException(name);
    }
    return OptionalLong.empty();
  }

  /** Walks the batches of one segment from the time index's lower bound, verifying each, to the first record at or after {@code target}. */
  private OptionalLong searchSegment(Segment s, long target, long start, long segEnd, Horizon h, Corruption c) throws IOException {
    long readable = readableEnd(s, h, c);
    int belowRel = s.timeIndex().lastBelow(target);
    long fromRel = Math.max(Math.max(belowRel, 0), start - s.base);
    long packed = s.offsetIndex().floor(fromRel);
    long pos = OffsetIndex.positionOf(packed);
    long expected = s.base + OffsetIndex.relativeOffsetOf(packed);
    BatchScanner sc = new BatchScanner(s.channel(), readable, SEARCH_WINDOW);
    while (true) {
      BatchScanner.Status st = sc.at(pos);
      if (st == BatchScanner.Status.END) {
        return OptionalLong.empty();
      }
      if (st != BatchScanner.Status.OK || sc.baseOffset() != expected) {
        throw corruptAt(s, pos, expected, st != BatchScanner.Status.OK ? sc.problem()
            : "the batch has base offset " + sc.baseOffset() + ", expected " + expected, h);
      }
      if (expected >= segEnd) {
        return OptionalLong.empty();
      }
      if (sc.nextOffset() > start) {
        if (!sc.crcMatches()) {
          throw corruptAt(s, pos, expected, "CRC mismatch", h);
        }
        if (sc.maxTimestamp() >= target) {
          ByteBuffer b = sc.readBatch();
          int rp = RecordBatch.HEADER_SIZE;
          for (int i = 0; i < sc.recordCount() && rp + 12 <= b.limit(); i++) {
            long off = expected + i;
            long ts = b.getLong(rp + 4);
            if (off >= start && off < segEnd && ts >= target) {
              return OptionalLong.of(off);
            }
            rp += 4 + b.getInt(rp);
          }
        }
      }
      pos += sc.size();
      expected = sc.nextOffset();
    }
  }

  @Override
  public Future<Long> startOffset() {
    return open.get() ? Future.succeededFuture(startOffset) : closedFuture();
  }

  @Override
  public Future<Long> endOffset() {
    return open.get() ? Future.succeededFuture(horizon.offset()) : closedFuture();
  }

  @Override
  public Future<Long> awaitAppend(long offset, long timeoutMs) {
    if (!open.get()) {
      return closedFuture();
    }
    return waiters.await(offset, timeoutMs, () -> horizon.offset());
  }

  @Override
  public Future<List<SegmentInfo>> segments() {
    if (!open.get()) {
      return closedFuture();
    }
    Horizon h = horizon;
    List<SegmentInfo> out = new ArrayList<>();
    for (Segment s : segments.values()) {
      if (s.base > h.segmentBase()) {
        break;
      }
      boolean current = s.base == h.segmentBase();
      out.add(new SegmentInfo(s.base, current ? h.offset() : s.nextOffset(), current ? h.position() : s.size(),
          s.maxTimestamp(), current));
    }
    return Future.succeededFuture(out);
  }

  @Override
  public Future<Long> sizeInBytes() {
    if (!open.get()) {
      return closedFuture();
    }
    Horizon h = horizon;
    long total = 0;
    for (Segment s : segments.values()) {
      if (s.base > h.segmentBase()) {
        break;
      }
      total += s.base == h.segmentBase() ? h.position() : s.size();
    }
    return Future.succeededFuture(total);
  }

  @Override
  public String toString() {
    return "FilePartitionLog{" + name + ", " + dir + "}";
  }
}
