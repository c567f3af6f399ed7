package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The name rule {@code [A-Za-z0-9._-]{1,249}}, not "." or "..", against an independent reference. */
class NamesProperties {

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";

  /** The rule written out without a regular expression. */
  private static boolean reference(String name) {
    if (name == null || name.isEmpty() || name.length() > 249 || name.equals(".") || name.equals("..")) {
      return false;
    }
    return name.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0);
  }

  @Provide
  Arbitrary<String> wellFormed() {
    return Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMinLength(1).ofMaxLength(249);
  }

  @Provide
  Arbitrary<String> anything() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(300),
        Arbitraries.strings().withChars((ALPHABET + "/\\ :*?\"<>|\u0000\u00e9\u0130").toCharArray()).ofMaxLength(260),
        Arbitraries.of(".", "..", "...", "", "a/../b", "x".repeat(249), "x".repeat(250)));
  }

  @Property
  void agreesWithTheReferenceRule(@ForAll("anything") String name) {
    boolean valid = reference(name);
    assertEquals(valid, Names.isValid(name), "isValid('" + name + "')");
    if (valid) {
      assertSame(name, Names.validate("topic", name));
    } else {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Names.validate("topic", name));
      assertEquals(ErrorCode.INVALID_NAME, e.code());
      assertTrue(e.getMessage().startsWith("invalid topic name"), e.getMessage());
      assertTrue(e.getMessage().length() < 250, "the message shows a long name shortened");
    }
  }

  @Property
  void everyNameOverTheAlphabetUpTo249IsValidExceptDotAndDotDot(@ForAll("wellFormed") String name) {
    assertEquals(!name.equals(".") && !name.equals(".."), Names.isValid(name));
  }

  @Property
  void oneForeignCharacterMakesANameInvalid(@ForAll("wellFormed") String name, @ForAll char c, @ForAll int at) {
    if (ALPHABET.indexOf(c) >= 0) {
      return;
    }
    int pos = Math.floorMod(at, name.length() + 1);
    String bad = name.substring(0, pos) + c + name.substring(pos);
    assertFalse(Names.isValid(bad), "'" + bad + "' holds " + (int) c);
  }

  @Example
  void nullAndTheLengthLimit() {
    assertFalse(Names.isValid(null));
    assertEquals(ErrorCode.INVALID_NAME,
        assertThrows(InvalidArgumentException.class, () -> Names.validate("queue", null)).code());
    assertTrue(Names.isValid("q".repeat(249)));
    assertFalse(Names.isValid("q".repeat(250)));
  }
}
