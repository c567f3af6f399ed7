package io.sluice.topic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.api.Durability;
import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
import io.sluice.api.StorageException;
import io.sluice.api.store.AppendResult;
import org.junit.jupiter.api.Test;

class ProducerStateTableTest {

  private final ProducerStateTable table = new ProducerStateTable();

  private ProducerStateTable.Batch append(long pid, int seq, int count, long base) {
    ProducerStateTable.Decision d = table.check(pid, (short) 0, seq, count, 0);
    assertNull(d.duplicateOf(), "expected an append");
    d.toAppend().result.complete(new AppendResult(base, base + count - 1, 0, Durability.MEMORY));
    return d.toAppend();
  }

  @Test
  void retriedBatchIsAnsweredWithTheOriginalOffsets() {
    append(7, 0, 3, 100);
    append(7, 3, 2, 103);
    ProducerStateTable.Decision retry = table.check(7, (short) 0, 0, 3, 0);
    assertNotNull(retry.duplicateOf());
    assertEquals(100, retry.duplicateOf().result().baseOffset());
    assertEquals(103, table.check(7, (short) 0, 3, 2, 0).duplicateOf().result().baseOffset());
    append(7, 5, 1, 105);
  }

  @Test
  void aRetriedPartOfAJoinedBatchIsAnsweredWithItsOwnOffsets() {
    // After an owner restart only the joined batch (sequences 10..19 at offsets 500..509) is known.
    table.replay(9, (short) 0, 10, 10, 500);
    ProducerStateTable.Decision part = table.check(9, (short) 0, 14, 3, 0);
    assertNotNull(part.duplicateOf());
    assertEquals(504, part.duplicateOf().result().baseOffset());
    assertEquals(506, part.duplicateOf().result().lastOffset());
    SluiceException overlapping = assertThrows(SluiceException.class, () -> table.check(9, (short) 0, 18, 4, 0));
    assertEquals(ErrorCode.DUPLICATE_SEQUENCE, overlapping.code(), "a batch running past the remembered one is no retry");
    assertNull(table.check(9, (short) 0, 20, 1, 0).duplicateOf(), "the next sequence is appended");
  }

  @Test
  void gapsAndForgottenSequencesAreRefused() {
    append(1, 0, 1, 0);
    SluiceException gap = assertThrows(SluiceException.class, () -> table.check(1, (short) 0, 5, 1, 0));
    assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, gap.code());
    for (int i = 1; i <= ProducerStateTable.RECENT; i++) {
      append(1, i, 1, i);
    }
    SluiceException old = assertThrows(SluiceException.class, () -> table.check(1, (short) 0, 0, 1, 0));
    assertEquals(ErrorCode.DUPLICATE_SEQUENCE, old.code());
  }

  @Test
  void aFailedAppendIsForgottenSoItsRetryIsAccepted() {
    append(2, 0, 4, 0);
    ProducerStateTable.Decision d = table.check(2, (short) 0, 4, 4, 0);
    table.failed(2, d.toAppend(), new StorageException("disk"));
    assertNull(table.check(2, (short) 0, 4, 4, 0).duplicateOf());
  }

  @Test
  void aNewProducerMayStartAnywhereAndSequencesWrap() {
    append(3, Integer.MAX_VALUE - 1, 3, 0);
    assertEquals(1, ProducerStateTable.nextSequence(Integer.MAX_VALUE - 1, 3));
    append(3, 1, 1, 3);
  }

  @Test
  void replayedBatchesDeduplicateAfterARestart() {
    table.replay(9, (short) 0, 0, 2, 40);
    table.replay(9, (short) 0, 2, 2, 42);
    assertEquals(42, table.check(9, (short) 0, 2, 2, 0).duplicateOf().result().baseOffset());
    assertNull(table.check(9, (short) 0, 4, 1, 0).duplicateOf());
  }
}
