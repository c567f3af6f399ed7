package io.sluice.api;

/** An I/O failure in the store. Whatever the failing call was, it was not acknowledged. */
public class StorageException extends SluiceException {

  public StorageException(String message) {
    super(ErrorCode.STORAGE_FAILURE, message);
  }

  public StorageException(String message, Throwable cause) {
    super(ErrorCode.STORAGE_FAILURE, message, cause);
  }

  /** With a more specific code of the same kind (e.g. {@code invalid_name} for an invalid argument, {@code disk_full} for a storage failure, {@code batch_too_large} for a record too large). */
  public StorageException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
