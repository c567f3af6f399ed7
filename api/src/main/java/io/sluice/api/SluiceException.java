package io.sluice.api;

import java.util.Objects;

/**
 * The root of every error Sluice reports on purpose. Each instance has a stable {@link ErrorCode};
 * callers switch on the code (or catch a subclass), never on the message text.
 *
 * <p>Subclasses exist for the errors callers commonly handle in code; any other code may be raised as
 * a plain {@code SluiceException}.
 */
public class SluiceException extends RuntimeException {

  private final ErrorCode code;

  public SluiceException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public SluiceException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  public boolean retriable() {
    return code.retriable();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + code.code() + "]: " + getMessage();
  }
}
