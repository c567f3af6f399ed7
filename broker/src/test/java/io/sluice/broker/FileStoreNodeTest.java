package io.sluice.broker;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.api.store.LogStoreProvider;
import io.sluice.api.store.PartitionLog;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default node: the file store in its data directory, surviving a stop and a start. Runs once the
 * file-store module provides type {@code file} (before that, a node with {@code --store file} fails to
 * start with "no log store of type 'file'").
 */
@ExtendWith(VertxExtension.class)
@EnabledIf("fileStoreOnClassPath")
class FileStoreNodeTest {

  static boolean fileStoreOnClassPath() {
    return StreamSupport.stream(ServiceLoader.load(LogStoreProvider.class).spliterator(), false)
        .anyMatch(p -> p.type().equals("file"));
  }

  @Test
  void whatWasStoredBeforeAStopIsThereAfterAStart(Vertx vertx, @TempDir Path data) {
    NodeOptions options = new NodeOptions().setDataDir(data.toString()).setHttpPort(0);
    SluiceNode first = await(SluiceNode.start(vertx, options));
    assertEquals("file", get(vertx, first.httpPort(), "/health").json().getString("store"));
    PartitionLog log = await(first.store().open("orders-0"));
    await(log.append(RecordBatch.of(Message.of("k1", "v1"), Message.of("k2", "v2"))));
    await(first.close());

    SluiceNode second = await(SluiceNode.start(vertx, options));
    try {
      Records records = await(await(second.store().open("orders-0")).read(0, 10, 1 << 20));
      List<String> values = records.batches().stream().flatMap(b -> b.toList().stream())
          .map(Record::value).map(v -> v.toString()).toList();
      assertEquals(List.of("v1", "v2"), values);
    } finally {
      await(second.close());
    }
  }
}
