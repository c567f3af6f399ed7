package io.sluice.api;

/**
 * Stable error codes. The string form is part of the public contract: it is what clients see in
 * {@code {"error":"<code>"}} bodies over HTTP and in event-bus failures, so a code is never renamed.
 * Each code carries the HTTP status the broker maps it to, and whether a client may retry the same
 * call unchanged.
 */
public enum ErrorCode {
  INVALID_ARGUMENT("invalid_argument", 400, false),
  INVALID_NAME("invalid_name", 400, false),
  UNAUTHORIZED("unauthorized", 401, false),
  FORBIDDEN("forbidden", 403, false),
  UNKNOWN_LOG("unknown_log", 404, false),
  UNKNOWN_TOPIC("unknown_topic", 404, false),
  UNKNOWN_PARTITION("unknown_partition", 404, false),
  UNKNOWN_QUEUE("unknown_queue", 404, false),
  UNKNOWN_GROUP("unknown_group", 404, false),
  UNKNOWN_MEMBER("unknown_member", 404, false),
  UNKNOWN_RECEIPT("unknown_receipt", 404, false),
  ALREADY_EXISTS("already_exists", 409, false),
  CONFLICT("conflict", 409, false),
  ILLEGAL_GENERATION("illegal_generation", 409, false),
  REBALANCE_IN_PROGRESS("rebalance_in_progress", 409, true),
  DUPLICATE_SEQUENCE("duplicate_sequence", 409, false),
  OUT_OF_ORDER_SEQUENCE("out_of_order_sequence", 409, false),
  RECORD_TOO_LARGE("record_too_large", 413, false),
  BATCH_TOO_LARGE("batch_too_large", 413, false),
  OFFSET_OUT_OF_RANGE("offset_out_of_range", 416, false),
  LIMIT_EXCEEDED("limit_exceeded", 429, true),
  RATE_LIMITED("rate_limited", 429, true),
  QUEUE_FULL("queue_full", 429, true),
  CORRUPT_LOG("corrupt_log", 500, false),
  STORAGE_FAILURE("storage_failure", 500, true),
  STORE_CLOSED("store_closed", 503, true),
  NOT_LEADER("not_leader", 503, true),
  NOT_ENOUGH_REPLICAS("not_enough_replicas", 503, true),
  TIMEOUT("timeout", 503, true),
  DISK_FULL("disk_full", 507, true);

  private final String code;
  private final int httpStatus;
  private final boolean retriable;

  ErrorCode(String code, int httpStatus, boolean retriable) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.retriable = retriable;
  }

  /** The stable wire form, e.g. {@code offset_out_of_range}. */
  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** Whether the same call may succeed if simply tried again (possibly on another node). */
  public boolean retriable() {
    return retriable;
  }

  /** The code for a wire form, or {@code null} if there is none. */
  public static ErrorCode fromCode(String code) {
    for (ErrorCode c : values()) {
      if (c.code.equals(code)) {
        return c;
      }
    }
    return null;
  }
}
