package io.sluice.topic;

import java.util.List;

/** A topic's name, settings and partitions (with their start and end offsets at the time of the call). */
public record TopicDescription(String name, TopicConfig config, List<PartitionInfo> partitions) {

  public TopicDescription {
    config = new TopicConfig(config);
    partitions = List.copyOf(partitions);
  }

  @Override
  public TopicConfig config() {
    return new TopicConfig(config);
  }
}
