package io.sluice.broker.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One command's arguments after its command words: positionals, {@code --name value} or
 * {@code --name=value} options, and {@code --flag}s, in any order; {@code --} ends the options. Anything
 * the command does not declare is a usage error, so a typo never silently does something else.
 *
 * <p>Immutable once parsed.
 */
final class Args {

  private final List<String> positionals = new ArrayList<>();
  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();

  private Args() {
  }

  static Args parse(List<String> raw, Set<String> valueOptions, Set<String> flagOptions) {
    Args args = new Args();
    boolean optionsEnded = false;
    for (int i = 0; i < raw.size(); i++) {
      String a = raw.get(i);
      if (optionsEnded || !a.startsWith("--") || a.equals("-")) {
        args.positionals.add(a);
        continue;
      }
      if (a.equals("--")) {
        optionsEnded = true;
        continue;
      }
      int eq = a.indexOf('=');
      String name = a.substring(2, eq < 0 ? a.length() : eq);
      if (flagOptions.contains(name)) {
        if (eq >= 0) {
          throw CliFailure.usage("--" + name + " takes no value");
        }
        args.flags.add(name);
      } else if (valueOptions.contains(name)) {
        String value;
        if (eq >= 0) {
          value = a.substring(eq + 1);
        } else if (i + 1 < raw.size()) {
          value = raw.get(++i);
        } else {
          throw CliFailure.usage("--" + name + " needs a value");
        }
        if (args.values.put(name, value) != null) {
          throw CliFailure.usage("--" + name + " is given twice");
        }
      } else {
        throw CliFailure.usage("unknown option --" + name);
      }
    }
    return args;
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** The option's value, or {@code otherwise} when it is not given. */
  String value(String name, String otherwise) {
    return values.getOrDefault(name, otherwise);
  }

  /** The option as a whole number in {@code [min, max]}, or {@code otherwise} when it is not given. */
  long number(String name, long otherwise, long min, long max) {
    String v = values.get(name);
    if (v == null) {
      return otherwise;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw CliFailure.usage("--" + name + " must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw CliFailure.usage("--" + name + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  /** The {@code index}th positional, named {@code what} in the usage error when it is missing. */
  String positional(int index, String what) {
    if (index >= positionals.size()) {
      throw CliFailure.usage("missing " + what);
    }
    return positionals.get(index);
  }

  /** Refuses positionals beyond the first {@code count}. */
  Args atMostPositionals(int count) {
    if (positionals.size() > count) {
      throw CliFailure.usage("unexpected argument '" + positionals.get(count) + "'");
    }
    return this;
  }
}
