package io.sluice.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The epoch history's answers, which decide where a follower truncates. */
class EpochHistoryTest {

  @Test
  void theEndOfAnEpochIsTheStartOfTheNextOrTheLogEnd() {
    EpochHistory h = new EpochHistory("u");
    assertArrayEquals(new long[] {-1, -1}, h.endOf(3, 0), "an empty history knows no epoch");
    assertTrue(h.assign(0, 0));
    assertTrue(h.assign(2, 10));
    assertTrue(h.assign(5, 25));
    assertFalse(h.assign(4, 30), "an older epoch is ignored");
    assertArrayEquals(new long[] {0, 10}, h.endOf(0, 40));
    assertArrayEquals(new long[] {0, 10}, h.endOf(1, 40), "an epoch this log never had answers with the one before");
    assertArrayEquals(new long[] {2, 25}, h.endOf(3, 40));
    assertArrayEquals(new long[] {5, 40}, h.endOf(9, 40), "the latest epoch ends at the log end");
    assertEquals(2, h.epochAtMost(4));
    assertEquals(-1, new EpochHistory("u").epochAtMost(4));
  }

  @Test
  void anEpochWithoutRecordsIsReplacedAndTruncationForgetsLaterEpochs() {
    EpochHistory h = new EpochHistory("u");
    h.assign(0, 0);
    h.assign(1, 10);
    h.assign(2, 10);
    assertEquals("0:0,2:10", h.entries(), "epoch 1 held no records");
    h.assign(3, 20);
    h.truncateFromEnd(20);
    assertEquals("0:0,2:10", h.entries());
    assertEquals(2, h.latestEpoch());
  }

  @Test
  void aFollowerTakesTheLeadersEpochsBelowItsEnd() {
    EpochHistory h = new EpochHistory("u");
    assertTrue(h.follow("0:0,3:10,4:30", 20));
    assertEquals("0:0,3:10", h.entries(), "epoch 4 starts beyond what the follower holds");
    assertFalse(h.follow("0:0,3:10,4:30", 30), "nothing new below 30");
    assertTrue(h.follow("0:0,3:10,4:30", 31));
    assertEquals(4, h.latestEpoch());
    EpochHistory back = EpochHistory.decode(h.encode());
    assertEquals("u", back.uid());
    assertEquals(h.entries(), back.entries());
    assertEquals("", EpochHistory.decode("v;").entries());
  }
}
