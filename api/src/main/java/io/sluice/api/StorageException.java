package io.sluice.api;

/** An I/O failure in the store. Whatever the failing call was, it was not acknowledged. */
public class StorageException extends SluiceException {

  public StorageException(String message) {
    super(ErrorCode.STORAGE_FAILURE, message);
  }

  public StorageException(String message, Throwable cause) {
    super(ErrorCode.STORAGE_FAILURE, message, cause);
  }

  /** For the few codes that share this meaning (for example {@code INVALID_NAME}, {@code DISK_FULL}). */
  public StorageException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
