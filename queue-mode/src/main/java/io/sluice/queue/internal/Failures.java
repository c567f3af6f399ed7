package io.sluice.queue.internal;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.NotFoundException;
import io.sluice.api.RecordTooLargeException;
import io.sluice.api.SluiceException;
import io.sluice.api.StorageException;
import io.sluice.api.StoreClosedException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Typed errors across the event bus: an owner fails a request with the error's HTTP status as the
 * failure code and {@code <code>|<message>} as the text; the client rebuilds the same exception type.
 */
final class Failures {

  private Failures() {
  }

  static void reply(Message<?> request, Throwable error) {
    SluiceException e = asSluice(error);
    request.fail(e.code().httpStatus(), e.code().code() + "|" + e.getMessage());
  }

  static SluiceException asSluice(Throwable error) {
    if (error instanceof SluiceException se) {
      return se;
    }
    // No better code exists for an unexpected failure inside an owner; it is retriable and says what happened.
    return new StorageException(ErrorCode.STORAGE_FAILURE, "queue owner failed: " + error, error);
  }

  /** The typed exception a failed request stands for; {@code queue} names the owner that did not answer. */
  static Throwable fromReply(Throwable failure, String queue) {
    if (!(failure instanceof ReplyException re)) {
      return failure;
    }
    if (re.failureType() == ReplyFailure.NO_HANDLERS) {
      return unknownQueue(queue);
    }
    if (re.failureType() == ReplyFailure.TIMEOUT) {
      return new SluiceException(ErrorCode.TIMEOUT, "queue '" + queue + "' did not answer in time");
    }
    String text = re.getMessage() == null ? "" : re.getMessage();
    int bar = text.indexOf('|');
    ErrorCode code = bar > 0 ? ErrorCode.fromCode(text.substring(0, bar)) : null;
    if (code == null) {
      return new StorageException(ErrorCode.STORAGE_FAILURE, "queue '" + queue + "' failed: " + text, re);
    }
    return typed(code, text.substring(bar + 1));
  }

  static SluiceException typed(ErrorCode code, String message) {
    return switch (code) {
      case UNKNOWN_LOG, UNKNOWN_TOPIC, UNKNOWN_PARTITION, UNKNOWN_QUEUE, UNKNOWN_GROUP, UNKNOWN_MEMBER, UNKNOWN_RECEIPT ->
          new NotFoundException(code, message);
      case INVALID_ARGUMENT, INVALID_NAME -> new InvalidArgumentException(code, message, null);
      case RECORD_TOO_LARGE, BATCH_TOO_LARGE -> new RecordTooLargeException(code, message, null);
      case STORE_CLOSED -> new StoreClosedException(code, message, null);
      case STORAGE_FAILURE, DISK_FULL -> new StorageException(code, message, null);
      default -> new SluiceException(code, message);
    };
  }

  static NotFoundException unknownQueue(String queue) {
    return new NotFoundException(ErrorCode.UNKNOWN_QUEUE, "unknown queue '" + queue + "'");
  }

  static NotFoundException unknownReceipt(String receipt) {
    return new NotFoundException(ErrorCode.UNKNOWN_RECEIPT, "receipt '" + receipt
        + "' is unknown, already settled, or its lease expired");
  }
}
