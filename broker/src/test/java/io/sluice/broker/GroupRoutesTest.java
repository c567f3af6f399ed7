package io.sluice.broker;

import static io.sluice.broker.testing.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The consumer-group routes over HTTP, against an embedded node on the memory store. */
class GroupRoutesTest extends NodeRoutesTestBase {

  @Override
  protected NodeOptions nodeOptions() {
    return super.nodeOptions().setGroupMaxMembers(3);
  }

  private void topic(String name, int partitions) {
    assertEquals(201, req(HttpMethod.PUT, "/v1/topics/" + name, "{\"partitions\":" + partitions + "}").status());
  }

  /** Produces values {@code v0..v(n-1)}, record i with timestamp {@code 1000 * (i + 1)}, round robin over partitions. */
  private void produce(String topic, int n, int partitions) {
    JsonArray records = new JsonArray();
    for (int i = 0; i < n; i++) {
      records.add(new JsonObject().put("value", "v" + i).put("partition", i % partitions).put("timestamp", 1000L * (i + 1)));
    }
    Response r = req(HttpMethod.POST, "/v1/topics/" + topic + "/records", new JsonObject().put("records", records).encode());
    assertEquals(200, r.status(), r.body());
  }

  private String join(String group, String body) {
    Response r = req(HttpMethod.POST, "/v1/groups/" + group + "/members", body);
    assertEquals(201, r.status(), r.body());
    return r.json().getString("memberId");
  }

  private JsonArray poll(String group, String member, int max, long waitMs) {
    Response r = req(HttpMethod.GET, "/v1/groups/" + group + "/members/" + member + "/records?max=" + max + "&waitMs=" + waitMs, null);
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("records");
  }

  /** Polls until {@code n} records came back (bounded in time). */
  private JsonArray pollUntil(String group, String member, int n) {
    JsonArray all = new JsonArray();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (all.size() < n && System.nanoTime() < deadline) {
      all.addAll(poll(group, member, n - all.size(), 500));
    }
    assertEquals(n, all.size(), "records polled: " + all);
    return all;
  }

  @Test
  void twoMembersSharePartitionsAndTogetherGetEveryRecordOnce() {
    topic("orders", 4);
    String a = join("billing", "{\"topics\":[\"orders\"],\"autoOffsetReset\":\"earliest\"}");
    String b = join("billing", "{\"topics\":[\"orders\"],\"autoOffsetReset\":\"earliest\"}");
    produce("orders", 40, 4);

    Map<String, Integer> seen = new HashMap<>();
    Map<String, Set<Integer>> partitionsOf = Map.of(a, new HashSet<>(), b, new HashSet<>());
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (seen.size() < 40 && System.nanoTime() < deadline) {
      for (String m : List.of(a, b)) {
        for (Object o : poll("billing", m, 7, 200)) {
          JsonObject r = (JsonObject) o;
          assertEquals("orders", r.getString("topic"));
          assertEquals(r.getInteger("partition"), Integer.parseInt(r.getString("value").substring(1)) % 4, r.encode());
          seen.merge(r.getString("value"), 1, Integer::sum);
          partitionsOf.get(m).add(r.getInteger("partition"));
        }
      }
    }
    assertEquals(40, seen.size(), "every record delivered: " + seen.keySet());
    assertTrue(seen.values().stream().allMatch(c -> c == 1), "no record twice: " + seen);
    assertFalse(partitionsOf.get(a).isEmpty() || partitionsOf.get(b).isEmpty(), "both members got partitions: " + partitionsOf);
    Set<Integer> overlap = new HashSet<>(partitionsOf.get(a));
    overlap.retainAll(partitionsOf.get(b));
    assertTrue(overlap.isEmpty(), "no partition read by both: " + partitionsOf);

    JsonObject group = req(HttpMethod.GET, "/v1/groups/billing", null).json();
    assertEquals("billing", group.getString("group"));
    assertEquals(2, group.getJsonArray("members").size(), group.encode());
    int assigned = 0;
    for (Object m : group.getJsonArray("members")) {
      assigned += ((JsonObject) m).getJsonArray("assignment").size();
    }
    assertEquals(4, assigned, group.encode());
  }

