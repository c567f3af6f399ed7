package io.sluice.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configured ceilings on topics, partitions and groups: one more is a typed refusal that changes nothing. */
class LimitsTest extends TopicsTestBase {

  @Override
  protected TopicsOptions topicsOptions() {
    return super.topicsOptions().setMaxTopics(2).setMaxPartitionsPerTopic(4).setMaxGroups(1);
  }

  @Test
  void oneTopicTooManyIsLimitExceededAndNothingIsCreated() {
    createTopic("a", 1);
    createTopic("b", 1);
    awaitFailure(topics.createTopic("c", new TopicConfig().setPartitions(1)), ErrorCode.LIMIT_EXCEEDED);
    assertEquals(List.of("a", "b"), await(topics.list()));
    await(topics.delete("a"));
    createTopic("c", 1);
  }

  @Test
  void morePartitionsThanTheLimitAreRefused() {
    awaitFailure(topics.createTopic("wide", new TopicConfig().setPartitions(5)), ErrorCode.INVALID_ARGUMENT);
    createTopic("t", 4);
    assertEquals(4, await(topics.describe("t")).partitions().size());
  }

  @Test
  void aSecondGroupBeyondTheLimitCannotBeJoined() {
    createTopic("t", 2);
    Consumer first = topics.createConsumer(new ConsumerOptions().setGroupId("g1"));
    await(first.subscribe(List.of("t")));
    Consumer second = topics.createConsumer(new ConsumerOptions().setGroupId("g2"));
    awaitFailure(second.subscribe(List.of("t")), ErrorCode.LIMIT_EXCEEDED);
    await(second.close());
    Consumer sameGroup = topics.createConsumer(new ConsumerOptions().setGroupId("g1"));
    await(sameGroup.subscribe(List.of("t")));
    await(sameGroup.close());
    await(first.close());
  }
}
