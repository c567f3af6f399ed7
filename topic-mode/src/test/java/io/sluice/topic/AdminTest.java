package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.store.FsyncPolicy;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminTest extends TopicsTestBase {

  @Test
  void createDescribeListDelete() {
    TopicConfig config = new TopicConfig().setPartitions(3).setRetentionMs(60_000).setRetentionBytes(1 << 20)
        .setSegmentBytes(4096).setFsync(FsyncPolicy.interval(50)).setMaxMessageBytes(2048);
    TopicDescription d = await(topics.createTopic("orders", config));
    assertEquals("orders", d.name());
    assertEquals(config, d.config());
    assertEquals(3, d.partitions().size());
    assertEquals(new PartitionInfo(2, 0, 0), d.partitions().get(2));
    produce("orders", 1, 5);
    assertEquals(new PartitionInfo(1, 0, 5), await(topics.describe("orders")).partitions().get(1));
    createTopic("alpha", 1);
    assertEquals(List.of("alpha", "orders"), await(topics.list()));
    await(topics.delete("orders"));
    assertEquals(List.of("alpha"), await(topics.list()));
    assertFalse(await(store.exists("orders-1")), "the partition logs are dropped");
    awaitFailure(topics.describe("orders"), ErrorCode.UNKNOWN_TOPIC);
    // A topic created again under the same name starts empty.
    assertEquals(new PartitionInfo(1, 0, 0), createTopic("orders", 2).partitions().get(1));
  }

  @Test
  void createIsIdempotentForEqualSettingsAndRefusesOthers() {
    createTopic("t", 2);
    produce("t", 0, 3);
    TopicDescription again = createTopic("t", 2);
    assertEquals(3, again.partitions().get(0).endOffset(), "re-creating changed nothing");
    var e = awaitFailure(topics.createTopic("t", new TopicConfig().setPartitions(3).setFsync(FsyncPolicy.never())),
        ErrorCode.ALREADY_EXISTS);
    assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    assertEquals(2, await(topics.describe("t")).partitions().size());
  }

  @Test
  void increasePartitionsOnlyGrows() {
    createTopic("t", 2);
    produce("t", 1, 4);
    TopicDescription grown = await(topics.increasePartitions("t", 5));
    assertEquals(5, grown.partitions().size());
    assertEquals(4, grown.partitions().get(1).endOffset(), "existing partitions keep their records");
    assertEquals(5, await(topics.increasePartitions("t", 5)).partitions().size());
    awaitFailure(topics.increasePartitions("t", 3), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(topics.increasePartitions("nope", 3), ErrorCode.UNKNOWN_TOPIC);
    assertEquals(5, await(topics.describe("t")).partitions().size());
    produce("t", 4, 2);
  }

  @Test
  void badInputIsRefusedWithTypedErrorsAndChangesNothing() {
    for (String bad : new String[] {"", "a/b", "sp ace", "..", "x".repeat(250), "ünï"}) {
      awaitFailure(topics.createTopic(bad, new TopicConfig()), ErrorCode.INVALID_NAME);
    }
    awaitFailure(topics.createTopic(null, new TopicConfig()), ErrorCode.INVALID_NAME);
    awaitFailure(topics.createTopic("t", null), ErrorCode.INVALID_ARGUMENT);
    thrown(() -> new TopicConfig().setPartitions(0), ErrorCode.INVALID_ARGUMENT);
    thrown(() -> new TopicConfig().setRetentionMs(-5), ErrorCode.INVALID_ARGUMENT);
    thrown(() -> new TopicConfig().setSegmentBytes(10), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(topics.createTopic("big", new TopicConfig().setPartitions(1_000_000)), ErrorCode.INVALID_ARGUMENT);
    awaitFailure(topics.describe("missing"), ErrorCode.UNKNOWN_TOPIC);
    awaitFailure(topics.delete("missing"), ErrorCode.UNKNOWN_TOPIC);
    awaitFailure(topics.describeGroup("nobody"), ErrorCode.UNKNOWN_GROUP);
    assertEquals(List.of(), await(topics.list()));
  }

  @Test
  void replicationSettingsAreValidatedKeptAndIgnoredByALocalStore() {
    thrown(() -> new TopicConfig().setReplicationFactor(0), ErrorCode.INVALID_ARGUMENT);
    thrown(() -> new TopicConfig().setMinInSync(0), ErrorCode.INVALID_ARGUMENT);
    thrown(() -> new TopicConfig().setReplicationFactor(2).setMinInSync(3), ErrorCode.INVALID_ARGUMENT);
    TopicConfig refused = new TopicConfig().setMinInSync(3);
    thrown(() -> refused.setReplicationFactor(2), ErrorCode.INVALID_ARGUMENT);
    assertEquals(0, refused.getReplicationFactor(), "a refused setting changes nothing");
    thrown(() -> new TopicConfig(new JsonObject().put("replicationFactor", 0)), ErrorCode.INVALID_ARGUMENT);
    thrown(() -> new TopicConfig(new JsonObject().put("replicationFactor", 1).put("minInSync", 2)), ErrorCode.INVALID_ARGUMENT);
    TopicConfig defaults = new TopicConfig();
    assertEquals(0, defaults.getReplicationFactor(), "0: the store's default");
    assertFalse(defaults.toJson().containsKey("replicationFactor"), "a default is left out: " + defaults);

    TopicConfig config = new TopicConfig().setPartitions(2).setReplicationFactor(3).setMinInSync(2);
    assertEquals(config, new TopicConfig(config.toJson()));
    assertEquals(3, config.toLogOptions().getReplicationFactor());
    assertEquals(2, config.toLogOptions().getMinInSync());
    TopicDescription d = await(topics.createTopic("r", config));
    assertEquals(config, d.config(), "describe shows the settings");
    assertTrue(d.partitions().get(1).replication().isEmpty(), "a local store has no replicas to show");
    produce("r", 1, 2);
    var e = awaitFailure(topics.createTopic("r", new TopicConfig().setPartitions(2).setReplicationFactor(1)),
        ErrorCode.ALREADY_EXISTS);
    assertTrue(e.getMessage().contains("replicationFactor"), e.getMessage());
    restart();
    assertEquals(config, await(topics.describe("r")).config(), "kept across a restart");
  }

  @Test
  void longestNamesWork() {
    String name = "n".repeat(249);
    createTopic(name, 2);
    List<RecordMetadata> sent = produce(name, 1, 3);
    assertEquals(2, sent.get(2).offset());
    assertEquals(3, await(topics.describe(name)).partitions().get(1).endOffset());
    await(topics.delete(name));
  }

  @Test
  void topicsSurviveARestart() {
    TopicConfig config = new TopicConfig().setPartitions(4).setRetentionMs(123_456).setFsync(FsyncPolicy.never());
    await(topics.createTopic("kept", config));
    produce("kept", 3, 7);
    restart();
    TopicDescription d = await(topics.describe("kept"));
    assertEquals(config, d.config());
    assertEquals(7, d.partitions().get(3).endOffset());
    assertEquals(List.of("kept"), await(topics.list()));
  }
}
