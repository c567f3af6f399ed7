package io.sluice.api;

/** The log holds a damaged batch that is not a torn tail. The store refuses to serve past it until an operator acts. */
public class CorruptLogException extends SluiceException {

  public CorruptLogException(String message) {
    super(ErrorCode.CORRUPT_LOG, message);
  }

  public CorruptLogException(String message, Throwable cause) {
    super(ErrorCode.CORRUPT_LOG, message, cause);
  }

  /** For the few codes that share this meaning (for example {@code INVALID_NAME}, {@code DISK_FULL}). */
  public CorruptLogException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
