package io.sluice.samples;

import io.sluice.samples.channels.ChannelReport;
import io.sluice.samples.channels.ChannelSubscriptionSample;
import io.sluice.samples.eventbus.EventBusIntegrationSample;
import io.sluice.samples.orders.OrderProcessingSample;
import io.sluice.samples.orders.OrderReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * {@code java -jar sluice-samples.jar <sample> [--flag value ...]}: runs one sample in a fresh {@code Vertx}
 * and exits with 0 when the sample proved its claims, 1 when it did not (or failed), 2 for bad arguments.
 *
 * <p>Runs on the main thread, which only waits: the samples themselves run on Vert.x event loops.
 */
public final class Samples {

  private static final String USAGE = """
      usage: java -jar sluice-samples.jar <sample> [options]
        order-processing      [--orders 1000] [--invalid-every 20]
        channel-subscription  [--records 300] [--interval-ms 10] [--http-port 8080] [--serve]
        event-bus             [--jobs 300] [--interval-ms 5]
      common options:
        --data-dir <dir>      where the file store keeps its logs (default: a temporary directory, deleted at the end)
      """;
  private static final long TIMEOUT_MS = 120_000;

  private Samples() {
  }

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.out));
  }

  static int run(List<String> args, PrintStream out) {
    if (args.isEmpty() || args.contains("--help")) {
      out.print(USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    Map<String, String> flags;
    try {
      flags = flags(args.subList(1, args.size()));
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.print(USAGE);
      return 2;
    }
    String sample = args.get(0);
    Vertx vertx = Vertx.vertx();
    Path[] dataDir = new Path[1];
    Runnable cleanUp = () -> {
      vertx.close().await();
      if (dataDir[0] != null && !flags.containsKey("data-dir")) {
        deleteTree(dataDir[0]);
      }
    };
    boolean serving = false;
    try {
      dataDir[0] = flags.containsKey("data-dir") ? Path.of(flags.get("data-dir")) : Files.createTempDirectory("sluice-sample");
      boolean proven = start(sample, vertx, dataDir[0], flags, out).await();
      if (proven && flags.containsKey("serve")) {
        serving = true;
        Runtime.getRuntime().addShutdownHook(new Thread(cleanUp, "sluice-samples-shutdown"));
        new CountDownLatch(1).await();   // until Ctrl-C: the hook cleans up, then the JVM exits
      }
      return proven ? 0 : 1;
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.print(USAGE);
      return 2;
    } catch (Exception e) {
      out.println(sample + " failed: " + e);
      return 1;
    } finally {
      if (!serving) {
        cleanUp.run();
      }
    }
  }

  /** Starts the named sample; completes with whether it proved its claims. */
  private static Future<Boolean> start(String sample, Vertx vertx, Path dataDir, Map<String, String> flags,
      PrintStream out) {
    return switch (sample) {
      case "order-processing" -> OrderProcessingSample.run(vertx, new OrderProcessingSample.Settings(dataDir,
          intFlag(flags, "orders", 1000), intFlag(flags, "invalid-every", 20), TIMEOUT_MS), out)
          .map(OrderReport::proven);
      case "channel-subscription" -> ChannelSubscriptionSample.run(vertx, new ChannelSubscriptionSample.Settings(
          dataDir, intFlag(flags, "records", 300), intFlag(flags, "interval-ms", 10), portFlag(flags), 1_000,
          TIMEOUT_MS, flags.containsKey("serve")), out)
          .map(ChannelReport::proven);
      case "event-bus" -> EventBusIntegrationSample.run(vertx, new EventBusIntegrationSample.Settings(dataDir,
          intFlag(flags, "jobs", 300), intFlag(flags, "interval-ms", 5), TIMEOUT_MS), out)
          .map(EventBusIntegrationSample.Comparison::proven);
      default -> throw new IllegalArgumentException("unknown sample '" + sample + "'");
    };
  }

  /** {@code --name value} pairs and bare {@code --switch}es (value "true"). */
  private static Map<String, String> flags(List<String> args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      boolean hasValue = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
      flags.put(arg.substring(2), hasValue ? args.get(++i) : "true");
    }
    return flags;
  }

  private static int intFlag(Map<String, String> flags, String name, int defaultValue) {
    return numberFlag(flags, name, defaultValue, 1, Integer.MAX_VALUE, "a positive whole number");
  }

  /** 0 picks any free port (the tests use it). */
  private static int portFlag(Map<String, String> flags) {
    return numberFlag(flags, "http-port", 8080, 0, 65_535, "a port number (0-65535)");
  }

  private static int numberFlag(Map<String, String> flags, String name, int defaultValue, int min, int max,
      String what) {
    String value = flags.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, with the flag's name
    }
    throw new IllegalArgumentException("--" + name + " takes " + what + ", got '" + value + "'");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
