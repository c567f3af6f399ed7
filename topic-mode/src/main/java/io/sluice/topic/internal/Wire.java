package io.sluice.topic.internal;

import io.sluice.api.InvalidArgumentException;
import io.sluice.topic.TopicPartition;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON shapes of control requests: partitions as {@code [topic, partition]}, offsets as {@code [topic, partition, offset]}. Stateless. */
final class Wire {

  private Wire() {
  }

  static JsonArray partitions(Collection<TopicPartition> tps) {
    JsonArray a = new JsonArray();
    tps.forEach(tp -> a.add(new JsonArray().add(tp.topic()).add(tp.partition())));
    return a;
  }

  static List<TopicPartition> partitions(JsonArray a) {
    List<TopicPartition> out = new ArrayList<>(a == null ? 0 : a.size());
    if (a != null) {
      for (int i = 0; i < a.size(); i++) {
        JsonArray e = a.getJsonArray(i);
        out.add(new TopicPartition(e.getString(0), e.getInteger(1)));
      }
    }
    return out;
  }

  static JsonArray offsets(Map<TopicPartition, Long> offsets) {
    JsonArray a = new JsonArray();
    offsets.forEach((tp, o) -> a.add(new JsonArray().add(tp.topic()).add(tp.partition()).add(o)));
    return a;
  }

  static Map<TopicPartition, Long> offsets(JsonArray a) {
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    if (a != null) {
      try {
        for (int i = 0; i < a.size(); i++) {
          JsonArray e = a.getJsonArray(i);
          out.put(new TopicPartition(e.getString(0), e.getInteger(1)), e.getLong(2));
        }
      } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
        throw new InvalidArgumentException("bad offsets " + a.encode(), e);
      }
    }
    return out;
  }

  static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      for (int i = 0; i < a.size(); i++) {
        out.add(a.getString(i));
      }
    }
    return out;
  }
}
