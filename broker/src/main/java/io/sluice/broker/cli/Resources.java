package io.sluice.broker.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What topics and queues have in common at the terminal: create (201 made it, 200 it existed alike),
 * list, describe as aligned name/value lines, delete. In {@code --json} mode each prints the node's
 * answer as one line.
 *
 * <p>Stateless.
 */
final class Resources {

  private Resources() {
  }

  /** {@code PUT} of a topic or queue; {@code kind} is its word, {@code detail} what the plain answer adds. */
  static int create(Session s, String kind, String name, JsonObject config, Function<JsonObject, String> detail)
      throws InterruptedException {
    NodeClient.Answer answer = s.node().exchange("PUT", path(kind, name), config, 0);
    if (s.json()) {
      s.out().println(answer.json().encode());
    } else if (answer.status() == 201) {
      s.out().println("created " + kind + " " + name + detail.apply(answer.json()));
    } else {
      s.out().println(kind + " " + name + " already exists with these settings" + detail.apply(answer.json()));
    }
    return SluiceCli.OK;
  }

  static int list(Session s, String kind) throws InterruptedException {
    JsonObject answer = s.node().get("/v1/" + kind + "s");
    if (s.json()) {
      s.out().println(answer.encode());
    } else {
      JsonArray names = answer.getJsonArray(kind + "s", new JsonArray());
      for (int i = 0; i < names.size(); i++) {
        s.out().println(names.getValue(i));
      }
    }
    return SluiceCli.OK;
  }

  /** The description, or in plain mode nothing printed yet: the caller prints it. */
  static JsonObject describe(Session s, String kind, String name) throws InterruptedException {
    JsonObject answer = s.node().get(path(kind, name));
    if (s.json()) {
      s.out().println(answer.encode());
    }
    return answer;
  }

  static int delete(Session s, String kind, String name) throws InterruptedException {
    s.node().call("DELETE", path(kind, name), null, 0);
    if (!s.json()) {
      s.out().println("deleted " + kind + " " + name);
    }
    return SluiceCli.OK;
  }

  static String path(String kind, String name) {
    return "/v1/" + kind + "s/" + NodeClient.segment(name);
  }

  /**
   * The scalar fields of {@code o} as aligned name/value lines, then those of its {@code config} object
   * (sorted by name); arrays are left to the caller, which prints them as tables.
   */
  static void printFields(Session s, JsonObject o) {
    Table table = new Table();
    for (Map.Entry<String, Object> e : o) {
      if (!(e.getValue() instanceof JsonObject) && !(e.getValue() instanceof JsonArray)) {
        table.row(e.getKey(), e.getValue());
      }
    }
    JsonObject config = o.getJsonObject("config");
    if (config != null) {
      new TreeMap<>(config.getMap()).forEach(table::row);
    }
    table.print(s.out());
  }
}
