package io.sluice.broker.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code consume}: prints a topic's records, one value per line, like {@code kafka-console-consumer}.
 *
 * <p>How it reads, and why it stops where it does. Two sources share one loop: a consumer-group member
 * ({@code --group}; the node assigns it partitions, and it starts at the group's committed offsets) or one
 * partition read by offset ({@code --partition}; no group, nothing committed). The loop long-polls, prints
 * a batch, flushes it, and only then, for a group, commits exactly the offsets it printed, with an explicit
 * offsets body: the node's "commit what you returned" would also commit a poll that was answered but
 * never printed because the command was stopped in the middle of it. Without {@code --follow} the command
 * ends when a poll of {@code --wait-ms} brings nothing (the caught-up point), at {@code --max} records,
 * or when stdout is closed ({@code | head}). With {@code --follow} it polls until it is stopped: Ctrl-C or
 * SIGTERM ({@link SluiceCli#stop()}) interrupts the poll in flight, and the member then commits what was
 * printed and leaves its group at once, so its partitions move to the other members without waiting for
 * its session to time out.
 *
 * <p>Runs on the command's thread; {@link SluiceCli#stop()} reaches it by interruption.
 */
final class ConsumeCommand {

  /** Without --follow, the command ends after a poll of this long brings nothing. */
  static final long DEFAULT_WAIT_MS = 2_000;
  /** Longest long poll the node accepts, used by --follow. */
  static final long FOLLOW_WAIT_MS = QueueCommands.MAX_WAIT_MS;
  /** Most records the node answers per poll. */
  private static final int MAX_PER_POLL = 1000;

  private ConsumeCommand() {
  }

  static Command command() {
    return new Command("consume",
        "<topic> (--group G | --partition P [--offset O]) [--from-beginning] [--follow] [--max N] [--wait-ms MS] [--print-key] [--print-offset]",
        "Print a topic's records, one value per line",
        """
          --group G         read as a member of consumer group G, from its committed offsets; commits what it printed
          --partition P     read partition P by offset (no group, nothing committed); starts at its end by default
          --offset O        with --partition: start at offset O
          --from-beginning  start at the earliest record (with --group: only where the group has no committed offset)
          --follow          keep waiting for new records until Ctrl-C (then commit what was printed and leave the group)
          --max N           stop after N records
          --wait-ms MS      without --follow, stop when nothing arrives within MS (default 2000, at most 20000)
          --print-key       print the key and a tab before each value (null for none)
          --print-offset    print partition:offset and a tab before each record
        """,
        Set.of("group", "partition", "offset", "max", "wait-ms"),
        Set.of("from-beginning", "follow", "print-key", "print-offset"), 1, ConsumeCommand::consume);
  }

  /** Where records come from; {@link #close} releases it (a group member commits and leaves). */
  private interface Source {
    JsonArray poll(int max, long waitMs) throws InterruptedException;

    /** The records of the last poll are printed and flushed. */
    default void printed(JsonArray records) throws InterruptedException {
    }

    default void close() throws InterruptedException {
    }
  }

  private static int consume(Args a, Session s) throws InterruptedException {
    String topic = a.positional(0, "the topic name");
    String group = a.value("group", null);
    boolean byPartition = a.has("partition");
    if ((group != null) == byPartition) {
      throw CliFailure.usage("give either --group G or --partition P");
    }
    if (a.has("offset") && !byPartition) {
      throw CliFailure.usage("--offset goes with --partition (a group starts at its committed offsets)");
    }
    if (a.has("offset") && a.flag("from-beginning")) {
      throw CliFailure.usage("give --offset or --from-beginning, not both");
    }
    boolean follow = a.flag("follow");
    long max = a.number("max", Long.MAX_VALUE, 1, Long.MAX_VALUE);
    long waitMs = a.number("wait-ms", follow ? FOLLOW_WAIT_MS : DEFAULT_WAIT_MS, 0, QueueCommands.MAX_WAIT_MS);
    long partition = a.number("partition", -1, 0, Integer.MAX_VALUE);
    long offset = a.number("offset", -1, 0, Long.MAX_VALUE);

    // An unknown topic is the node's error before anything else happens (a group would just wait for it).
    JsonObject description = s.node().get(Resources.path("topic", topic));
    Source source = group != null
        ? GroupMember.join(s, group, topic, a.flag("from-beginning"))
        : PartitionReader.open(s, topic, description, (int) partition, offset, a.flag("from-beginning"));

    CliFailure failure = null;
    long printed = 0;
    try {
      while (printed < max && !s.stopping().getAsBoolean()) {
        JsonArray records = source.poll((int) Math.min(max - printed, MAX_PER_POLL), waitMs);
        for (int i = 0; i < records.size(); i++) {
          print(s, records.getJsonObject(i), a.flag("print-key"), a.flag("print-offset"));
        }
        s.out().flush();
        if (s.out().checkError()) {
          break;
        }
        printed += records.size();
        source.printed(records);
        if (records.isEmpty() && !follow) {
          break;
        }
      }
    } catch (InterruptedException e) {
      // Stopped (Ctrl-C, SIGTERM): what was printed is committed by close() below.
    } catch (CliFailure e) {
      failure = e;
    }
    // Clears a stop's interrupt, so that the member's last commit and its leaving can still be sent.
    Thread.interrupted();
    try {
      source.close();
    } catch (CliFailure e) {
      if (failure == null) {
        failure = e;
      }
    } catch (InterruptedException e) {
      // Stopped again while leaving: the member's session timeout will close it on the node.
    }
    if (failure != null) {
      throw failure;
    }
    return SluiceCli.OK;
  }

  private static void print(Session s, JsonObject r, boolean printKey, boolean printOffset) {
    if (s.json()) {
      s.out().println(r.encode());
      return;
    }
    if (printOffset) {
      s.out().print(r.getValue("partition") + ":" + r.getValue("offset") + "\t");
    }
    if (printKey) {
      s.writeBytes(r, "key");
      s.out().print('\t');
    }
    s.writeBytes(r, "value");
    s.out().println();
  }

  /** One partition by offset: no group, nothing committed. */
  private static final class PartitionReader implements Source {
    private final Session s;
    private final String path;
    private long next;

    private PartitionReader(Session s, String path, long next) {
      this.s = s;
      this.path = path;
      this.next = next;
    }

    static PartitionReader open(Session s, String topic, JsonObject description, int partition, long offset,
        boolean fromBeginning) {
      JsonArray partitions = description.getJsonArray("partitions", new JsonArray());
      if (partition >= partitions.size()) {
        // The node's own answer to a read of this partition; said before reading, as the start needs its offsets.
        throw CliFailure.node("unknown_partition",
            "topic '" + topic + "' has partitions 0 to " + (partitions.size() - 1) + ", not " + partition);
      }
      JsonObject p = partitions.getJsonObject(partition);
      long start = offset >= 0 ? offset : fromBeginning ? p.getLong("startOffset") : p.getLong("endOffset");
      return new PartitionReader(s, Resources.path("topic", topic) + "/partitions/" + partition + "/records", start);
    }

    @Override
    public JsonArray poll(int max, long waitMs) throws InterruptedException {
      JsonObject page = s.node().get(path + "?offset=" + next + "&max=" + max + "&waitMs=" + waitMs, waitMs);
      next = page.getLong("nextOffset", next);
      return page.getJsonArray("records", new JsonArray());
    }
  }

  /** A consumer-group member on the node, which commits what was printed and leaves on close. */
  private static final class GroupMember implements Source {
    private final Session s;
    private final String path;
    /** Per {@code topic/partition}: the offset after the last printed record, not yet committed. */
    private final Map<String, JsonObject> uncommitted = new LinkedHashMap<>();

    private GroupMember(Session s, String path) {
      this.s = s;
      this.path = path;
    }

    static GroupMember join(Session s, String group, String topic, boolean fromBeginning) throws InterruptedException {
      String groupPath = "/v1/groups/" + NodeClient.segment(group) + "/members";
      JsonObject joined = s.node().post(groupPath, new JsonObject()
          .put("topics", new JsonArray().add(topic))
          .put("autoOffsetReset", fromBeginning ? "earliest" : "latest"));
      return new GroupMember(s, groupPath + "/" + NodeClient.segment(joined.getString("memberId")));
    }

    @Override
    public JsonArray poll(int max, long waitMs) throws InterruptedException {
      return s.node().get(path + "/records?max=" + max + "&waitMs=" + waitMs, waitMs).getJsonArray("records", new JsonArray());
    }

    @Override
    public void printed(JsonArray records) throws InterruptedException {
      for (int i = 0; i < records.size(); i++) {
        JsonObject r = records.getJsonObject(i);
        uncommitted.put(r.getValue("topic") + "/" + r.getValue("partition"), new JsonObject()
            .put("topic", r.getValue("topic")).put("partition", r.getValue("partition")).put("offset", r.getLong("offset") + 1));
      }
      commit();
    }

    private void commit() throws InterruptedException {
      if (!uncommitted.isEmpty()) {
        s.node().post(path + "/commit", new JsonObject().put("offsets", new JsonArray(List.copyOf(uncommitted.values()))));
        uncommitted.clear();
      }
    }

    @Override
    public void close() throws InterruptedException {
      try {
        commit();
      } finally {
        s.node().call("DELETE", path, null, 0);
      }
    }
  }
}
