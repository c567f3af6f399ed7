package io.sluice.api.store;

/**
 * A read-only description of one segment of a log, for retention policies and operators: the offsets
 * it holds ({@code [baseOffset, nextOffset)}), its size, the largest record timestamp in it (or -1 when
 * empty), and whether it is still being appended to.
 */
public record SegmentInfo(long baseOffset, long nextOffset, long sizeInBytes, long maxTimestamp, boolean active) {
}
