package io.sluice.broker.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.sluice.queue.QueueStats;
import io.sluice.queue.Queues;
import io.sluice.topic.GroupDescription;
import io.sluice.topic.PartitionInfo;
import io.sluice.topic.TopicDescription;
import io.sluice.topic.TopicPartition;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/*
 * Why gauges read at scrape time, and no counters in the request paths.
 *
 * Records reach a node through the Java API, HTTP, the event-bus bridges and (later) replication; counting in
 * one entry point would miss the others. The logs themselves know the truth: a partition's end offset only
 * grows, so Prometheus's rate(sluice_topic_partition_end_offset[1m]) is the produce rate, a group's committed
 * offset is its consume rate, and the difference is its lag — the way Kafka's exporters report them. So each
 * scrape first asks the services for a snapshot (describe every topic, group and queue, up to a bound so a
 * node with very many cannot make a scrape unbounded), then renders it. The asks are the services' ordinary
 * asynchronous calls: nothing blocks the event loop.
 */

/**
 * Topic, group and queue gauges for {@code /metrics}, refreshed before each scrape.
 *
 * <p>Thread-safe: a refresh replaces each gauge's rows at once; overlapping refreshes share one snapshot.
 */
final class DomainMetrics {

  /** Most topics, groups and queues described per scrape (alphabetical); the rest are left out. */
  static final int MAX_DESCRIBED = 1000;

  private final Topics topics;
  private final Queues queues;
  private final MultiGauge startOffset;
  private final MultiGauge endOffset;
  private final MultiGauge committed;
  private final MultiGauge lag;
  private final MultiGauge queueDepth;
  private final MultiGauge queueInFlight;
  private final MultiGauge queueDelayed;
  private final MultiGauge queueBytes;
  private final MultiGauge queueOldestAge;
  private final MultiGauge queueConsumers;
  private Future<Void> running;

  DomainMetrics(MeterRegistry registry, Topics topics, Queues queues) {
    this.topics = topics;
    this.queues = queues;
    startOffset = gauge(registry, "sluice.topic.partition.start.offset", "First offset a partition holds");
    endOffset = gauge(registry, "sluice.topic.partition.end.offset", "Next offset of a partition; its rate is the produce rate");
    committed = gauge(registry, "sluice.group.committed.offset", "A group's committed offset; its rate is the consume rate");
    lag = gauge(registry, "sluice.group.lag", "Records between a group's committed offset and the partition's end");
    queueDepth = gauge(registry, "sluice.queue.depth", "Messages not yet settled (ready, in flight and delayed)");
    queueInFlight = gauge(registry, "sluice.queue.in.flight", "Messages delivered under a lease, not yet acked");
    queueDelayed = gauge(registry, "sluice.queue.delayed", "Messages waiting for their delay");
    queueBytes = gauge(registry, "sluice.queue.bytes", "Payload bytes of the unsettled messages");
    queueOldestAge = gauge(registry, "sluice.queue.oldest.message.age.seconds", "Age of the oldest unsettled message");
    queueConsumers = gauge(registry, "sluice.queue.consumers", "Consumers attached to a queue");
  }

  private static MultiGauge gauge(MeterRegistry registry, String name, String help) {
    return MultiGauge.builder(name).description(help).register(registry);
  }

  /** Takes a fresh snapshot; scrapes arriving meanwhile wait for the same one. Never fails. */
  synchronized Future<Void> refresh() {
    if (running != null) {
      return running;
    }
    Future<Void> f = Future.join(refreshTopics(), refreshGroups(), refreshQueues()).<Void>mapEmpty().otherwiseEmpty();
    running = f;
    f.onComplete(ar -> done(f));
    return f;
  }

  private synchronized void done(Future<Void> f) {
    if (running == f) {
      running = null;
    }
  }

