package io.sluice.api;

/** A call got an argument it cannot accept (negative offset, empty batch, bad option). Nothing was changed. */
public class InvalidArgumentException extends SluiceException {

  public InvalidArgumentException(String message) {
    super(ErrorCode.INVALID_ARGUMENT, message);
  }

  public InvalidArgumentException(String message, Throwable cause) {
    super(ErrorCode.INVALID_ARGUMENT, message, cause);
  }

  /** With a more specific code of the same kind (e.g. {@code invalid_name} for an invalid argument, {@code disk_full} for a storage failure, {@code batch_too_large} for a record too large). */
  public InvalidArgumentException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
