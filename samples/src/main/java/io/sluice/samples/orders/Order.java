package io.sluice.samples.orders;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** An order as it travels through the queue: JSON, keyed by its id. */
record Order(String id, String sku, int quantity) {

  /** The business rule the processors enforce; the generator breaks it on purpose for some orders. */
  boolean valid() {
    return quantity > 0;
  }

  Buffer toBuffer() {
    return new JsonObject().put("id", id).put("sku", sku).put("quantity", quantity).toBuffer();
  }

  static Order fromBuffer(Buffer value) {
    JsonObject json = value.toJsonObject();
    return new Order(json.getString("id"), json.getString("sku"), json.getInteger("quantity"));
  }
}
