package io.sluice.api;

/**
 * An offset outside {@code [startOffset, endOffset]} of a log. Carries the valid range at the time of
 * the call, so a consumer can reset without another round trip.
 */
public class OffsetOutOfRangeException extends SluiceException {

  private final long requested;
  private final long startOffset;
  private final long endOffset;

  public OffsetOutOfRangeException(String log, long requested, long startOffset, long endOffset) {
    super(ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + requested + " is out of range for '" + log
        + "': valid offsets are [" + startOffset + ", " + endOffset + "]");
    this.requested = requested;
    this.startOffset = startOffset;
    this.endOffset = endOffset;
  }

  public long requested() {
    return requested;
  }

  public long startOffset() {
    return startOffset;
  }

  public long endOffset() {
    return endOffset;
  }
}
