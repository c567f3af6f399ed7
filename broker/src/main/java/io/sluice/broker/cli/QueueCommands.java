package io.sluice.broker.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * {@code queues create|list|describe|send|receive|delete}.
 *
 * <p>Stateless; each command runs on the caller's thread.
 */
final class QueueCommands {

  /** Most messages one receive request asks for (the node's limit per answer). */
  private static final int MAX_PER_RECEIVE = 1000;
  /** Longest long poll the node accepts. */
  static final long MAX_WAIT_MS = 20_000;

  private QueueCommands() {
  }

  static List<Command> all() {
    return List.of(
        new Command("queues create", "<queue> [--visibility-timeout-ms MS] [--max-deliveries N] [--dead-letter-queue Q]",
            "Create a queue, or check that it exists with these settings",
            """
              --visibility-timeout-ms MS  how long a received message stays hidden before it is delivered again
              --max-deliveries N          deliveries before a message moves to the dead-letter queue (0: no limit)
              --dead-letter-queue Q       where messages go after --max-deliveries
            """,
            Set.of("visibility-timeout-ms", "max-deliveries", "dead-letter-queue"), Set.of(), 1, QueueCommands::create),
        new Command("queues list", "", "List the queues", "", Set.of(), Set.of(), 0, (a, s) -> Resources.list(s, "queue")),
        new Command("queues describe", "<queue>", "Show a queue's depth, in-flight and delayed counts and settings", "",
            Set.of(), Set.of(), 1, QueueCommands::describe),
        new Command("queues delete", "<queue>", "Delete a queue and its messages", "", Set.of(), Set.of(), 1,
            (a, s) -> Resources.delete(s, "queue", a.positional(0, "the queue name"))),
        new Command("queues send", "<queue> [--verbose]", "Send each line of standard input as a message, in batches",
            """
              --verbose  print each message's id instead of the summary
            """,
            Set.of(), Set.of("verbose"), 1, QueueCommands::send),
        new Command("queues receive", "<queue> [--max N] [--wait-ms MS] [--ack] [--verbose]",
            "Receive messages and print their values, one per line",
            """
              --max N       receive up to N messages (default 1)
              --wait-ms MS  wait up to MS for the first message (default 0, at most 20000)
              --ack         acknowledge what was printed (otherwise it is delivered again after its visibility timeout)
              --verbose     print id, delivery count and receipt before each value
            """,
            Set.of("max", "wait-ms"), Set.of("ack", "verbose"), 1, QueueCommands::receive));
  }

  private static int create(Args a, Session s) throws InterruptedException {
    String queue = a.positional(0, "the queue name");
    JsonObject config = new JsonObject();
    if (a.has("visibility-timeout-ms")) {
      config.put("visibilityTimeoutMs", a.number("visibility-timeout-ms", 0, 1, Long.MAX_VALUE));
    }
    if (a.has("max-deliveries")) {
      config.put("maxDeliveries", a.number("max-deliveries", 0, 0, Integer.MAX_VALUE));
    }
    if (a.has("dead-letter-queue")) {
      config.put("deadLetterQueue", a.value("dead-letter-queue", null));
    }
    return Resources.create(s, "queue", queue, config, created -> "");
  }

  private static int describe(Args a, Session s) throws InterruptedException {
    JsonObject d = Resources.describe(s, "queue", a.positional(0, "the queue name"));
    if (!s.json()) {
      Resources.printFields(s, d);
    }
    return SluiceCli.OK;
  }

  private static int send(Args a, Session s) throws InterruptedException {
    String queue = a.positional(0, "the queue name");
    LineSender.Encoder encoder = (lines, firstLine) -> {
      JsonArray messages = new JsonArray();
      for (String line : lines) {
        messages.add(new JsonObject().put("value", line));
      }
      return new JsonObject().put("messages", messages);
    };
    LineSender.Reporter verbose = a.flag("verbose") ? (session, answer) -> {
      for (Object id : answer.getJsonArray("ids", new JsonArray())) {
        session.out().println("id " + id);
      }
    } : null;
    return LineSender.send(s, Resources.path("queue", queue) + "/messages", "message", encoder, verbose);
  }

  /**
   * Receives in requests of up to {@link #MAX_PER_RECEIVE} until {@code --max} messages came or the queue
   * has nothing ready; only the first request waits, so a drained queue ends the command promptly.
   */
  private static int receive(Args a, Session s) throws InterruptedException {
    String path = Resources.path("queue", a.positional(0, "the queue name"));
    long max = a.number("max", 1, 1, Long.MAX_VALUE);
    long waitMs = a.number("wait-ms", 0, 0, MAX_WAIT_MS);
    boolean ack = a.flag("ack");
    long received = 0;
    while (received < max && !s.stopping().getAsBoolean()) {
      long ask = Math.min(max - received, MAX_PER_RECEIVE);
      long wait = received == 0 ? waitMs : 0;
      JsonArray messages = s.node().call("POST", path + "/receive", new JsonObject().put("max", ask).put("waitMs", wait), wait)
          .getJsonArray("messages", new JsonArray());
      if (messages.isEmpty()) {
        break;
      }
      JsonArray receipts = new JsonArray();
      for (int i = 0; i < messages.size(); i++) {
        JsonObject m = messages.getJsonObject(i);
        receipts.add(m.getValue("receipt"));
        if (s.json()) {
          s.out().println(m.encode());
        } else {
          if (a.flag("verbose")) {
            s.out().print(m.getValue("id") + "\t" + m.getValue("deliveryCount") + "\t" + m.getValue("receipt") + "\t");
          }
          s.writeBytes(m, "value");
          s.out().println();
        }
      }
      s.out().flush();
      received += messages.size();
      if (ack) {
        // Only once printed: a message is acknowledged when the person (or the pipe) has it.
        s.node().post(path + "/ack", new JsonObject().put("receipts", receipts));
      }
    }
    return SluiceCli.OK;
  }
}
