package io.sluice.api.store;

import io.sluice.api.Durability;

/**
 * What an append achieved: the offsets given to the batch, the time the log appended it, and the
 * durability level reached when the future completed.
 */
public record AppendResult(long baseOffset, long lastOffset, long appendTime, Durability durability) {

  public int recordCount() {
    return (int) (lastOffset - baseOffset + 1);
  }
}
