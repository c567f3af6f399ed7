package io.sluice.topic.internal;

import io.sluice.api.store.SegmentInfo;
import java.util.List;

/**
 * Which whole segments a partition's retention drops. Segments are dropped oldest first and only while
 * each one is deletable, so the log never gets a hole; the active segment is never dropped. A segment is
 * deletable when its newest record is older than {@code retentionMs} (Kafka's rule: by the largest
 * timestamp in the segment), or when the partition would still hold at least {@code retentionBytes}
 * without it. Stateless.
 */
final class RetentionRule {

  private RetentionRule() {
  }

  /** The offset to trim the log before, or -1 if nothing is to be dropped. */
  static long trimPoint(List<SegmentInfo> segments, long now, long retentionMs, long retentionBytes) {
    long total = 0;
    for (SegmentInfo s : segments) {
      total += s.sizeInBytes();
    }
    long point = -1;
    for (SegmentInfo s : segments) {
      if (s.active()) {
        break;
      }
      boolean empty = s.nextOffset() == s.baseOffset();
      boolean expired = retentionMs >= 0 && s.maxTimestamp() >= 0 && now - s.maxTimestamp() > retentionMs;
      boolean oversize = retentionBytes >= 0 && total - s.sizeInBytes() >= retentionBytes;
      if (!(empty || expired || oversize)) {
        break;
      }
      point = s.nextOffset();
      total -= s.sizeInBytes();
    }
    return point;
  }
}