  @Test
  void aNewMemberResumesAfterTheCommittedOffsets() {
    topic("log", 1);
    produce("log", 10, 1);
    String a = join("g", "{\"topics\":[\"log\"],\"autoOffsetReset\":\"earliest\"}");
    JsonArray first = pollUntil("g", a, 4);
    assertEquals(List.of(0L, 1L, 2L, 3L), offsets(first));
    assertEquals(204, req(HttpMethod.POST, "/v1/groups/g/members/" + a + "/commit", null).status());
    // Records fetched but not returned (the member's consumer fetched all ten) are not committed.
    assertEquals(204, req(HttpMethod.DELETE, "/v1/groups/g/members/" + a, null).status());
    assertError(404, "unknown_member", req(HttpMethod.GET, "/v1/groups/g/members/" + a + "/records", null));

    JsonObject group = req(HttpMethod.GET, "/v1/groups/g", null).json();
    JsonObject committed = group.getJsonArray("committed").getJsonObject(0);
    assertEquals(new JsonObject().put("topic", "log").put("partition", 0).put("offset", 4).put("endOffset", 10).put("lag", 6), committed);

    String b = join("g", "{\"topics\":[\"log\"],\"autoOffsetReset\":\"earliest\"}");
    assertEquals(4L, offsets(pollUntil("g", b, 1)).get(0), "resumes after the commit");
    assertEquals(204, req(HttpMethod.POST, "/v1/groups/g/members/" + b + "/commit",
        "{\"offsets\":[{\"topic\":\"log\",\"partition\":0,\"offset\":8}]}").status());
    assertEquals(204, req(HttpMethod.DELETE, "/v1/groups/g/members/" + b, null).status());

    String c = join("g", "{\"topics\":[\"log\"]}");
    assertEquals(List.of(8L, 9L), offsets(pollUntil("g", c, 2)), "an explicit commit counts too, over the reset policy");
  }

  @Test
  void seekByOffsetTimestampAndEnds() {
    topic("s", 1);
    produce("s", 10, 1);
    String m = join("g", "{\"topics\":[\"s\"],\"autoOffsetReset\":\"earliest\"}");
    assertEquals(10, pollUntil("g", m, 10).size());
    String path = "/v1/groups/g/members/" + m + "/seek";
    assertEquals(204, req(HttpMethod.POST, path, "{\"topic\":\"s\",\"partition\":0,\"offset\":2}").status());
    assertEquals(List.of(2L, 3L), offsets(pollUntil("g", m, 2)));
    assertEquals(204, req(HttpMethod.POST, path, "{\"topic\":\"s\",\"timestamp\":5000}").status());
    assertEquals(List.of(4L), offsets(pollUntil("g", m, 1)), "first record at or after the time");
    assertEquals(204, req(HttpMethod.POST, path, "{\"topic\":\"s\",\"to\":\"end\"}").status());
    assertEquals(0, poll("g", m, 10, 200).size(), "nothing after the end");
    assertEquals(204, req(HttpMethod.POST, path, "{\"topic\":\"s\",\"to\":\"beginning\"}").status());
    assertEquals(List.of(0L), offsets(pollUntil("g", m, 1)));
    assertError(416, "offset_out_of_range", req(HttpMethod.POST, path, "{\"topic\":\"s\",\"partition\":0,\"offset\":99}"));
  }

  /** Long against a busy member's gap between polls on a loaded machine (seconds were seen at load 15). */
  private static final int SESSION_MS = 1500;

