package io.sluice.topic.internal;

import io.sluice.topic.TopicPartition;
import io.vertx.core.buffer.Buffer;

/**
 * Keys and values of committed offsets in the {@code __offsets} state log: key
 * {@code <group>/<topic>/<partition>} ('/' cannot occur in names), value the offset and the commit time.
 * Stateless.
 */
final class OffsetKeys {

  private OffsetKeys() {
  }

  static String key(String group, TopicPartition tp) {
    return group + "/" + tp.topic() + "/" + tp.partition();
  }

  static String groupPrefix(String group) {
    return group + "/";
  }

  static String groupOf(String key) {
    return key.substring(0, key.indexOf('/'));
  }

  static TopicPartition partitionOf(String key) {
    int a = key.indexOf('/');
    int b = key.lastIndexOf('/');
    return new TopicPartition(key.substring(a + 1, b), Integer.parseInt(key.substring(b + 1)));
  }

  static Buffer value(long offset, long now) {
    return Buffer.buffer(16).appendLong(offset).appendLong(now);
  }

  static long offsetOf(Buffer value) {
    return value.getLong(0);
  }
}
