package io.sluice.broker;

import static io.sluice.broker.testing.TestHttp.call;
import static io.sluice.broker.testing.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three clustered nodes in this JVM, as the README's "Cluster" section starts them (each with its own
 * data directory, HTTP port and Hazelcast port on 127.0.0.1; a cluster name of this test's own): a record
 * produced over HTTP on one node is read on another, a queue message sent on one is received on a third.
 *
 * <p>Thread contract: the test thread drives the nodes and waits on futures.
 */
@ExtendWith(VertxExtension.class)
class ClusteredNodesTest {

  private static <T> T await(Future<T> f) {
    try {
      return f.await(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 60 s", e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void producedOverHttpOnOneNodeIsReadOnAnother(Vertx vertx, @TempDir Path data) {
    String clusterName = "sluice-node-test-" + UUID.randomUUID().toString().substring(0, 8);
    List<Integer> clusterPorts = List.of(freePort(), freePort(), freePort());
    List<String> join = clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList();
    List<SluiceNode> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(await(SluiceNode.start(vertx, new NodeOptions().setCluster(true).setNodeId("node-" + (i + 1))
            .setClusterPort(clusterPorts.get(i)).setJoin(join).setClusterName(clusterName)
            .setDataDir(data.resolve("node-" + (i + 1)).toString()).setHttpPort(0))));
      }
      int a = nodes.get(0).httpPort();
      int b = nodes.get(1).httpPort();
      int c = nodes.get(2).httpPort();
      JsonObject health = get(vertx, c, "/health").json();
      assertEquals("UP", health.getString("status"));
      assertEquals(new JsonArray(List.of("node-1", "node-2", "node-3")),
          new JsonArray(health.getJsonObject("cluster").getJsonArray("members").stream().sorted().toList()), health.encode());

      Response created = call(vertx, HttpMethod.PUT, a, "/v1/topics/greetings", "{\"partitions\":1,\"replicationFactor\":3}");
      assertTrue(created.status() / 100 == 2, created.body());
      JsonObject replication = get(vertx, c, "/v1/topics/greetings").json().getJsonArray("partitions").getJsonObject(0)
          .getJsonObject("replication");
      assertEquals(3, replication.getJsonArray("replicas").size(), replication.encode());
      assertTrue(replication.getJsonArray("replicas").contains(replication.getString("leader")), replication.encode());
      Response tooWide = call(vertx, HttpMethod.PUT, b, "/v1/topics/wide", "{\"replicationFactor\":4}");
      assertEquals(400, tooWide.status(), tooWide.body());
      assertTrue(tooWide.body().contains("exceeds the 3 live nodes"), tooWide.body());
      Response produced = call(vertx, HttpMethod.POST, a, "/v1/topics/greetings/records",
          "{\"records\":[{\"key\":\"alice\",\"value\":\"hello\"},{\"key\":\"bob\",\"value\":\"world\"}]}");
      assertEquals(200, produced.status(), produced.body());
      // Every node tells where a log lives, the same way: a leader and the three replicas the topic asked for, in sync.
      JsonObject placement = get(vertx, c, "/health?log=greetings-0").json().getJsonObject("cluster").getJsonObject("log");
      assertEquals(placement, get(vertx, a, "/health?log=greetings-0").json().getJsonObject("cluster").getJsonObject("log"));
      assertEquals(3, placement.getJsonArray("replicas").size(), placement.encode());
      assertTrue(placement.getJsonArray("replicas").contains(placement.getString("leader")), placement.encode());
      assertEquals(3, placement.getJsonArray("isr").size(), placement.encode());
      assertEquals("all", placement.getString("acks"));
      assertEquals(404, get(vertx, c, "/health?log=nothing-here").status());
      JsonObject read = get(vertx, b, "/v1/topics/greetings/partitions/0/records?offset=0&max=10").json();
      JsonArray records = read.getJsonArray("records");
      assertEquals(2, records.size(), read.encode());
      assertEquals("hello", records.getJsonObject(0).getString("value"));
      assertEquals("world", records.getJsonObject(1).getString("value"));

      Response queue = call(vertx, HttpMethod.PUT, a, "/v1/queues/jobs", "{\"replicationFactor\":1}");
      assertTrue(queue.status() / 100 == 2, queue.body());
      JsonObject queueReplication = get(vertx, b, "/v1/queues/jobs").json().getJsonObject("replication");
      assertEquals(1, queueReplication.getJsonArray("replicas").size(), queueReplication.encode());
      Response sent = call(vertx, HttpMethod.POST, b, "/v1/queues/jobs/messages", "{\"messages\":[{\"value\":\"resize photo 1\"}]}");
      assertTrue(sent.status() / 100 == 2, sent.body());
      JsonObject received = call(vertx, HttpMethod.POST, c, "/v1/queues/jobs/receive", "{\"max\":1,\"waitMs\":2000}").json();
      assertEquals("resize photo 1", received.getJsonArray("messages").getJsonObject(0).getString("value"), received.encode());
    } finally {
      // One graceful leave after the other, as an operator would: each hands its leaderships to the others.
      for (SluiceNode n : nodes) {
        await(n.close());
      }
    }
  }
}
