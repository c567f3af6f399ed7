package io.sluice.broker.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
import io.sluice.broker.internal.GroupRoutes.Member;
import io.sluice.topic.ConsumerRecord;
import io.sluice.topic.TopicPartition;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

/*
 * Why a stream is a poll loop with the write queue as its brake.
 *
 * A member's consumer already bounds what it holds (at most maxPollRecords per partition prefetched), and
 * the member's pending queue holds at most one poll's worth. So the stream never asks the consumer for
 * more while the connection's write queue is full: it writes pending records one at a time while the
 * queue has room, and when it is full it waits for the drain handler before writing or polling again.
 * A client that stops reading therefore stops the consumer (nothing is polled, so nothing is fetched
 * beyond the prefetch bound), and the node holds at most the write queue (Netty's high-water mark), one
 * record and the bounded prefetch for it: the heap cannot grow with the client's backlog.
 *
 * Records are handed out through the member exactly as the poll route hands them out (takeOne records
 * the offset after each written record), so the commit route without a body commits what the stream
 * wrote, and records fetched but not yet written stay pending for the next poll or stream when the
 * connection closes. A poll in flight when the connection closes is let finish (its records go to the
 * pending queue) before the member is released, so a following poll never meets a consumer that is
 * still polling.
 */

/**
 * One record stream of a consumer-group member, over Server-Sent Events or a WebSocket: writes the
 * member's records as they arrive, with back-pressure, keep-alives and optional auto-commit, until the
 * client goes away, {@code maxRecords} were written, the member is gone, or the node stops.
 *
 * <p>Confined to the HTTP server's event loop (it is created there): the handlers of the connection, the
 * consumer's futures and the keep-alive timer all run there, and {@link #stop()} hops onto it.
 */
final class MemberStream {

  private static final Logger LOG = System.getLogger(MemberStream.class.getName());
  /** Longest wait of one poll; short enough that a stopped stream releases its member promptly. */
  static final long POLL_WAIT_MS = 1_000;

  /** Where a stream writes: an SSE response or a WebSocket. */
  interface Sink {
    /** The connection's write queue, for back-pressure. */
    WriteStream<Buffer> queue();

    Future<Void> send(ConsumerRecord record);

    void keepAlive();

    /** Ends the stream; {@code error} (may be null) is told to the client first. */
    void finish(Throwable error);

    /** Called once if the client closes the connection first. */
    void onClose(Handler<Void> handler);
  }

  private final Vertx vertx;
  /** The HTTP server's context, where every step of the stream runs. */
  private final Context context;
  private final Member member;
  private final Sink sink;
  private final long heartbeatMs;
  private final boolean autoCommit;
  private final BooleanSupplier memberAlive;
  private long remaining;
  private long timer = -1;
  private boolean done;
  private boolean pollInFlight;
  private boolean released;
  private boolean waitingForDrain;
  private long written;
  private Future<Void> lastWrite = Future.succeededFuture();
  private Runnable onRelease = () -> { };