  @Test
  void anIdleMemberExpiresAndAPollingOneDoesNot() {
    await(node.close());
    node = await(SluiceNode.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0).setGroupSessionTimeoutMs(SESSION_MS)));
    topic("t", 1);
    String idle = join("g", "{\"topics\":[\"t\"]}");
    String busy = join("g", "{\"topics\":[\"t\"]}");
    // Watched through the group description: polling the idle member would keep it alive.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (req(HttpMethod.GET, "/v1/groups/g", null).json().getJsonArray("members").size() == 2 && System.nanoTime() < deadline) {
      poll("g", busy, 1, 100);
    }
    assertError(404, "unknown_member", req(HttpMethod.GET, "/v1/groups/g/members/" + idle + "/records", null));
    // A long poll longer than the session keeps its member.
    assertEquals(0, poll("g", busy, 1, SESSION_MS + 500).size());
    assertEquals(200, req(HttpMethod.GET, "/v1/groups/g/members/" + busy + "/records", null).status());
    JsonArray members = req(HttpMethod.GET, "/v1/groups/g", null).json().getJsonArray("members");
    assertEquals(1, members.size(), members.encode());
    assertEquals(busy, members.getJsonObject(0).getString("memberId"));
  }

  @Test
  void badInputIs4xxAndJoinsNothing() {
    topic("t", 2);
    String base = "/v1/groups/g/members";
    assertError(400, "invalid_argument", req(HttpMethod.POST, base, null));
    assertError(400, "invalid_argument", req(HttpMethod.POST, base, "{\"topics\":\"t\"}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, base, "{\"topics\":[]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, base, "{\"topics\":[1]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, base, "{\"topics\":[\"t\"],\"autoOffsetReset\":\"none\"}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, base, "{\"topics\":[\"t\"],\"groupId\":\"x\"}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, base, "{\"topics\":"));
    assertError(400, "invalid_name", req(HttpMethod.POST, "/v1/groups/a%24b/members", "{\"topics\":[\"t\"]}"));
    assertError(400, "invalid_name", req(HttpMethod.POST, base, "{\"topics\":[\"a b\"]}"));
    assertError(404, "unknown_topic", req(HttpMethod.POST, base, "{\"topics\":[\"nope\"]}"));
    assertError(404, "unknown_group", req(HttpMethod.GET, "/v1/groups/g", null));

    String m = join("g", "{\"topics\":[\"t\"]}");
    String path = base + "/" + m;
    assertError(404, "unknown_member", req(HttpMethod.GET, base + "/nobody/records", null));
    assertError(404, "unknown_member", req(HttpMethod.GET, "/v1/groups/other/members/" + m + "/records", null));
    assertError(404, "unknown_member", req(HttpMethod.POST, base + "/nobody/commit", null));
    assertError(404, "unknown_member", req(HttpMethod.POST, base + "/nobody/seek", "{\"topic\":\"t\",\"to\":\"end\"}"));
    assertError(404, "unknown_member", req(HttpMethod.DELETE, base + "/nobody", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, path + "/records?max=0", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, path + "/records?waitMs=-1", null));
    assertError(400, "invalid_argument", req(HttpMethod.GET, path + "/records?waitMs=x", null));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/commit", "{\"offsets\":[]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/commit", "{\"offsets\":[{\"topic\":\"t\",\"partition\":0}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/commit", "{\"offsets\":[{\"topic\":\"t\",\"partition\":0,\"offset\":-1}]}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/commit", "{\"offset\":3}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/seek", null));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/seek", "{\"to\":\"end\"}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/seek", "{\"topic\":\"t\"}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/seek", "{\"topic\":\"t\",\"to\":\"middle\"}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/seek", "{\"topic\":\"t\",\"offset\":1}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/seek", "{\"topic\":\"t\",\"to\":\"end\",\"timestamp\":5}"));
    assertError(400, "invalid_argument", req(HttpMethod.POST, path + "/seek", "{\"topic\":\"other\",\"to\":\"end\"}"));
    assertEquals(200, req(HttpMethod.GET, path + "/records", null).status(), "the member is still fine");

    // The node holds at most groupMaxMembers (3 here) members.
    join("g", "{\"topics\":[\"t\"]}");
    join("h", "{\"topics\":[\"t\"]}");
    assertError(429, "limit_exceeded", req(HttpMethod.POST, base, "{\"topics\":[\"t\"]}"));
    assertEquals(204, req(HttpMethod.DELETE, path, null).status());
    join("g", "{\"topics\":[\"t\"]}");
  }

  private static List<Long> offsets(JsonArray records) {
    List<Long> out = new ArrayList<>();
    for (Object o : records) {
      out.add(((JsonObject) o).getLong("offset"));
    }
    return out;
  }
}
