package io.sluice.topic.internal;

import io.sluice.api.CorruptLogException;
import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.NotFoundException;
import io.sluice.api.OffsetOutOfRangeException;
import io.sluice.api.RecordTooLargeException;
import io.sluice.api.SluiceException;
import io.sluice.api.StorageException;
import io.sluice.api.StoreClosedException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Typed errors across the event bus. A failed reply carries the HTTP-like status as failure code and a
 * JSON message {@code {"code", "message", ...details}}; {@link #fromBus} rebuilds the same exception class
 * with the same code, so a client sees the same error whether the owner is local or in another JVM.
 * Stateless.
 */
public final class BusErrors {

  private BusErrors() {
  }

  /** Fails {@code message} with {@code error}, encoded. */
  public static void fail(Message<?> message, Throwable error) {
    SluiceException e = toSluice(error);
    JsonObject json = new JsonObject().put("code", e.code().code()).put("message", e.getMessage());
    if (e instanceof OffsetOutOfRangeException o) {
      json.put("requested", o.requested()).put("start", o.startOffset()).put("end", o.endOffset()).put("log", logOf(o));
    }
    message.fail(e.code().httpStatus(), json.encode());
  }

  /** Any throwable as a SluiceException (unexpected ones become {@code storage_failure}, keeping their text). */
  public static SluiceException toSluice(Throwable error) {
    if (error instanceof SluiceException e) {
      return e;
    }
    if (error instanceof ReplyException r) {
      return fromBus(r);
    }
    return new StorageException("unexpected " + error.getClass().getSimpleName() + ": " + error.getMessage(), error);
  }

  /** Rebuilds the typed exception of a failed request. */
  public static SluiceException fromBus(Throwable error) {
    if (!(error instanceof ReplyException r)) {
      return toSluice(error);
    }
    if (r.failureType() == ReplyFailure.NO_HANDLERS) {
      return new SluiceException(ErrorCode.NOT_LEADER, "nobody serves this address now: " + r.getMessage());
    }
    if (r.failureType() == ReplyFailure.TIMEOUT) {
      return new SluiceException(ErrorCode.TIMEOUT, "no answer in time: " + r.getMessage());
    }
    JsonObject json;
    try {
      json = new JsonObject(r.getMessage());
    } catch (DecodeException | NullPointerException e) {
      return new StorageException("remote failure " + r.failureCode() + ": " + r.getMessage(), r);
    }
    ErrorCode code = ErrorCode.fromCode(json.getString("code", ""));
    String text = json.getString("message", "");
    if (code == null) {
      return new StorageException("remote failure: " + text, r);
    }
    switch (code) {
      case INVALID_ARGUMENT:
      case INVALID_NAME:
        return new InvalidArgumentException(code, text, null);
      case UNKNOWN_LOG:
      case UNKNOWN_TOPIC:
      case UNKNOWN_PARTITION:
      case UNKNOWN_QUEUE:
      case UNKNOWN_GROUP:
      case UNKNOWN_MEMBER:
      case UNKNOWN_RECEIPT:
        return new NotFoundException(code, text);
      case OFFSET_OUT_OF_RANGE:
        return new OffsetOutOfRangeException(json.getString("log", "?"), json.getLong("requested", -1L),
            json.getLong("start", -1L), json.getLong("end", -1L));
      case RECORD_TOO_LARGE:
      case BATCH_TOO_LARGE:
        return new RecordTooLargeException(code, text, null);
      case STORE_CLOSED:
        return new StoreClosedException(text);
      case STORAGE_FAILURE:
      case DISK_FULL:
        return new StorageException(code, text, null);
      case CORRUPT_LOG:
        return new CorruptLogException(text);
      default:
        return new SluiceException(code, text);
    }
  }

  /** The log name in an out-of-range message ("... for 'name': ..."), which the exception does not keep separately. */
  private static String logOf(OffsetOutOfRangeException e) {
    String m = e.getMessage();
    int a = m.indexOf("for '");
    int b = a < 0 ? -1 : m.indexOf('\'', a + 5);
    return a >= 0 && b > a ? m.substring(a + 5, b) : "?";
  }
}
