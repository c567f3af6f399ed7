package io.sluice.broker.cli;

import static io.sluice.broker.testing.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.sluice.broker.testing.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the CLI tests: an embedded node on the memory store and a free port (closed after each test),
 * and the CLI's entry run with given arguments and stdin, its stdout, stderr and exit code captured.
 */
@ExtendWith(VertxExtension.class)
abstract class CliTestBase {

  protected Vertx vertx;
  protected SluiceNode node;

  /** What one run of the CLI printed, and how it ended. */
  record Run(int code, String out, String err) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
    }
  }

  @BeforeEach
  void startNode(Vertx vertx) {
    this.vertx = vertx;
    node = await(SluiceNode.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0)));
  }

  @AfterEach
  void stopNode() {
    if (node != null) {
      await(node.close());
    }
  }

  protected String url() {
    return "http://127.0.0.1:" + node.httpPort();
  }

  /** Runs {@code sluice args...} against the node (through {@code SLUICE_URL}) with {@code stdin}. */
  protected Run sluiceWithInput(String stdin, String... args) {
    Output out = new Output();
    Output err = new Output();
    SluiceCli cli = new SluiceCli(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out.stream, err.stream,
        Map.of(SluiceCli.URL_VARIABLE, url()));
    int code = cli.run(List.of(args));
    return new Run(code, out.text(), err.text());
  }

  protected Run sluice(String... args) {
    return sluiceWithInput("", args);
  }

  /** Asserts a run succeeded, showing what it printed when it did not. */
  protected static Run ok(Run run) {
    assertEquals(SluiceCli.OK, run.code(), run.toString());
    return run;
  }

  protected TestHttp.Response req(HttpMethod method, String path, String body) {
    return TestHttp.call(vertx, method, node.httpPort(), path, body);
  }

  protected JsonObject getJson(String path) {
    TestHttp.Response r = req(HttpMethod.GET, path, null);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  /** A captured stream; safe to read while another thread writes (ByteArrayOutputStream is synchronized). */
  static final class Output {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String text() {
      stream.flush();
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
