package io.sluice.cluster.internal;

import static io.sluice.api.store.ContractSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.Durability;
import io.sluice.api.InvalidArgumentException;
import io.sluice.api.Message;
import io.sluice.api.RecordBatch;
import io.sluice.api.store.AppendResult;
import io.sluice.api.store.LogOptions;
import io.sluice.api.store.LogStore;
import io.sluice.api.store.PartitionLog;
import io.sluice.cluster.ClusterNode;
import io.sluice.cluster.ClusterOptions;
import io.sluice.cluster.ReplicatedLogStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clustered event bus over mutual TLS: two nodes sharing a cluster certificate replicate an append
 * to each other; a node with another certificate, and a node without TLS, join Hazelcast (whose member
 * protocol stays plain) but can exchange no event-bus message with them, in either direction, and fail
 * promptly instead of hanging. Certificates are made by the JDK's keytool in a temporary directory.
 *
 * <p>Thread contract: the test thread drives everything and waits on futures (never an event loop).
 */
class EventBusTlsTest {

  private static final String PASSWORD = "changeit";
  private static final long REQUEST_TIMEOUT_MS = 3_000;

  @TempDir
  Path dir;

  private TestCluster cluster;
  private final List<Future<ClusterNode>> intruders = new ArrayList<>();
  private final List<LogStore> stores = new ArrayList<>();

  @AfterEach
  void stop() {
    for (LogStore s : stores) {
      await(s.close());
    }
    for (Future<ClusterNode> joining : intruders) {
      await(joining.transform(ar -> ar.succeeded() ? ((ClusterNodeImpl) ar.result()).crash() : Future.<Void>succeededFuture()));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void nodesSharingTheCertificateReplicateAndOthersCannotTalkToThem() throws Exception {
    Path clusterStore = keyStore("cluster");
    Path cert = dir.resolve("cluster.crt");
    Path key = dir.resolve("cluster.key");
    exportPem(clusterStore, cert, key);
    Path otherStore = keyStore("other");

    // The members from PEM files; trust defaults to their own (shared) certificate.
    cluster = new TestCluster(2, o -> o.setReplicationFactor(2).setMinInSync(2).setTlsPem(cert.toString(), key.toString()));
    assertTrue(cluster.node(0).options().isTls());
    for (int i = 0; i < 2; i++) {
      ClusterNode n = cluster.node(i);
      stores.add(await(ReplicatedLogStore.create(n, LogStore.memory(n.vertx()), "tls")));
    }
    PartitionLog onFirst = await(stores.get(0).open("secret-0", new LogOptions()));
    AppendResult appended = await(onFirst.append(RecordBatch.of(List.of(Message.of("k", "over tls")))));
    assertEquals(Durability.REPLICATED, appended.durability(), "the follower fetched it over the TLS event bus");
    PartitionLog onSecond = await(stores.get(1).open("secret-0", new LogOptions()));
    assertEquals("over tls", await(onSecond.read(0, 10, 1 << 20)).iterator().next().valueAsString());

    Vertx member = cluster.node(0).vertx();
    AtomicInteger memberReceived = replyPong(cluster.node(1).vertx(), "probe.member");
    assertEquals("pong", await(member.eventBus().<String>request("probe.member", "ping")).body());

    // Both outsiders join at once: each join takes Hazelcast a few seconds.
    Future<ClusterNode> joiningForeign = intruder("foreign", o -> o.setTlsKeyStore(otherStore.toString(), PASSWORD));
    Future<ClusterNode> joiningPlain = intruder("plain", o -> { });
    ClusterNode foreign = await(joiningForeign);
    ClusterNode plain = await(joiningPlain);
    for (ClusterNode outsider : List.of(foreign, plain)) {
      String name = outsider.nodeId();
      awaitReplyFailure(outsider.vertx(), "probe.member", name + " → member");
      AtomicInteger outsiderReceived = replyPong(outsider.vertx(), "probe." + name);
      awaitReplyFailure(member, "probe." + name, "member → " + name);
      assertEquals(0, outsiderReceived.get(), "messages that reached " + name);
    }
    assertEquals(1, memberReceived.get(), "messages that reached the member: only its peer's");
    // The members still talk to each other.
    assertEquals("pong", await(member.eventBus().<String>request("probe.member", "ping")).body());
  }

  @Test
  void halfATlsSettingAndAMissingFileAreRefused() {
    assertThrows(InvalidArgumentException.class,
        () -> new ClusterOptions().setNodeId("n").setTlsPem("cert.pem", null).validate());
    assertThrows(InvalidArgumentException.class,
        () -> new ClusterOptions().setNodeId("n").setTlsPem("a.pem", "a.key").setTlsKeyStore("a.p12", "x").validate());
    assertThrows(InvalidArgumentException.class,
        () -> new ClusterOptions().setNodeId("n").setTlsTrust("ca.pem", null).validate());
    ExecutionException e = assertThrows(ExecutionException.class, () -> ClusterNode.start(new ClusterOptions()
        .setNodeId("n").setTlsKeyStore(dir.resolve("missing.p12").toString(), PASSWORD))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof InvalidArgumentException, String.valueOf(e.getCause()));
  }

  /**
   * A request that cannot cross must fail within its timeout, not hang. Which failure depends on the
   * direction: a client whose server certificate is refused fails to connect; a client whose own
   * certificate the server refuses has (in TLS 1.3) finished its handshake before the server's alert, so
   * its message is written into a connection the server then closes, and only the reply timeout tells.
   */
  private static void awaitReplyFailure(Vertx from, String address, String what) {
    long start = System.nanoTime();
    Future<io.vertx.core.eventbus.Message<String>> reply = from.eventBus()
        .request(address, "ping", new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS));
    Throwable failure = assertThrows(AssertionError.class, () -> await(reply), what + " must fail").getCause();
    assertTrue(failure instanceof ReplyException, what + ": " + failure);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(ms < REQUEST_TIMEOUT_MS + 5_000, what + " failed only after " + ms + " ms: " + failure);
  }

  /** Answers "pong" at {@code address}; counts what it received. */
  private static AtomicInteger replyPong(Vertx vertx, String address) {
    AtomicInteger received = new AtomicInteger();
    MessageConsumer<String> consumer = vertx.eventBus().<String>consumer(address, m -> {
      received.incrementAndGet();
      m.reply("pong");
    });
    await(consumer.completion());
    return received;
  }

  private Future<ClusterNode> intruder(String id, java.util.function.Consumer<ClusterOptions> tls) {
    ClusterOptions o = cluster.options(0).setNodeId(id).setPort(TestCluster.freePort()).setTlsPem(null, null);
    tls.accept(o);
    Future<ClusterNode> joining = ClusterNode.start(o, new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
    intruders.add(joining);
    return joining;
  }

  /** A PKCS#12 store with a fresh self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
  private Path keyStore(String alias) throws Exception {
    Path store = dir.resolve(alias + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=" + alias, "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool finished");
    assertEquals(0, keytool.exitValue(), new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    return store;
  }

  /** The store's certificate and private key (PKCS#8) as PEM files. */
  private static void exportPem(Path store, Path cert, Path key) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(store.toFile())) {
      ks.load(in, PASSWORD.toCharArray());
    }
    String alias = ks.aliases().nextElement();
    Key k = ks.getKey(alias, PASSWORD.toCharArray());
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(ks.getCertificate(alias).getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(k.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
  }
}
