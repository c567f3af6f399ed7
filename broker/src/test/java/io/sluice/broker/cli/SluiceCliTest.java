package io.sluice.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Help, usage errors, the node's URL and an unreachable node: what the CLI says before or without a node. */
class SluiceCliTest {

  private static CliTestBase.Run run(Map<String, String> env, String... args) {
    CliTestBase.Output out = new CliTestBase.Output();
    CliTestBase.Output err = new CliTestBase.Output();
    int code = new SluiceCli(new ByteArrayInputStream(new byte[0]), out.stream, err.stream, env).run(List.of(args));
    return new CliTestBase.Run(code, out.text(), err.text());
  }

  private static CliTestBase.Run run(String... args) {
    return run(Map.of(), args);
  }

  @Test
  void helpListsEveryCommandAndEachCommandExplainsItsOptions() {
    CliTestBase.Run overview = run("help");
    assertEquals(SluiceCli.OK, overview.code());
    for (String command : List.of("topics create", "topics list", "topics describe", "topics delete", "produce", "consume",
        "queues create", "queues list", "queues describe", "queues send", "queues receive", "queues delete",
        "groups describe", "node", "--url", "--json", "SLUICE_URL", "Exit codes")) {
      assertTrue(overview.out().contains(command), command + " in:\n" + overview.out());
    }
    assertEquals(overview, run("--help"));

    CliTestBase.Run create = run("topics", "create", "--help");
    assertEquals(SluiceCli.OK, create.code());
    assertTrue(create.out().startsWith("usage: sluice topics create <topic> [--partitions N]"), create.out());
    assertTrue(create.out().contains("--retention-bytes BYTES") && create.out().contains("--url URL"), create.out());
    assertEquals(create, run("help", "topics", "create"));
    assertTrue(run("consume", "orders", "--help").out().contains("--from-beginning"));
    assertTrue(run("queues", "--help").out().contains("queues receive <queue>"));
  }

  @Test
  void badUsageExitsTwoWithTheUsageAndContactsNoNode() {
    // No node listens at the default URL's port in these cases' eyes: usage is checked before any request.
    Map<String, String> nowhere = Map.of(SluiceCli.URL_VARIABLE, "http://127.0.0.1:1");
    for (List<String> args : List.<List<String>>of(
        List.of(), List.of("topics"), List.of("topics", "frobnicate"), List.of("frobnicate"),
        List.of("topics", "create"), List.of("topics", "create", "a", "b"), List.of("topics", "create", "a", "--partitions", "0"),
        List.of("topics", "create", "a", "--partitions", "many"), List.of("topics", "list", "--colour"),
        List.of("consume", "t"), List.of("consume", "t", "--group", "g", "--partition", "0"),
        List.of("consume", "t", "--group", "g", "--offset", "3"), List.of("consume", "t", "--partition", "0", "--offset", "1", "--from-beginning"),
        List.of("queues", "receive", "q", "--wait-ms", "60000"), List.of("produce", "t", "--key-separator", ""),
        List.of("topics", "list", "--url", "ftp://example"), List.of("topics", "list", "--url"), List.of("help", "nothing"))) {
      CliTestBase.Run r = run(nowhere, args.toArray(String[]::new));
      assertEquals(SluiceCli.USAGE, r.code(), args + " -> " + r);
      assertTrue(r.err().contains("usage: sluice"), args + " -> " + r.err());
      assertFalse(r.err().contains("Exception"), r.err());
      assertEquals("", r.out());
    }
    CliTestBase.Run missing = run(nowhere, "topics", "create");
    assertEquals("sluice: missing the topic name\nusage: sluice topics create <topic> [--partitions N] [--retention-ms MS] "
        + "[--retention-bytes BYTES]\n('sluice topics create --help' explains the options)\n", missing.err());
  }

  @Test
  void anUnreachableNodeExitsThreeNamingTheUrl() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket()) {
      free.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      port = free.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    CliTestBase.Run byFlag = run("topics", "list", "--url", url);
    assertEquals(SluiceCli.UNREACHABLE, byFlag.code(), byFlag.toString());
    assertTrue(byFlag.err().startsWith("error: cannot connect to " + url), byFlag.err());
    assertFalse(byFlag.err().contains("\tat "), byFlag.err());

    CliTestBase.Run byEnv = run(Map.of(SluiceCli.URL_VARIABLE, url), "consume", "t", "--partition", "0");
    assertEquals(SluiceCli.UNREACHABLE, byEnv.code());
    assertTrue(byEnv.err().contains(url), byEnv.err());
  }

  @Test
  void onlyCommandWordsLeaveTheNodeLauncher() {
    for (String word : List.of("topics", "produce", "consume", "queues", "groups", "help", "--url", "--url=http://x:1", "--json")) {
      assertTrue(SluiceCli.isCommand(word), word);
    }
    for (String word : List.of("--help", "--http-port", "--store", "node", "topics create")) {
      assertFalse(SluiceCli.isCommand(word), word);
    }
  }
}
