package io.sluice.broker.internal;

/**
 * Whether bytes are well-formed UTF-8 (Unicode table 3-7: no overlong forms, no surrogates, nothing above
 * U+10FFFF, no cut sequence), exactly what the JDK's reporting UTF-8 decoder accepts, without decoding.
 *
 * <p>Stateless.
 */
final class Utf8 {

  private Utf8() {
  }

  static boolean isValid(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int b0 = b[i];
      if (b0 >= 0) {
        i++;
        continue;
      }
      b0 &= 0xff;
      if (b0 < 0xc2 || b0 > 0xf4) {
        return false;
      }
      if (b0 < 0xe0) {
        if (i + 1 >= to || !continuation(b[i + 1])) {
          return false;
        }
        i += 2;
      } else if (b0 < 0xf0) {
        if (i + 2 >= to) {
          return false;
        }
        int b1 = b[i + 1] & 0xff;
        // E0 needs A0..BF (else overlong), ED needs 80..9F (else a surrogate).
        if (b0 == 0xe0 ? b1 < 0xa0 || b1 > 0xbf : b0 == 0xed ? b1 < 0x80 || b1 > 0x9f : !continuation(b[i + 1])) {
          return false;
        }
        if (!continuation(b[i + 2])) {
          return false;
        }
        i += 3;
      } else {
        if (i + 3 >= to) {
          return false;
        }
        int b1 = b[i + 1] & 0xff;
        // F0 needs 90..BF (else overlong), F4 needs 80..8F (else above U+10FFFF).
        if (b0 == 0xf0 ? b1 < 0x90 || b1 > 0xbf : b0 == 0xf4 ? b1 < 0x80 || b1 > 0x8f : !continuation(b[i + 1])) {
          return false;
        }
        if (!continuation(b[i + 2]) || !continuation(b[i + 3])) {
          return false;
        }
        i += 4;
      }
    }
    return true;
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }
}
