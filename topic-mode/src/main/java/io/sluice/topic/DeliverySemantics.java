package io.sluice.topic;

/** When a consumer commits relative to handing records to the application. */
public enum DeliverySemantics {
  /**
   * Commit after the application handled the records (the default). A crash or rebalance before the
   * commit redelivers the uncommitted records: duplicates are possible, losses are not.
   */
  AT_LEAST_ONCE,
  /**
   * Commit the position past the records before handing them over. A crash while handling them loses
   * those records: no duplicates, losses are possible.
   */
  AT_MOST_ONCE
}
