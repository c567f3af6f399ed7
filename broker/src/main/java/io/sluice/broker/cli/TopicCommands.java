package io.sluice.broker.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * {@code topics create|list|describe|delete} and {@code produce}.
 *
 * <p>Stateless; each command runs on the caller's thread.
 */
final class TopicCommands {

  private TopicCommands() {
  }

  static List<Command> all() {
    return List.of(
        new Command("topics create", "<topic> [--partitions N] [--retention-ms MS] [--retention-bytes BYTES]",
            "Create a topic, or check that it exists with these settings",
            """
              --partitions N           partitions (default 1)
              --retention-ms MS        delete whole segments older than this (-1: keep forever; default 7 days)
              --retention-bytes BYTES  per partition, delete the oldest segments beyond this size (-1: no limit)
            """,
            Set.of("partitions", "retention-ms", "retention-bytes"), Set.of(), 1, TopicCommands::create),
        new Command("topics list", "", "List the topics", "", Set.of(), Set.of(), 0, (a, s) -> Resources.list(s, "topic")),
        new Command("topics describe", "<topic>", "Show a topic's settings and its partitions' offsets", "",
            Set.of(), Set.of(), 1, TopicCommands::describe),
        new Command("topics delete", "<topic>", "Delete a topic and its records", "", Set.of(), Set.of(), 1,
            (a, s) -> Resources.delete(s, "topic", a.positional(0, "the topic name"))),
        new Command("produce", "<topic> [--key-separator SEP] [--partition P] [--verbose]",
            "Send each line of standard input as a record, in batches",
            """
              --key-separator SEP  split each line at the first SEP into key and value (a line without SEP is an error)
              --partition P        send every record to partition P (default: by key hash, round robin without keys)
              --verbose            print each record's partition and offset instead of the summary
            """,
            Set.of("key-separator", "partition"), Set.of("verbose"), 1, TopicCommands::produce));
  }

  private static int create(Args a, Session s) throws InterruptedException {
    String topic = a.positional(0, "the topic name");
    JsonObject config = new JsonObject();
    if (a.has("partitions")) {
      config.put("partitions", a.number("partitions", 1, 1, Integer.MAX_VALUE));
    }
    if (a.has("retention-ms")) {
      config.put("retentionMs", a.number("retention-ms", 0, -1, Long.MAX_VALUE));
    }
    if (a.has("retention-bytes")) {
      config.put("retentionBytes", a.number("retention-bytes", 0, -1, Long.MAX_VALUE));
    }
    return Resources.create(s, "topic", topic, config, created -> {
      int count = created.getJsonArray("partitions", new JsonArray()).size();
      return " (" + count + (count == 1 ? " partition)" : " partitions)");
    });
  }

  private static int describe(Args a, Session s) throws InterruptedException {
    JsonObject d = Resources.describe(s, "topic", a.positional(0, "the topic name"));
    if (!s.json()) {
      Resources.printFields(s, d);
      s.out().println();
      Table table = new Table("PARTITION", "START", "END", "RECORDS");
      JsonArray partitions = d.getJsonArray("partitions", new JsonArray());
      for (int i = 0; i < partitions.size(); i++) {
        JsonObject p = partitions.getJsonObject(i);
        long start = p.getLong("startOffset", 0L);
        long end = p.getLong("endOffset", 0L);
        table.row(p.getValue("partition"), start, end, end - start);
      }
      table.print(s.out());
    }
    return SluiceCli.OK;
  }

  private static int produce(Args a, Session s) throws InterruptedException {
    String topic = a.positional(0, "the topic name");
    String separator = a.value("key-separator", null);
    if (separator != null && separator.isEmpty()) {
      throw CliFailure.usage("--key-separator must not be empty");
    }
    long partition = a.number("partition", -1, 0, Integer.MAX_VALUE);
    LineSender.Encoder encoder = (lines, firstLine) -> {
      JsonArray records = new JsonArray();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        JsonObject r = new JsonObject();
        if (separator != null) {
          int at = line.indexOf(separator);
          if (at < 0) {
            throw CliFailure.usage("line " + (firstLine + i) + " has no key separator '" + separator + "'");
          }
          r.put("key", line.substring(0, at));
          line = line.substring(at + separator.length());
        }
        r.put("value", line);
        if (partition >= 0) {
          r.put("partition", partition);
        }
        records.add(r);
      }
      return new JsonObject().put("records", records);
    };
    LineSender.Reporter verbose = a.flag("verbose") ? TopicCommands::printOffsets : null;
    return LineSender.send(s, Resources.path("topic", topic) + "/records", "record", encoder, verbose);
  }

  private static void printOffsets(Session s, JsonObject answer) {
    JsonArray offsets = answer.getJsonArray("offsets", new JsonArray());
    for (int i = 0; i < offsets.size(); i++) {
      JsonObject o = offsets.getJsonObject(i);
      s.out().println("partition " + o.getValue("partition") + " offset " + o.getValue("offset"));
    }
  }
}
