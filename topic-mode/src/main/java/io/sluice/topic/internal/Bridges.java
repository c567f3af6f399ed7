package io.sluice.topic.internal;

import io.sluice.api.Header;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.topic.Bridge;
import io.sluice.topic.Consumer;
import io.sluice.topic.ConsumerRecord;
import io.sluice.topic.Producer;
import io.sluice.topic.RecordMetadata;
import io.sluice.topic.TopicPartition;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The two event-bus bridges: a topic published to an address, and an address appended to a topic. Stateless factory. */
final class Bridges {

  static final String TOPIC = "sluice.topic";
  static final String PARTITION = "sluice.partition";
  static final String OFFSET = "sluice.offset";
  static final String TIMESTAMP = "sluice.timestamp";
  static final String KEY = "sluice.key";

  private Bridges() {
  }

  /** Publishes every record the consumer reads to {@code address}; the consumer is subscribed or assigned by the caller. */
  static Bridge toAddress(Vertx vertx, Consumer consumer, String address) {
    consumer.handler(r -> vertx.eventBus().publish(address, r.value(), headersOf(r)));
    return consumer::close;
  }

  private static DeliveryOptions headersOf(ConsumerRecord r) {
    DeliveryOptions d = new DeliveryOptions().addHeader(TOPIC, r.topic()).addHeader(PARTITION, Integer.toString(r.partition()))
        .addHeader(OFFSET, Long.toString(r.offset())).addHeader(TIMESTAMP, Long.toString(r.timestamp()));
    if (r.key() != null) {
      d.addHeader(KEY, r.keyAsString());
    }
    for (Header h : r.headers()) {
      d.addHeader(h.name(), h.valueAsString());
    }
    return d;
  }

  /** Appends every message arriving at {@code address} to {@code topic}, replying with where it was stored when asked. */
  static Future<Bridge> fromAddress(Vertx vertx, Producer producer, String address, String topic) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address, msg -> {
      Future<RecordMetadata> sent;
      try {
        Message m = toMessage(msg.body(), msg.headers());
        String explicit = msg.headers().get(PARTITION);
        sent = explicit == null ? producer.send(topic, m) : producer.send(topic, Integer.parseInt(explicit), m);
      } catch (RuntimeException e) {
        sent = Future.failedFuture(e instanceof NumberFormatException ? new InvalidArgumentException("bad " + PARTITION + " header", e) : e);
      }
      if (msg.replyAddress() != null) {
        sent.onComplete(ar -> {
          if (ar.succeeded()) {
            RecordMetadata md = ar.result();
            msg.reply(new JsonObject().put("partition", md.partition()).put("offset", md.offset()));
          } else {
            BusErrors.fail(msg, ar.cause());
          }
        });
      }
    });
    Bridge bridge = () -> consumer.unregister().eventually(producer::close);
    return consumer.completion().map(v -> bridge);
  }

  static Message toMessage(Object body, MultiMap headers) {
    Buffer value;
    if (body == null) {
      value = null;
    } else if (body instanceof Buffer b) {
      value = b;
    } else if (body instanceof String s) {
      value = Buffer.buffer(s);
    } else if (body instanceof byte[] bytes) {
      value = Buffer.buffer(bytes);
    } else if (body instanceof JsonObject j) {
      value = j.toBuffer();
    } else if (body instanceof JsonArray a) {
      value = a.toBuffer();
    } else {
      throw new InvalidArgumentException("cannot append a " + body.getClass().getSimpleName()
          + " body to a topic: send a Buffer, String, byte[], JsonObject or JsonArray");
    }
    String key = headers.get(KEY);
    List<Header> hs = new ArrayList<>();
    for (Map.Entry<String, String> h : headers.entries()) {
      if (!h.getKey().startsWith("sluice.")) {
        hs.add(Header.of(h.getKey(), h.getValue()));
      }
    }
    return Message.of(key == null ? null : Buffer.buffer(key), value).withHeaders(hs);
  }

  /** All partitions of a topic, for a bridge without a group. */
  static List<TopicPartition> allPartitions(String topic, int partitions) {
    List<TopicPartition> out = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      out.add(new TopicPartition(topic, p));
    }
    return out;
  }
}
