package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderLimitsTest {

  private static List<Header> headers(int count, int valueBytes) {
    List<Header> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(new Header("h" + i, Buffer.buffer(new byte[valueBytes])));
    }
    return out;
  }

  @Test
  void theLimitsAreInclusiveAndEachExcessHasItsCode() {
    HeaderLimits limits = HeaderLimits.of(3, 10);
    limits.check(headers(3, 1)); // 3 x ("hN" 2 + 1) = 9 bytes
    limits.check(List.of(new Header("ab", Buffer.buffer(new byte[8]))));
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(SluiceException.class, () -> limits.check(headers(4, 0))).code());
    assertEquals(ErrorCode.RECORD_TOO_LARGE,
        assertThrows(SluiceException.class, () -> limits.check(List.of(new Header("ab", Buffer.buffer(new byte[9]))))).code());
    assertEquals(ErrorCode.RECORD_TOO_LARGE,
        assertThrows(SluiceException.class, () -> limits.check(Message.of("k", "v").withHeader("é", "123456789"))).code(),
        "a name counts in UTF-8 bytes");
  }

  @Test
  void defaultsAndBadLimits() {
    assertEquals(64, HeaderLimits.DEFAULT.maxHeaders());
    assertEquals(16 * 1024, HeaderLimits.DEFAULT.maxHeaderBytes());
    HeaderLimits.DEFAULT.check(headers(64, 200));
    assertThrows(InvalidArgumentException.class, () -> HeaderLimits.of(-1, 10));
    assertThrows(InvalidArgumentException.class, () -> HeaderLimits.of(40_000, 10));
    assertThrows(InvalidArgumentException.class, () -> HeaderLimits.of(1, -1));
  }

  @Test
  void utf8LengthMatchesTheEncoder() {
    for (String s : List.of("", "abc", "é", "日本語", "a\uD83D\uDE00b", "\u07FF\u0800")) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, HeaderLimits.utf8Length(s), s);
    }
  }
}
