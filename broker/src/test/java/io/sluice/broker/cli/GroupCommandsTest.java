package io.sluice.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** {@code groups describe} and a following {@code consume --group} stopped as by Ctrl-C. */
class GroupCommandsTest extends CliTestBase {

  private void produce(String topic, int from, int to) {
    StringBuilder lines = new StringBuilder();
    for (int i = from; i < to; i++) {
      lines.append("r").append(i).append('\n');
    }
    ok(sluiceWithInput(lines.toString(), "produce", topic));
  }

  @Test
  void describeShowsCommittedOffsetsAndLag() {
    ok(sluice("topics", "create", "orders"));
    produce("orders", 0, 10);
    assertEquals(List.of("r0", "r1", "r2", "r3"),
        ok(sluice("consume", "orders", "--group", "billing", "--from-beginning", "--max", "4")).lines());

    Run described = ok(sluice("groups", "describe", "billing"));
    assertTrue(described.out().contains("group       billing\n"), described.out());
    assertTrue(described.out().contains("\nno members\n"), described.out());
    assertTrue(described.out().contains("\nTOPIC   PARTITION  COMMITTED  END  LAG\norders  0          4          10   6\n"),
        described.out());
    JsonObject json = new JsonObject(ok(sluice("groups", "describe", "billing", "--json")).out());
    assertEquals(6L, json.getJsonArray("committed").getJsonObject(0).getLong("lag"));
    assertEquals(0, json.getJsonArray("members").size(), "the member left when the command ended");

    // The next member of the group starts where the last one stopped.
    assertEquals(List.of("r4", "r5", "r6", "r7", "r8", "r9"),
        ok(sluice("consume", "orders", "--group", "billing", "--wait-ms", "500")).lines());
    assertTrue(ok(sluice("groups", "describe", "billing")).out().contains("orders  0          10         10   0\n"));

    Run unknown = sluice("groups", "describe", "nobody");
    assertEquals(SluiceCli.NODE_ERROR, unknown.code());
    assertTrue(unknown.err().startsWith("error: unknown_group: "), unknown.err());
  }

  @Test
  void followKeepsPrintingUntilStoppedThenCommitsWhatItPrintedAndLeaves() throws Exception {
    ok(sluice("topics", "create", "feed", "--partitions", "2"));
    produce("feed", 0, 3);
    Output out = new Output();
    Output err = new Output();
    SluiceCli cli = new SluiceCli(new ByteArrayInputStream(new byte[0]), out.stream, err.stream, Map.of());
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> cli.run(List.of(
        "consume", "feed", "--group", "watchers", "--from-beginning", "--follow", "--url", url())));

    waitFor(() -> out.text().split("\n").length == 3 && out.text().endsWith("\n"), out);
    assertTrue(!code.isDone(), "still following");
    produce("feed", 3, 5);
    waitFor(() -> out.text().split("\n").length == 5, out);
    JsonArray members = getJson("/v1/groups/watchers").getJsonArray("members");
    assertEquals(1, members.size(), "joined while following");
    Run whileFollowing = ok(sluice("groups", "describe", "watchers"));
    assertTrue(whileFollowing.out().matches("(?s).*\nHTTP MEMBER +TOPICS +PARTITIONS\n" + members.getJsonObject(0).getString("memberId")
        + " +feed +feed-0,feed-1\n.*"), whileFollowing.out());

    cli.stop();
    assertEquals(SluiceCli.OK, code.get(10, TimeUnit.SECONDS), err.text());
    assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), List.of(out.text().split("\n")).stream().sorted().toList());
    JsonObject group = getJson("/v1/groups/watchers");
    assertEquals(0, group.getJsonArray("members").size(), "left the group at once, not after its session timeout: " + group);
    long committed = 0;
    for (Object c : group.getJsonArray("committed")) {
      committed += ((JsonObject) c).getLong("offset");
      assertEquals(0L, ((JsonObject) c).getLong("lag"), group.encode());
    }
    assertEquals(5, committed, "committed exactly what was printed: " + group);
    assertEquals(404, req(HttpMethod.GET, "/v1/groups/watchers/members/" + members.getJsonObject(0).getString("memberId")
        + "/records", null).status());
  }

  /** Waits (at most 10 s) for a condition on what a running command printed. */
  private static void waitFor(BooleanSupplier condition, Output out) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 10 s; printed so far: " + out.text());
      Thread.sleep(20);
    }
  }
}