  MemberStream(Vertx vertx, Member member, Sink sink, long heartbeatMs, long maxRecords, boolean autoCommit,
      BooleanSupplier memberAlive) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.member = member;
    this.sink = sink;
    this.heartbeatMs = heartbeatMs;
    this.remaining = maxRecords;
    this.autoCommit = autoCommit;
    this.memberAlive = memberAlive;
  }

  /** Starts writing; the member must already be marked as polling by the caller. {@code onRelease} runs once it is free again. */
  void start(Runnable onRelease) {
    this.onRelease = onRelease;
    sink.onClose(v -> {
      done = true;
      releaseIfIdle();
    });
    timer = vertx.setPeriodic(heartbeatMs, t -> {
      if (!done && !sink.queue().writeQueueFull()) {
        sink.keepAlive();
      }
    });
    pump();
  }

  /** Ends the stream normally (the node is stopping); may be called from any thread. */
  void stop() {
    // At once on the stream's context: a WebSocket's shutdown handler must close the socket before it returns.
    if (Vertx.currentContext() == context) {
      end(null);
    } else {
      context.runOnContext(v -> end(null));
    }
  }

  /** Commits, per partition, the offset after the last record written (nothing when none was). */
  Future<Void> commitWritten() {
    Map<TopicPartition, Long> offsets = member.returned();
    return offsets.isEmpty() ? Future.succeededFuture() : member.consumer.commit(offsets);
  }

  long written() {
    return written;
  }

  boolean waitingForDrain() {
    return waitingForDrain;
  }

  private void pump() {
    if (done) {
      releaseIfIdle();
      return;
    }
    if (!memberAlive.getAsBoolean()) {
      end(new SluiceException(ErrorCode.UNKNOWN_MEMBER, "member '" + member.id + "' was deleted"));
      return;
    }
    boolean wrote = false;
    while (remaining > 0 && !sink.queue().writeQueueFull()) {
      ConsumerRecord r = member.takeOne();
      if (r == null) {
        break;
      }
      lastWrite = sink.send(r);
      written++;
      remaining--;
      wrote = true;
    }
    if (wrote && autoCommit) {
      Map<TopicPartition, Long> offsets = member.returned();
      // What was written is committed once the connection took it, not before.
      lastWrite.onSuccess(v -> member.consumer.commit(offsets)
          .onFailure(e -> LOG.log(Level.DEBUG, "auto-commit of a stream failed", e)));
    }
    if (remaining == 0) {
      end(null);
      return;
    }
    if (sink.queue().writeQueueFull()) {
      waitingForDrain = true;
      sink.queue().drainHandler(v -> {
        waitingForDrain = false;
        pump();
      });
      return;
    }
    pollInFlight = true;
    member.consumer.poll(Duration.ofMillis(POLL_WAIT_MS)).onComplete(ar -> {
      pollInFlight = false;
      if (ar.succeeded()) {
        member.add(ar.result());
        pump();
      } else {
        end(ar.cause());
      }
    });
  }

  private void end(Throwable error) {
    if (!done) {
      done = true;
      sink.finish(error);
    }
    releaseIfIdle();
  }

  /** Lets the member be polled (and expire) again, once no poll of this stream is in flight. */
  private void releaseIfIdle() {
    if (released || pollInFlight) {
      return;
    }
    released = true;
    vertx.cancelTimer(timer);
    member.lastPollNanos = System.nanoTime();
    member.polling = false;
    onRelease.run();
  }

  static JsonObject errorJson(Throwable e) {
    if (e instanceof SluiceException se) {
      return new JsonObject().put("error", se.code().code()).put("message", se.getMessage());
    }
    LOG.log(Level.WARNING, "a record stream failed", e);
    return new JsonObject().put("error", HttpErrors.INTERNAL_ERROR).put("message", "internal error; see the node's log");
  }

  /** Server-Sent Events: one {@code record} event per record, comments as keep-alives. */
  static final class Sse implements Sink {
    private final HttpServerResponse response;

    Sse(HttpServerResponse response, String memberId) {
      this.response = response;
      response.setStatusCode(200)
          .setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
          // nginx buffers responses unless told not to, which would hold events back.
          .putHeader("X-Accel-Buffering", "no");
      // Sends the headers now, so the client knows the stream is open before the first record.
      response.write(": records of member " + memberId + "\n\n");
    }

    @Override
    public WriteStream<Buffer> queue() {
      return response;
    }

    @Override
    public Future<Void> send(ConsumerRecord r) {
      return response.write("id: " + r.topic() + "/" + r.partition() + "/" + r.offset() + "\nevent: record\ndata: "
          + GroupRoutes.recordJson(r).encode() + "\n\n");
    }

    @Override
    public void keepAlive() {
      response.write(": keepalive\n\n");
    }

    @Override
    public void finish(Throwable error) {
      if (response.ended() || response.closed()) {
        return;
      }
      if (error != null) {
        response.write("event: error\ndata: " + errorJson(error).encode() + "\n\n");
      }
      response.end();
    }

    @Override
    public void onClose(Handler<Void> handler) {
      response.closeHandler(handler);
    }
  }

  /** A WebSocket: one text frame per record (the record's JSON object), pings as keep-alives. */
  static final class WebSocket implements Sink {
    private final ServerWebSocket socket;

    WebSocket(ServerWebSocket socket) {
      this.socket = socket;
    }

    @Override
    public WriteStream<Buffer> queue() {
      return socket;
    }

    @Override
    public Future<Void> send(ConsumerRecord r) {
      return socket.writeTextMessage(GroupRoutes.recordJson(r).encode());
    }

    @Override
    public void keepAlive() {
      socket.writePing(Buffer.buffer());
    }

    @Override
    public void finish(Throwable error) {
      if (socket.isClosed()) {
        return;
      }
      if (error != null) {
        socket.writeTextMessage(errorJson(error).encode());
        socket.close((short) 1011, error instanceof SluiceException se ? se.code().code() : HttpErrors.INTERNAL_ERROR);
      } else {
        socket.close((short) 1000, "end of stream");
      }
    }

    @Override
    public void onClose(Handler<Void> handler) {
      socket.closeHandler(handler);
    }
  }
}
