package io.sluice.api;

/** The log holds a damaged batch that is not a torn tail. The store refuses to serve past it until an operator acts. */
public class CorruptLogException extends SluiceException {

  public CorruptLogException(String message) {
    super(ErrorCode.CORRUPT_LOG, message);
  }

  public CorruptLogException(String message, Throwable cause) {
    super(ErrorCode.CORRUPT_LOG, message, cause);
  }

  /** With a more specific code of the same kind (e.g. {@code invalid_name} for an invalid argument, {@code disk_full} for a storage failure, {@code batch_too_large} for a record too large). */
  public CorruptLogException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
