package io.sluice.api;

/** A call got an argument it cannot accept (negative offset, empty batch, bad option). Nothing was changed. */
public class InvalidArgumentException extends SluiceException {

  public InvalidArgumentException(String message) {
    super(ErrorCode.INVALID_ARGUMENT, message);
  }

  public InvalidArgumentException(String message, Throwable cause) {
    super(ErrorCode.INVALID_ARGUMENT, message, cause);
  }

  /** For the few codes that share this meaning (for example {@code INVALID_NAME}, {@code DISK_FULL}). */
  public InvalidArgumentException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
