package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.http.HttpMethod;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /metrics shows what the logs know: end offsets (produce rate), committed offsets and lag, queue depth. */
class DomainMetricsTest extends NodeRoutesTestBase {

  private double metric(String scrape, String name, String labels) {
    Matcher m = Pattern.compile("^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
    assertTrue(m.find(), name + "{" + labels + "} in\n" + scrape.lines().filter(l -> l.startsWith("sluice_")).toList());
    return Double.parseDouble(m.group(1));
  }

  @Test
  void topicGroupAndQueueGaugesFollowTheServices() {
    assertEquals(201, req(HttpMethod.PUT, "/v1/topics/t", "{\"partitions\":2}").status());
    assertEquals(200, req(HttpMethod.POST, "/v1/topics/t/records",
        "{\"records\":[{\"value\":\"a\",\"partition\":0},{\"value\":\"b\",\"partition\":0},{\"value\":\"c\",\"partition\":1}]}").status());
    Response joined = req(HttpMethod.POST, "/v1/groups/g/members", "{\"topics\":[\"t\"],\"autoOffsetReset\":\"earliest\"}");
    String member = joined.json().getString("memberId");
    assertEquals(204, req(HttpMethod.POST, "/v1/groups/g/members/" + member + "/commit",
        "{\"offsets\":[{\"topic\":\"t\",\"partition\":0,\"offset\":1}]}").status());
    assertEquals(201, req(HttpMethod.PUT, "/v1/queues/q", "{}").status());
    assertEquals(200, req(HttpMethod.POST, "/v1/queues/q/messages", "{\"messages\":[{\"value\":\"x\"},{\"value\":\"y\"}]}").status());
    assertEquals(1, req(HttpMethod.POST, "/v1/queues/q/receive", "{\"max\":1}").json().getJsonArray("messages").size());

    String scrape = req(HttpMethod.GET, "/metrics", null).body();
    assertEquals(2.0, metric(scrape, "sluice_topic_partition_end_offset", "partition=\"0\",topic=\"t\""));
    assertEquals(1.0, metric(scrape, "sluice_topic_partition_end_offset", "partition=\"1\",topic=\"t\""));
    assertEquals(0.0, metric(scrape, "sluice_topic_partition_start_offset", "partition=\"0\",topic=\"t\""));
    assertEquals(1.0, metric(scrape, "sluice_group_committed_offset", "group=\"g\",partition=\"0\",topic=\"t\""));
    assertEquals(1.0, metric(scrape, "sluice_group_lag", "group=\"g\",partition=\"0\",topic=\"t\""));
    assertEquals(2.0, metric(scrape, "sluice_queue_depth", "queue=\"q\""));
    assertEquals(1.0, metric(scrape, "sluice_queue_in_flight", "queue=\"q\""));

    // A second scrape sees new records: the gauges are read from the logs each time.
    req(HttpMethod.POST, "/v1/topics/t/records", "{\"records\":[{\"value\":\"d\",\"partition\":0}]}");
    scrape = req(HttpMethod.GET, "/metrics", null).body();
    assertEquals(3.0, metric(scrape, "sluice_topic_partition_end_offset", "partition=\"0\",topic=\"t\""));
    assertEquals(2.0, metric(scrape, "sluice_group_lag", "group=\"g\",partition=\"0\",topic=\"t\""));
  }
}
