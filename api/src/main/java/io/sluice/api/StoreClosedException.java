package io.sluice.api;

/** The log or store was closed before or during the call. */
public class StoreClosedException extends SluiceException {

  public StoreClosedException(String message) {
    super(ErrorCode.STORE_CLOSED, message);
  }

  public StoreClosedException(String message, Throwable cause) {
    super(ErrorCode.STORE_CLOSED, message, cause);
  }

  /** With a more specific code of the same kind (e.g. {@code invalid_name} for an invalid argument, {@code disk_full} for a storage failure, {@code batch_too_large} for a record too large). */
  public StoreClosedException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
