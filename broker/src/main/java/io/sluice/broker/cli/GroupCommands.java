package io.sluice.broker.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * {@code groups describe}: a consumer group's members, who owns which partition, and per partition the
 * committed offset, the end offset and the lag between them.
 *
 * <p>Stateless; runs on the caller's thread.
 */
final class GroupCommands {

  private GroupCommands() {
  }

  static List<Command> all() {
    return List.of(new Command("groups describe", "<group>",
        "Show a consumer group's members, assignment, committed offsets and lag", "",
        Set.of(), Set.of(), 1, GroupCommands::describe));
  }

  private static int describe(Args a, Session s) throws InterruptedException {
    JsonObject d = s.node().get("/v1/groups/" + NodeClient.segment(a.positional(0, "the group name")));
    if (s.json()) {
      s.out().println(d.encode());
      return SluiceCli.OK;
    }
    Resources.printFields(s, d);

    s.out().println();
    Table owners = new Table("MEMBER", "PARTITIONS");
    for (Map.Entry<String, Object> e : d.getJsonObject("assignment", new JsonObject())) {
      owners.row(e.getKey(), partitions(e.getValue() instanceof JsonArray parts ? parts : new JsonArray()));
    }
    printOr(s, owners, "no members");

    JsonArray httpMembers = d.getJsonArray("members", new JsonArray());
    if (!httpMembers.isEmpty()) {
      s.out().println();
      Table members = new Table("HTTP MEMBER", "TOPICS", "PARTITIONS");
      for (int i = 0; i < httpMembers.size(); i++) {
        JsonObject m = httpMembers.getJsonObject(i);
        members.row(m.getValue("memberId"), String.join(",", m.getJsonArray("topics", new JsonArray()).stream()
            .map(String::valueOf).toList()), partitions(m.getJsonArray("assignment", new JsonArray())));
      }
      members.print(s.out());
    }

    s.out().println();
    Table lag = new Table("TOPIC", "PARTITION", "COMMITTED", "END", "LAG");
    JsonArray committed = d.getJsonArray("committed", new JsonArray());
    for (int i = 0; i < committed.size(); i++) {
      JsonObject c = committed.getJsonObject(i);
      lag.row(c.getValue("topic"), c.getValue("partition"), c.getValue("offset"),
          c.getValue("endOffset", "-"), c.getValue("lag", "-"));
    }
    printOr(s, lag, "no committed offsets");
    return SluiceCli.OK;
  }

  /** The table, or the line that says why it has no rows (a header alone reads as a glitch). */
  private static void printOr(Session s, Table table, String none) {
    if (table.rows() > 1) {
      table.print(s.out());
    } else {
      s.out().println(none);
    }
  }

  /** {@code orders-0,orders-1}, or {@code -} for none. */
  private static String partitions(JsonArray parts) {
    StringJoiner joined = new StringJoiner(",");
    for (int i = 0; i < parts.size(); i++) {
      JsonObject p = parts.getJsonObject(i);
      joined.add(p.getValue("topic") + "-" + p.getValue("partition"));
    }
    return parts.isEmpty() ? "-" : joined.toString();
  }
}
