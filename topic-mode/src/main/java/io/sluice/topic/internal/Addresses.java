package io.sluice.topic.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Event-bus addresses and log names of the topic mode. Stateless. */
public final class Addresses {

  /** The topic registry: admin calls, metadata, coordinator lookup. */
  public static final String REGISTRY = "sluice.topics";
  /** Published by the registry when a topic is created, grown or deleted (body: the topic name). */
  public static final String TOPIC_CHANGED = "sluice.topics.changed";
  /** The header naming the operation of a request. */
  public static final String OP = "op";

  public static final String TOPICS_STATE_LOG = "__topics";
  public static final String OFFSETS_STATE_LOG = "__offsets";

  private static final int MAX_NAME = 249;

  private Addresses() {
  }

  public static String partition(String topic, int partition) {
    return "sluice.topic." + topic + "." + partition;
  }

  public static String group(String group) {
    return "sluice.group." + group;
  }

  /**
   * The log of a partition: {@code <topic>-<partition>}. Topic names may use the whole 249 characters
   * log names have, so a name too long for the suffix keeps a prefix and a hash of the full name
   * instead (still unique in practice, and stable across restarts).
   */
  public static String logName(String topic, int partition) {
    String suffix = "-" + partition;
    if (topic.length() + suffix.length() <= MAX_NAME) {
      return topic + suffix;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(topic.getBytes(StandardCharsets.UTF_8));
      String hash = HexFormat.of().formatHex(digest, 0, 8);
      return topic.substring(0, MAX_NAME - suffix.length() - hash.length() - 1) + "." + hash + suffix;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
