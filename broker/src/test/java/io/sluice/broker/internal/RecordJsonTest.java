package io.sluice.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.api.Durability;
import io.sluice.api.Header;
import io.sluice.api.Message;
import io.sluice.api.Record;
import io.sluice.api.RecordBatch;
import io.sluice.api.Records;
import io.sluice.topic.RecordMetadata;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streamed answers must be byte for byte what the JsonObject tree encoded to before. */
class RecordJsonTest {

  private static Buffer bytes(int... b) {
    Buffer out = Buffer.buffer();
    for (int x : b) {
      out.appendByte((byte) x);
    }
    return out;
  }

  /** The encoding the routes used before RecordJson: a JsonObject per record, through JsonFields. */
  private static String tree(Records records, int partition, long from, int max) {
    JsonArray out = new JsonArray();
    long next = from;
    for (Record r : records) {
      if (r.offset() < from) {
        continue;
      }
      if (out.size() == max) {
        break;
      }
      JsonObject json = new JsonObject().put("partition", partition).put("offset", r.offset()).put("timestamp", r.timestamp());
      JsonFields.putBytes(json, "key", r.key());
      JsonFields.putBytes(json, "value", r.value());
      JsonFields.putHeaders(json, r.headers());
      out.add(json);
      next = r.offset() + 1;
    }
    return new JsonObject().put("records", out).put("nextOffset", next).encode();
  }

  private static Records records(List<Message> messages, long baseOffset) {
    Buffer batch = RecordBatch.of(messages).assignBaseOffset(baseOffset).buffer();
    return Records.of(batch, baseOffset, baseOffset + messages.size());
  }

  @Test
  void pageMatchesTheTreeEncodingForTextBinaryNullsAndHeaders() {
    List<Message> ms = new ArrayList<>();
    ms.add(Message.of((Buffer) null, Buffer.buffer("plain")));
    ms.add(Message.of("k\"ey\\", "tab\t nl\n ctl\u0001 del\u007f / é € 😀 \u2028"));
    ms.add(Message.of(bytes(0xff, 0x00, 0x80), bytes(0xc3, 0x28)));
    ms.add(Message.of(Buffer.buffer(""), null).withTimestamp(42));
    ms.add(Message.of("a", "b").withHeaders(List.of(Header.of("h1", "v1"), Header.of("é", "ü\""),
        new Header("bin", bytes(0xed, 0xa0, 0x80)), Header.of("h1", "again"), new Header("empty", Buffer.buffer()))));
    ms.add(Message.of("x", "y").withHeaders(List.of(Header.of("dup", "text"), new Header("dup", bytes(0xf8)))));
    Records rs = records(ms, 7);
    for (long from : new long[] {7, 8, 10, 13, 20}) {
      for (int max : new int[] {1, 2, 1000}) {
        assertEquals(tree(rs, 3, from, max), RecordJson.page(rs, 3, from, max).toString(StandardCharsets.UTF_8),
            "from " + from + " max " + max);
      }
    }
  }

  @Test
  void pageMatchesTheTreeEncodingForRandomBytes() {
    Random random = new Random(7);
    List<Message> ms = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      byte[] v = new byte[random.nextInt(12)];
      for (int j = 0; j < v.length; j++) {
        // Mostly bytes around the UTF-8 lead and continuation ranges, where the validity rules bite.
        v[j] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(0x80));
      }
      ms.add(Message.of(Buffer.buffer(v)));
    }
    Records rs = records(ms, 0);
    assertEquals(tree(rs, 0, 0, 1000), RecordJson.page(rs, 0, 0, 1000).toString(StandardCharsets.UTF_8));
    assertEquals(tree(rs, 0, 1000, 1000), RecordJson.page(rs, 0, 1000, 1000).toString(StandardCharsets.UTF_8));
  }

  @Test
  void utf8ValidityAgreesWithTheJdkDecoderOnEveryShortSequence() throws Exception {
    byte[] b = new byte[3];
    int[] interesting = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec,
        0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
    for (int x : interesting) {
      for (int y : interesting) {
        for (int z : interesting) {
          b[0] = (byte) x;
          b[1] = (byte) y;
          b[2] = (byte) z;
          for (int len = 1; len <= 3; len++) {
            assertEquals(jdkValid(b, len), Utf8.isValid(b, 0, len), String.format("%02x %02x %02x len %d", x, y, z, len));
          }
        }
      }
    }
    for (String s : new String[] {"😀", "x\uD83D\uDE00", "€€", "\uDBFF\uDFFF"}) {
      byte[] u = s.getBytes(StandardCharsets.UTF_8);
      assertEquals(true, Utf8.isValid(u, 0, u.length), s);
      assertEquals(false, Utf8.isValid(u, 0, u.length - 1), s + " cut");
    }
    byte[] above = {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80};
    assertEquals(jdkValid(above, 4), Utf8.isValid(above, 0, 4));
  }

  private static boolean jdkValid(byte[] b, int len) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, len));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void offsetsMatchTheTreeEncoding() {
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    JsonArray expected = new JsonArray();
    for (int i = 0; i < 5; i++) {
      RecordMetadata m = new RecordMetadata("t", i % 2, 100L + i, 0L, Durability.MEMORY);
      sends.add(Future.succeededFuture(m));
      expected.add(new JsonObject().put("partition", m.partition()).put("offset", m.offset()));
    }
    assertEquals(new JsonObject().put("offsets", expected).encode(), RecordJson.offsets(sends).toString(StandardCharsets.UTF_8));
  }
}
