package io.sluice.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code topics ...}, {@code produce} and {@code consume} against an embedded node. */
class TopicCommandsTest extends CliTestBase {

  @Test
  void createListDescribeAndDeleteATopic() {
    assertEquals("created topic orders (3 partitions)\n",
        ok(sluice("topics", "create", "orders", "--partitions", "3", "--retention-ms=60000")).out());
    assertEquals("topic orders already exists with these settings (3 partitions)\n",
        ok(sluice("topics", "create", "orders", "--partitions", "3", "--retention-ms", "60000")).out());
    ok(sluice("topics", "create", "audit"));
    assertEquals(List.of("audit", "orders"), ok(sluice("topics", "list")).lines().stream().sorted().toList());

    Run describe = ok(sluice("topics", "describe", "orders"));
    assertTrue(describe.out().matches("(?s)name +orders\n.*retentionMs +60000\n.*"), describe.out());
    assertTrue(describe.out().contains("\nPARTITION  START  END  RECORDS\n0          0      0    0\n"), describe.out());
    assertEquals(3, getJson("/v1/topics/orders").getJsonArray("partitions").size());

    Run conflict = sluice("topics", "create", "orders", "--partitions", "5");
    assertEquals(SluiceCli.NODE_ERROR, conflict.code());
    assertTrue(conflict.err().startsWith("error: already_exists: ") || conflict.err().startsWith("error: conflict: "), conflict.err());

    assertEquals("deleted topic orders\n", ok(sluice("topics", "delete", "orders")).out());
    assertEquals(List.of("audit"), ok(sluice("topics", "list")).lines());
  }

  @Test
  void unknownTopicsGetTheNodesErrorCodeAndExitOne() {
    for (Run run : List.of(sluice("topics", "describe", "nope"), sluiceWithInput("x\n", "produce", "nope"),
        sluice("consume", "nope", "--partition", "0"), sluice("consume", "nope", "--group", "g"),
        sluice("topics", "delete", "nope"))) {
      assertEquals(SluiceCli.NODE_ERROR, run.code(), run.toString());
      assertTrue(run.err().startsWith("error: unknown_topic: "), run.err());
      assertTrue(!run.err().contains("Exception") && !run.err().contains("\tat "), run.err());
    }
    ok(sluice("topics", "create", "one"));
    Run noSuchPartition = sluice("consume", "one", "--partition", "3");
    assertEquals(SluiceCli.NODE_ERROR, noSuchPartition.code());
    assertTrue(noSuchPartition.err().startsWith("error: unknown_partition: "), noSuchPartition.err());
    Run invalidName = sluice("topics", "create", "bad name");
    assertEquals(SluiceCli.NODE_ERROR, invalidName.code());
    assertTrue(invalidName.err().startsWith("error: invalid_name: "), invalidName.err());
  }

  /** A record as {@code --print-offset --print-key} prints it: {@code partition:offset<TAB>key<TAB>value}. */
  private record Printed(int partition, long offset, String key, String value) {
    static Printed parse(String line) {
      String[] f = line.split("\t", 3);
      String[] at = f[0].split(":");
      return new Printed(Integer.parseInt(at[0]), Long.parseLong(at[1]), f[1], f[2]);
    }
  }

  @Test
  void producesAThousandKeyedLinesAndConsumesThemBackByGroupAndByPartition() {
    ok(sluice("topics", "create", "events", "--partitions", "4"));
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      input.append("user-").append(i % 10).append(':').append("event ").append(i).append(" a:b\n");
    }
    assertEquals("sent 1000 records\n", ok(sluiceWithInput(input.toString(), "produce", "events", "--key-separator", ":")).out());

    Run byGroup = ok(sluice("consume", "events", "--group", "readers", "--from-beginning", "--print-key", "--print-offset"));
    List<Printed> records = byGroup.lines().stream().map(Printed::parse).toList();
    assertEquals(1000, records.size(), byGroup.err());
    Map<String, Integer> partitionOfKey = new HashMap<>();
    Map<Integer, List<Printed>> byPartition = new TreeMap<>();
    Set<Integer> numbers = new HashSet<>();
    for (Printed r : records) {
      int n = Integer.parseInt(r.value().split(" ")[1]);
      assertEquals("event " + n + " a:b", r.value(), "split at the first separator only");
      assertEquals("user-" + n % 10, r.key());
      assertEquals(r.partition(), partitionOfKey.computeIfAbsent(r.key(), k -> r.partition()), "one key, one partition");
      assertTrue(numbers.add(n), "printed once: " + r);
      byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
    }
    for (List<Printed> partition : byPartition.values()) {
      for (int i = 0; i < partition.size(); i++) {
        assertEquals(i, partition.get(i).offset(), "dense offsets from 0, in order");
        if (i > 0) {
          assertTrue(number(partition.get(i - 1)) < number(partition.get(i)), "lines keep their order within a partition");
        }
      }
    }
    // The group committed everything it printed: a second run has nothing left.
    assertEquals("", ok(sluice("consume", "events", "--group", "readers", "--wait-ms", "300")).out());

