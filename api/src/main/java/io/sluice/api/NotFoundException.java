package io.sluice.api;

/** A named thing (log, topic, partition, queue, group, member, receipt) does not exist. */
public class NotFoundException extends SluiceException {

  public NotFoundException(ErrorCode code, String message) {
    super(code, message);
  }

  public static NotFoundException unknownLog(String name) {
    return new NotFoundException(ErrorCode.UNKNOWN_LOG, "unknown log '" + name + "'");
  }
}
