package io.sluice.api.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.util.internal.PlatformDependent;
import io.sluice.api.ErrorCode;
import io.sluice.api.StorageException;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The chunk store beneath the memory log, on chunks small enough that appends span several. */
class ChunkedBytesTest {

  /** {@code n} bytes counting up from {@code first}, so any misplaced byte shows. */
  private static byte[] bytes(int first, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }

  @Test
  void appendsSpanChunkEndsAndReadBackExactly() {
    ChunkedBytes c = new ChunkedBytes(8, 32);
    byte[] all = bytes(0, 200);
    long at = 0;
    for (int n : new int[] {3, 8, 13, 1, 40, 100, 35}) {
      assertEquals(at, c.append(Buffer.buffer(Arrays.copyOfRange(all, (int) at, (int) at + n))), "position of append");
      at += n;
    }
    assertEquals(200, c.end());
    for (int from = 0; from < 200; from += 7) {
      for (int len : new int[] {0, 1, 9, 33, 200 - from}) {
        int n = Math.min(len, 200 - from);
        assertArrayEquals(Arrays.copyOfRange(all, from, from + n), c.copy(from, n).getBytes(), from + "+" + n);
      }
    }
  }

  @Test
  void chunksGrowFromTheSmallestToTheLargest() {
    ChunkedBytes c = new ChunkedBytes(8, 32);
    c.append(Buffer.buffer(bytes(0, 8 + 16 + 32 + 32 + 1)));
    assertEquals(5, c.chunkCount(), "8, 16, 32, 32, 32");
    assertEquals(8 + 16 + 32 + 32 + 32, c.capacity());
  }

  @Test
  void releasingDropsOnlyChunksWhollyBeforeThePosition() {
    ChunkedBytes c = new ChunkedBytes(16, 16);
    c.append(Buffer.buffer(bytes(0, 100)));
    assertEquals(7, c.chunkCount());
    c.releaseBefore(40);
    assertEquals(32, c.retainedFrom(), "the chunk holding 40 stays, with its bytes before 40");
    assertEquals(5, c.chunkCount());
    assertArrayEquals(bytes(32, 68), c.copy(32, 68).getBytes());
    assertThrows(IllegalStateException.class, () -> c.copy(31, 2), "released bytes are never read");
    c.releaseBefore(100);
    assertEquals(1, c.chunkCount(), "the chunk holding the end is still filling");
    c.append(Buffer.buffer(bytes(100, 20)));
    assertArrayEquals(bytes(96, 24), c.copy(96, 24).getBytes());
  }

  @Test
  void releasingEverythingStartsAFreshChunkAtTheEnd() {
    ChunkedBytes c = new ChunkedBytes(16, 16);
    c.append(Buffer.buffer(bytes(0, 32)));
    c.releaseBefore(32);
    assertEquals(0, c.chunkCount());
    assertEquals(32, c.retainedFrom());
    assertEquals(32, c.append(Buffer.buffer(bytes(32, 5))));
    assertArrayEquals(bytes(32, 5), c.copy(32, 5).getBytes());
  }

  @Test
  void truncationForgetsTheTailAndAppendsOverwriteIt() {
    ChunkedBytes c = new ChunkedBytes(16, 16);
    c.append(Buffer.buffer(bytes(0, 70)));
    c.truncateTo(70 + 5);
    assertEquals(70, c.end(), "truncating past the end changes nothing");
    c.truncateTo(20);
    assertEquals(20, c.end());
    assertEquals(2, c.chunkCount(), "chunks after the cut are dropped");
    assertThrows(IllegalStateException.class, () -> c.copy(18, 3), "bytes past the end are never read");
    assertEquals(20, c.append(Buffer.buffer(bytes(120, 30))));
    assertArrayEquals(bytes(0, 20), c.copy(0, 20).getBytes());
    assertArrayEquals(bytes(120, 30), c.copy(20, 30).getBytes());
    c.truncateTo(32);
    assertEquals(2, c.chunkCount(), "a cut at a chunk start drops that chunk");
    assertEquals(32, c.append(Buffer.buffer(bytes(7, 3))));
    assertArrayEquals(bytes(7, 3), c.copy(32, 3).getBytes());
  }

  @Test
  void releasingFreesEveryChunkAndNothingFreedIsReadable() {
    ChunkedBytes c = new ChunkedBytes(16, 16);
    c.append(Buffer.buffer(bytes(0, 40)));
    c.release();
    assertEquals(0, c.chunkCount());
    assertEquals(0, c.capacity());
    assertThrows(IllegalStateException.class, () -> c.copy(0, 1), "freed memory is never read");
    assertThrows(IllegalStateException.class, () -> c.copy(39, 1));
    assertEquals(40, c.append(Buffer.buffer(bytes(40, 3))), "appends continue at the end in a new chunk");
    assertArrayEquals(bytes(40, 3), c.copy(40, 3).getBytes());
    c.release();
  }

  @Test
  void anAppendThatCannotGetMemoryChangesNothing() {
    int[] allowed = {2};
    ChunkedBytes c = new ChunkedBytes(16, 16, size -> {
      if (allowed[0]-- <= 0) {
        throw new OutOfMemoryError("Cannot reserve " + size + " bytes of direct buffer memory (test)");
      }
      return PlatformDependent.allocateDirect(size);
    });
    c.append(Buffer.buffer(bytes(0, 20)));
    assertEquals(2, c.chunkCount());
    StorageException e = assertThrows(StorageException.class, () -> c.append(Buffer.buffer(bytes(20, 40))),
        "needs two more chunks, gets none");
    assertEquals(ErrorCode.STORAGE_FAILURE, e.code());
    assertEquals(20, c.end(), "nothing appended");
    assertEquals(2, c.chunkCount(), "no chunk left behind");
    allowed[0] = 1;
    assertThrows(StorageException.class, () -> c.append(Buffer.buffer(bytes(20, 40))), "gets one of the two");
    assertEquals(2, c.chunkCount(), "the chunk it got is freed again");
    assertEquals(20, c.append(Buffer.buffer(bytes(20, 12))), "what fits the chunk in hand still goes in");
    allowed[0] = 5;
    assertEquals(32, c.append(Buffer.buffer(bytes(32, 40))));
    assertArrayEquals(bytes(0, 72), c.copy(0, 72).getBytes());
    c.release();
  }

  @Test
  void chunkSizesMustBeOrdered() {
    assertThrows(IllegalArgumentException.class, () -> new ChunkedBytes(0, 8));
    assertThrows(IllegalArgumentException.class, () -> new ChunkedBytes(16, 8));
  }
}