    for (Map.Entry<Integer, List<Printed>> e : byPartition.entrySet()) {
      Run byOffset = ok(sluice("consume", "events", "--partition", e.getKey().toString(), "--from-beginning", "--wait-ms", "200"));
      assertEquals(e.getValue().stream().map(Printed::value).toList(), byOffset.lines());
    }
    List<Printed> first = byPartition.values().iterator().next();
    Run window = ok(sluice("consume", "events", "--partition", Integer.toString(first.get(0).partition()), "--offset", "5",
        "--max", "3", "--print-offset"));
    assertEquals(first.subList(5, 8).stream().map(r -> r.partition() + ":" + r.offset() + "\t" + r.value()).toList(), window.lines());
    assertEquals("", ok(sluice("consume", "events", "--partition", "0", "--wait-ms", "100")).out(), "starts at the end by default");
  }

  private static int number(Printed r) {
    return Integer.parseInt(r.value().split(" ")[1]);
  }

  @Test
  void verboseAndJsonOutputsAreTheOffsetsAndTheNodesJson() {
    ok(sluice("topics", "create", "logs", "--partitions", "2"));
    assertEquals(List.of("partition 1 offset 0", "partition 1 offset 1"),
        ok(sluiceWithInput("a\nb\n", "produce", "logs", "--partition", "1", "--verbose")).lines());
    Run json = ok(sluiceWithInput("c\n", "produce", "logs", "--partition", "1", "--json"));
    assertEquals(new JsonObject().put("offsets", List.of(new JsonObject().put("partition", 1).put("offset", 2))),
        new JsonObject(json.out().trim()));

    Run records = ok(sluice("consume", "logs", "--partition", "1", "--from-beginning", "--json", "--wait-ms", "100"));
    assertEquals(3, records.lines().size());
    for (int i = 0; i < 3; i++) {
      JsonObject r = new JsonObject(records.lines().get(i));
      assertEquals(i, r.getLong("offset"));
      assertEquals(List.of("a", "b", "c").get(i), r.getString("value"));
    }
    assertEquals(List.of("logs"), new JsonObject(ok(sluice("topics", "list", "--json")).out()).getJsonArray("topics").getList());
    assertEquals(List.of("logs"), new JsonObject(ok(sluice("--json", "--url", url(), "topics", "list")).out()).getJsonArray("topics").getList(),
        "global options before the command words");
    assertEquals(2, new JsonObject(ok(sluice("topics", "describe", "logs", "--json")).out()).getJsonArray("partitions").size());
  }

  @Test
  void aLineWithoutTheKeySeparatorIsAUsageErrorAndNothingOfItsBatchIsSent() {
    ok(sluice("topics", "create", "keyed"));
    Run run = sluiceWithInput("k:v\nno separator\n", "produce", "keyed", "--key-separator", ":");
    assertEquals(SluiceCli.USAGE, run.code());
    assertTrue(run.err().contains("line 2 has no key separator ':'"), run.err());
    assertEquals(0L, getJson("/v1/topics/keyed").getJsonArray("partitions").getJsonObject(0).getLong("endOffset"));

    // Earlier batches were stored, and the error says how many (how lines fall into batches depends on timing).
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < 700; i++) {
      input.append(i == 650 ? "no separator" : "k:" + i).append('\n');
    }
    Run partly = sluiceWithInput(input.toString(), "produce", "keyed", "--key-separator", ":");
    assertEquals(SluiceCli.USAGE, partly.code());
    Matcher sent = Pattern.compile("sluice: (\\d+) records sent before the batch that failed\n").matcher(partly.err());
    assertTrue(sent.find(), partly.err());
    assertTrue(partly.err().contains("line 651 has no key separator"), partly.err());
    assertEquals(Long.parseLong(sent.group(1)), getJson("/v1/topics/keyed").getJsonArray("partitions").getJsonObject(0).getLong("endOffset"));

    assertEquals("sent 1 record\n", ok(sluiceWithInput("k:v", "produce", "keyed", "--key-separator", ":")).out(),
        "a last line without a newline counts");
  }
}
