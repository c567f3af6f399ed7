package io.sluice.api;

import java.util.regex.Pattern;

/** The name rule for logs, topics, queues and groups: {@code [A-Za-z0-9._-]{1,249}}, not "." or "..". */
public final class Names {

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  private Names() {
  }

  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches() && !name.equals(".") && !name.equals("..");
  }

  /**
   * Returns {@code name} when valid.
   *
   * @param kind what is named, for the message ("topic", "queue", ...)
   * @throws InvalidArgumentException with code {@link ErrorCode#INVALID_NAME} otherwise
   */
  public static String validate(String kind, String name) {
    if (!isValid(name)) {
      String shown = name == null ? "null" : name.length() > 60 ? name.substring(0, 60) + "..." : name;
      throw new InvalidArgumentException(ErrorCode.INVALID_NAME, "invalid " + kind + " name '" + shown
          + "': names are 1 to 249 characters of A-Z a-z 0-9 . _ - (and not '.' or '..')", null);
    }
    return name;
  }
}
