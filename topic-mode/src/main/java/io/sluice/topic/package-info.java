/**
 * Topics: partitioned durable logs with producers, consumer groups, committed offsets, seek and retention.
 * Start at {@link io.sluice.topic.Topics}. Implementation lives in {@code io.sluice.topic.internal}.
 */
package io.sluice.topic;
