package io.sluice.api;

/** A record or batch is larger than the configured limit. Nothing was appended. */
public class RecordTooLargeException extends SluiceException {

  public RecordTooLargeException(String message) {
    super(ErrorCode.RECORD_TOO_LARGE, message);
  }

  public RecordTooLargeException(String message, Throwable cause) {
    super(ErrorCode.RECORD_TOO_LARGE, message, cause);
  }

  /** With a more specific code of the same kind (e.g. {@code invalid_name} for an invalid argument, {@code disk_full} for a storage failure, {@code batch_too_large} for a record too large). */
  public RecordTooLargeException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
