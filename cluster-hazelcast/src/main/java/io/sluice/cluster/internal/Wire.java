package io.sluice.cluster.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.OffsetOutOfRangeException;
import io.sluice.api.SluiceException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * The replication protocol's framing on the event bus. A request or answer is a binary body (record
 * batches exactly as stored, or nothing) plus scalar headers; never JSON per record. A failure carries
 * the {@link ErrorCode} (and an offset range) as a small JSON text, so the caller gets the same typed
 * {@link SluiceException} a local call would.
 *
 * <p>Thread-safe (stateless).
 */
final class Wire {

  /** A call or its answer: the bytes and the scalars. */
  record Frame(Buffer body, MultiMap headers) {

    static Frame of(Buffer body) {
      return new Frame(body, MultiMap.caseInsensitiveMultiMap());
    }

    static Frame empty() {
      return of(Buffer.buffer());
    }

    Frame with(String key, Object value) {
      headers.set(key, String.valueOf(value));
      return this;
    }

    String get(String key) {
      String v = headers.get(key);
      if (v == null) {
        throw new SluiceException(ErrorCode.INVALID_ARGUMENT, "request lacks '" + key + "'");
      }
      return v;
    }

    long getLong(String key) {
      try {
        return Long.parseLong(get(key));
      } catch (NumberFormatException e) {
        throw new SluiceException(ErrorCode.INVALID_ARGUMENT, "bad '" + key + "': " + headers.get(key));
      }
    }

    int getInt(String key) {
      return (int) getLong(key);
    }

    DeliveryOptions delivery(long timeoutMs) {
      return new DeliveryOptions().setHeaders(headers).setSendTimeout(timeoutMs);
    }

    static Frame from(Message<Buffer> m) {
      Buffer body = m.body() == null ? Buffer.buffer() : m.body();
      MultiMap h = MultiMap.caseInsensitiveMultiMap();
      h.addAll(m.headers());
      return new Frame(body, h);
    }
  }

  private Wire() {
  }

  static void fail(Message<Buffer> m, Throwable error) {
    SluiceException e = error instanceof SluiceException se ? se
        : new SluiceException(ErrorCode.STORAGE_FAILURE, String.valueOf(error), error);
    JsonObject j = new JsonObject().put("code", e.code().code()).put("message", e.getMessage());
    if (e instanceof OffsetOutOfRangeException o) {
      j.put("requested", o.requested()).put("start", o.startOffset()).put("end", o.endOffset());
    }
    m.fail(e.code().httpStatus(), j.encode());
  }

  /** The typed error a failed request stands for. */
  static SluiceException error(Throwable t, String log, String node) {
    if (t instanceof SluiceException se) {
      return se;
    }
    if (t instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        try {
          JsonObject j = new JsonObject(re.getMessage());
          ErrorCode code = ErrorCode.fromCode(j.getString("code"));
          if (code == ErrorCode.OFFSET_OUT_OF_RANGE) {
            return new OffsetOutOfRangeException(log, j.getLong("requested"), j.getLong("start"), j.getLong("end"));
          }
          if (code != null) {
            return new SluiceException(code, j.getString("message"));
          }
        } catch (RuntimeException e) {
          // not one of ours: reported below
        }
        return new SluiceException(ErrorCode.STORAGE_FAILURE, "node " + node + " failed: " + re.getMessage(), re);
      }
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return new SluiceException(ErrorCode.TIMEOUT, "no answer from node " + node + " for log '" + log + "'", re);
      }
      return new SluiceException(ErrorCode.NOT_LEADER, "node " + node + " is not reachable for log '" + log + "'", re);
    }
    return new SluiceException(ErrorCode.STORAGE_FAILURE, "log '" + log + "': " + t, t);
  }

  static SluiceException notLeader(String log, String why) {
    return new SluiceException(ErrorCode.NOT_LEADER, "log '" + log + "': " + why);
  }
}
