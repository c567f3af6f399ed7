package io.sluice.api;

/** The log or store was closed before or during the call. */
public class StoreClosedException extends SluiceException {

  public StoreClosedException(String message) {
    super(ErrorCode.STORE_CLOSED, message);
  }

  public StoreClosedException(String message, Throwable cause) {
    super(ErrorCode.STORE_CLOSED, message, cause);
  }

  /** For the few codes that share this meaning (for example {@code INVALID_NAME}, {@code DISK_FULL}). */
  public StoreClosedException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