  private Future<Void> refreshTopics() {
    return topics.list().compose(names -> {
      List<Future<TopicDescription>> described = new ArrayList<>();
      names.stream().sorted().limit(MAX_DESCRIBED).forEach(n -> described.add(topics.describe(n)));
      return Future.join(described).transform(ar -> {
        List<MultiGauge.Row<?>> starts = new ArrayList<>();
        List<MultiGauge.Row<?>> ends = new ArrayList<>();
        for (Future<TopicDescription> f : described) {
          if (f.succeeded()) {
            for (PartitionInfo p : f.result().partitions()) {
              Tags tags = Tags.of("topic", f.result().name(), "partition", String.valueOf(p.partition()));
              starts.add(MultiGauge.Row.of(tags, p.startOffset()));
              ends.add(MultiGauge.Row.of(tags, p.endOffset()));
            }
          }
        }
        startOffset.register(starts, true);
        endOffset.register(ends, true);
        return Future.succeededFuture();
      });
    });
  }

  private Future<Void> refreshGroups() {
    return topics.listGroups().compose(groups -> {
      List<Future<GroupDescription>> described = new ArrayList<>();
      groups.stream().sorted().limit(MAX_DESCRIBED).forEach(g -> described.add(topics.describeGroup(g)));
      return Future.join(described).transform(ar -> {
        Map<String, Future<TopicDescription>> ends = new HashMap<>();
        for (Future<GroupDescription> f : described) {
          if (f.succeeded()) {
            f.result().committed().keySet().forEach(tp -> ends.computeIfAbsent(tp.topic(), topics::describe));
          }
        }
        return Future.join(new ArrayList<>(ends.values())).transform(ignored -> {
          List<MultiGauge.Row<?>> commits = new ArrayList<>();
          List<MultiGauge.Row<?>> lags = new ArrayList<>();
          for (Future<GroupDescription> f : described) {
            if (f.failed()) {
              continue;
            }
            for (Map.Entry<TopicPartition, Long> c : f.result().committed().entrySet()) {
              TopicPartition tp = c.getKey();
              Tags tags = Tags.of("group", f.result().group(), "topic", tp.topic(), "partition", String.valueOf(tp.partition()));
              commits.add(MultiGauge.Row.of(tags, c.getValue()));
              Long end = endOf(ends.get(tp.topic()), tp.partition());
              if (end != null) {
                lags.add(MultiGauge.Row.of(tags, Math.max(0, end - c.getValue())));
              }
            }
          }
          committed.register(commits, true);
          lag.register(lags, true);
          return Future.succeededFuture();
        });
      });
    });
  }

  private static Long endOf(Future<TopicDescription> topic, int partition) {
    if (topic == null || !topic.succeeded()) {
      return null;
    }
    for (PartitionInfo p : topic.result().partitions()) {
      if (p.partition() == partition) {
        return p.endOffset();
      }
    }
    return null;
  }

  private Future<Void> refreshQueues() {
    return queues.list().compose(names -> {
      List<Future<QueueStats>> described = new ArrayList<>();
      names.stream().sorted().limit(MAX_DESCRIBED).forEach(n -> described.add(queues.describe(n)));
      return Future.join(described).transform(ar -> {
        List<MultiGauge.Row<?>> depth = new ArrayList<>();
        List<MultiGauge.Row<?>> inFlight = new ArrayList<>();
        List<MultiGauge.Row<?>> delayed = new ArrayList<>();
        List<MultiGauge.Row<?>> bytes = new ArrayList<>();
        List<MultiGauge.Row<?>> oldest = new ArrayList<>();
        List<MultiGauge.Row<?>> consumers = new ArrayList<>();
        for (Future<QueueStats> f : described) {
          if (f.succeeded()) {
            QueueStats q = f.result();
            Tags tags = Tags.of("queue", q.name());
            depth.add(MultiGauge.Row.of(tags, q.depth()));
            inFlight.add(MultiGauge.Row.of(tags, q.inFlight()));
            delayed.add(MultiGauge.Row.of(tags, q.delayed()));
            bytes.add(MultiGauge.Row.of(tags, q.bytes()));
            oldest.add(MultiGauge.Row.of(tags, Math.max(0, q.oldestMessageAgeMs()) / 1000.0));
            consumers.add(MultiGauge.Row.of(tags, q.consumers()));
          }
        }
        queueDepth.register(depth, true);
        queueInFlight.register(inFlight, true);
        queueDelayed.register(delayed, true);
        queueBytes.register(bytes, true);
        queueOldestAge.register(oldest, true);
        queueConsumers.register(consumers, true);
        return Future.succeededFuture();
      });
    });
  }
}
