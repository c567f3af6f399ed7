package io.sluice.store.file.internal;

import io.sluice.api.CorruptLogException;
import java.nio.file.Path;

/**
 * Where a log is damaged: the first byte position (in a segment file) at which the bytes are not the
 * batch they must be, and the offset that batch should have held. Everything below is served; nothing
 * at or after it is, until an operator repairs the log. Immutable.
 */
record Corruption(long segmentBase, Path file, long position, long offset, String reason) {

  CorruptLogException toException(String log) {
    return new CorruptLogException("log '" + log + "' is corrupt at byte position " + position + " of segment file "
        + file + " (offset " + offset + "): " + reason + ". Offsets below " + offset
        + " are still served; appends and reads from " + offset + " on are refused until the log is repaired"
        + " (reopen with the store option onCorruption=truncate, or run io.sluice.store.file.FileLogRepair)");
  }
}
