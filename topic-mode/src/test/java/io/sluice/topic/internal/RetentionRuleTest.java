package io.sluice.topic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.store.SegmentInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionRuleTest {

  private static final long NOW = 1_000_000;

  private static final List<SegmentInfo> SEGMENTS = List.of(
      new SegmentInfo(0, 10, 1000, NOW - 5000, false),
      new SegmentInfo(10, 20, 1000, NOW - 3000, false),
      new SegmentInfo(20, 30, 1000, NOW - 1000, false),
      new SegmentInfo(30, 35, 500, NOW, true));

  @Test
  void unlimitedKeepsEverything() {
    assertEquals(-1, RetentionRule.trimPoint(SEGMENTS, NOW, -1, -1));
  }

  @Test
  void timeDropsSegmentsWhoseNewestRecordIsTooOld() {
    assertEquals(10, RetentionRule.trimPoint(SEGMENTS, NOW, 4000, -1));
    assertEquals(20, RetentionRule.trimPoint(SEGMENTS, NOW, 2000, -1));
    // The active segment stays even when everything is expired.
    assertEquals(30, RetentionRule.trimPoint(SEGMENTS, NOW, 0, -1));
  }

  @Test
  void sizeDropsOldestWhileTheRestStaysAtOrAboveTheLimit() {
    assertEquals(-1, RetentionRule.trimPoint(SEGMENTS, NOW, -1, 3500));
    assertEquals(10, RetentionRule.trimPoint(SEGMENTS, NOW, -1, 2500));
    assertEquals(20, RetentionRule.trimPoint(SEGMENTS, NOW, -1, 1500));
    assertEquals(30, RetentionRule.trimPoint(SEGMENTS, NOW, -1, 0));
  }

  @Test
  void stopsAtTheFirstSegmentToKeep() {
    List<SegmentInfo> outOfOrder = List.of(
        new SegmentInfo(0, 10, 1000, NOW, false),
        new SegmentInfo(10, 20, 1000, NOW - 9000, false),
        new SegmentInfo(20, 21, 10, NOW, true));
    assertEquals(-1, RetentionRule.trimPoint(outOfOrder, NOW, 1000, -1));
  }
}
