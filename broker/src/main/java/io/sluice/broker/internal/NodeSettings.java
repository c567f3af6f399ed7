package io.sluice.broker.internal;

import io.sluice.api.InvalidArgumentException;
import io.sluice.broker.NodeOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the standalone node's settings: flags, then {@code SLUICE_*} environment variables, then a JSON
 * config file, then the defaults, the first one found winning for each setting. A bad setting is
 * reported in one line that names where it came from ("bad value for SLUICE_HTTP_PORT: ...").
 *
 * <p>Stateless; {@link #parse} reads the config file on the calling thread, so call it off any event loop.
 */
public final class NodeSettings {

  /** What the command line asks for. */
  public sealed interface Outcome permits Help, Run, Invalid {
  }

  /** {@code --help}: print {@link #text()} and exit 0. */
  public record Help(String text) implements Outcome {
  }

  /** Start a node with these options. */
  public record Run(NodeOptions options) implements Outcome {
  }

  /** A bad setting: print {@link #message()} (one line) and exit 2. */
  public record Invalid(String message) implements Outcome {
  }

  /** A raw value and where it came from, for messages. */
  private record Sourced(String value, String origin) {
  }

  private NodeSettings() {
  }

  public static Outcome parse(List<String> args, Map<String, String> env) {
    if (args.contains("--help") || args.contains("-h")) {
      return new Help(help());
    }
    Map<Setting, Sourced> fromFlags = new EnumMap<>(Setting.class);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        return new Invalid("unexpected argument '" + arg + "' (options start with --; see --help)");
      }
      int eq = arg.indexOf('=');
      String flag = eq > 0 ? arg.substring(0, eq) : arg;
      Setting setting = Setting.byFlag(flag);
      if (setting == null) {
        return new Invalid("unknown option '" + flag + "' (see --help)");
      }
      String value;
      if (eq > 0) {
        value = arg.substring(eq + 1);
      } else if (setting.isSwitch()) {
        value = "true";
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        return new Invalid(flag + " needs a value: " + flag + " " + setting.argument());
      }
      fromFlags.put(setting, new Sourced(value, flag));
    }

    Map<Setting, Sourced> fromEnv = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      String v = env.get(s.env());
      // An exported-but-empty variable is how shells unset things in practice: treat it as absent.
      if (v != null && !v.isEmpty()) {
        fromEnv.put(s, new Sourced(v, s.env()));
      }
    }

    Map<Setting, Sourced> fromFile = new EnumMap<>(Setting.class);
    Sourced configPath = fromFlags.getOrDefault(Setting.CONFIG, fromEnv.get(Setting.CONFIG));
    if (configPath != null) {
      try {
        fromFile = readConfigFile(configPath.value());
      } catch (InvalidArgumentException e) {
        return new Invalid(e.getMessage());
      }
    }

    NodeOptions options = new NodeOptions();
    for (Setting s : Setting.values()) {
      if (s == Setting.CONFIG) {
        continue;
      }
      Sourced v = fromFlags.getOrDefault(s, fromEnv.getOrDefault(s, fromFile.get(s)));
      if (v != null) {
        try {
          s.apply(options, v.value());
        } catch (InvalidArgumentException e) {
          return new Invalid("bad value for " + v.origin() + ": " + e.getMessage());
        }
      }
    }
    if (options.getMinInSync() > options.getReplicationFactor()) {
      Sourced v = fromFlags.getOrDefault(Setting.MIN_IN_SYNC, fromEnv.getOrDefault(Setting.MIN_IN_SYNC, fromFile.get(Setting.MIN_IN_SYNC)));
      return new Invalid("bad value for " + v.origin() + ": " + options.getMinInSync()
          + " in-sync replicas exceed the replication factor " + options.getReplicationFactor());
    }
    return new Run(options);
  }

  private static Map<Setting, Sourced> readConfigFile(String file) {
    String text;
    try {
      text = Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new InvalidArgumentException("config file '" + file + "' does not exist");
    } catch (IOException | RuntimeException e) {
      throw new InvalidArgumentException("cannot read config file '" + file + "': " + e.getMessage(), e);
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException e) {
      throw new InvalidArgumentException("config file '" + file + "' is not a JSON object: " + firstLine(e.getMessage()), e);
    }
    Map<Setting, Sourced> out = new EnumMap<>(Setting.class);
    for (Map.Entry<String, Object> e : json) {
      Setting s = Setting.byKey(e.getKey());
      if (s == null || s == Setting.CONFIG) {
        throw new InvalidArgumentException("unknown setting '" + e.getKey() + "' in config file '" + file + "' (see --help)");
      }
      String origin = "'" + e.getKey() + "' in " + file;
      Object v = e.getValue();
      String raw;
      if (v == null) {
        continue;
      } else if (v instanceof String str) {
        raw = str;
      } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
        raw = v.toString();
      } else if (v instanceof JsonArray array && (s == Setting.JOIN || s == Setting.BRIDGE_OUTBOUND || s == Setting.BRIDGE_INBOUND)) {
        raw = array.stream().map(String::valueOf).collect(Collectors.joining(","));
      } else {
        throw new InvalidArgumentException("bad value for " + origin + ": " + v + " is not a " + (s.isSwitch() ? "boolean" : s.argument()));
      }
      out.put(s, new Sourced(raw, origin));
    }
    return out;
  }

  /** The {@code --help} text: every setting with its flag, environment variable and default. */
  public static String help() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: java -jar sluice.jar [options]\n\n");
    sb.append("Starts a Sluice node. Each setting is taken from its flag, else its environment variable,\n");
    sb.append("else the config file (--config), else its default. Give a value as '--name value' or '--name=value'.\n\n");
    sb.append("Options:\n");
    for (Setting s : Setting.values()) {
      String flag = s.isSwitch() ? s.flag() : s.flag() + " " + s.argument();
      sb.append(String.format("  %-34s env %-28s default %s%n", flag, s.env(), s.defaultShown()));
      sb.append("        ").append(s.description()).append('\n');
    }
    sb.append(String.format("  %-34s %s%n", "-h, --help", "Show this help and exit."));
    sb.append("\nExit codes: 0 stopped cleanly, 1 could not start (e.g. port in use), 2 bad settings.\n");
    return sb.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
