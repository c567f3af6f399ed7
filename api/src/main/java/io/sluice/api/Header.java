package io.sluice.api;

import io.vertx.core.buffer.Buffer;
import java.util.Objects;

/** One message header: a name and a binary value. Headers are ordered and names may repeat. */
public record Header(String name, Buffer value) {

  public Header {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  public static Header of(String name, String value) {
    return new Header(name, Buffer.buffer(value));
  }

  public String valueAsString() {
    return value.toString();
  }
}
