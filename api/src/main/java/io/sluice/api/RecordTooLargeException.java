package io.sluice.api;

/** A record or batch is larger than the configured limit. Nothing was appended. */
public class RecordTooLargeException extends SluiceException {

  public RecordTooLargeException(String message) {
    super(ErrorCode.RECORD_TOO_LARGE, message);
  }

  public RecordTooLargeException(String message, Throwable cause) {
    super(ErrorCode.RECORD_TOO_LARGE, message, cause);
  }

  /** For the few codes that share this meaning (for example {@code INVALID_NAME}, {@code DISK_FULL}). */
  public RecordTooLargeException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
