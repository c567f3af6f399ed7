package io.sluice.broker.reliability;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Message;
import io.sluice.api.store.FsyncPolicy;
import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.sluice.topic.Producer;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.TopicConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's slow-consumer case at full size: a client opens a member's SSE stream and stops reading while
 * 1 GiB is produced to the topic. The node must keep the backlog in the log, not in its heap: the heap after
 * GC grows by far less than what was produced, and the stream, once read again, goes on in order.
 */
@ExtendWith(VertxExtension.class)
class StalledStreamIT {

  private static final int VALUE_BYTES = 64 * 1024;
  private static final long TOTAL_BYTES = 1L << 30;

  @TempDir
  Path data;

  private static long heapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Test
  void aStalledStreamHoldsNoBacklogWhileAGibibyteIsProduced(Vertx vertx) {
    SluiceNode node = await(SluiceNode.start(vertx, new NodeOptions().setStore("file").setDataDir(data.toString()).setHttpPort(0)));
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(16 * 1024));
    Producer producer = node.topics().createProducer(new ProducerOptions());
    try {
      int port = node.httpPort();
      // fsync off: the test is about memory, not the disk's fsync rate.
      await(node.topics().createTopic("big", new TopicConfig().setPartitions(1).setFsync(FsyncPolicy.never())));
      String member = call(vertx, HttpMethod.POST, port, "/v1/groups/g/members",
          "{\"topics\":[\"big\"],\"autoOffsetReset\":\"earliest\"}").json().getString("memberId");
      AtomicLong received = new AtomicLong();
      HttpClientResponse stream = await(client.request(new RequestOptions().setHost("127.0.0.1").setPort(port)
              .setURI("/v1/groups/g/members/" + member + "/stream"))
          .compose(req -> req.send())
          .map(resp -> {
            resp.handler(chunk -> received.addAndGet(chunk.length()));
            resp.pause();
            return resp;
          }));
      long before = heapAfterGc();

      Buffer value = Buffer.buffer(new byte[VALUE_BYTES]);
      long records = TOTAL_BYTES / VALUE_BYTES;
      for (long sent = 0; sent < records; sent += 256) {
        List<Future<?>> batch = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
          batch.add(producer.send("big", Message.of(value)));
        }
        await(Future.all(batch));
      }
      long after = heapAfterGc();
      long grew = after - before;
      assertTrue(grew < 128L * 1024 * 1024, "heap after GC grew by " + (grew >> 20) + " MiB while 1 GiB was produced to a stalled stream");
      assertTrue(received.get() < TOTAL_BYTES / 8, "the paused client took " + (received.get() >> 20) + " MiB");

      // Reading again, the stream goes on: more arrives than the client had taken while stalled.
      long stalledAt = received.get();
      stream.resume();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (received.get() < stalledAt + 8L * VALUE_BYTES && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
      }
      assertTrue(received.get() >= stalledAt + 8L * VALUE_BYTES, "the resumed stream delivered more records");
      long end = await(node.topics().describe("big")).partitions().get(0).endOffset();
      assertEquals(records, end);
    } finally {
      await(producer.close());
      await(client.close());
      await(node.close());
    }
  }
}
