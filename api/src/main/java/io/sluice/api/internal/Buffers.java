package io.sluice.api.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Zero-copy bridges between Vert.x {@link Buffer}s and NIO {@link ByteBuffer}s, and the CRC32C used by
 * the batch format. Internal: stores and codecs use it; applications should not.
 */
public final class Buffers {

  private Buffers() {
  }

  /** A NIO view of {@code length} bytes of {@code buffer} from {@code offset}, sharing its memory when possible. */
  public static ByteBuffer nio(Buffer buffer, int offset, int length) {
    ByteBuf buf = ((BufferInternal) buffer).getByteBuf();
    if (buf.nioBufferCount() == 1) {
      return buf.nioBuffer(offset, length);
    }
    return ByteBuffer.wrap(buffer.getBytes(offset, offset + length));
  }

  public static ByteBuffer nio(Buffer buffer) {
    return nio(buffer, 0, buffer.length());
  }

  /** A Buffer over the remaining bytes of {@code bb}, without copying. The ByteBuffer must not be reused. */
  public static Buffer wrap(ByteBuffer bb) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bb));
  }

  /** CRC32C of {@code length} bytes of {@code buffer} from {@code offset}, as an unsigned int in an int. */
  public static int crc32c(Buffer buffer, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(nio(buffer, offset, length));
    return (int) crc.getValue();
  }
}
