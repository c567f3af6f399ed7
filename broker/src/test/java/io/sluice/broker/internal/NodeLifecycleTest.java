package io.sluice.broker.internal;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.api.ErrorCode;
import io.sluice.api.SluiceException;
import io.sluice.broker.NodeOptions;
import io.sluice.broker.SluiceNode;
import io.sluice.broker.testing.TestHttp;
import io.sluice.broker.testing.TestHttp.Response;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Start and stop order: 503 while starting, drain before close, nothing left behind by a failed start. */
@ExtendWith(VertxExtension.class)
class NodeLifecycleTest {

  /** Events in the order they happened, across threads. */
  private final List<String> events = new CopyOnWriteArrayList<>();

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    }
  }

  private static void assertPortFree(int port) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
    }
  }

  private static void within(long ms, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + ms + " ms: " + what);
      }
      Thread.onSpinWait();
    }
  }

  /** A GET that answers with the status, or -1 when no connection could be made. */
  private static int statusOrRefused(Vertx vertx, int port, String path) {
    try {
      return get(vertx, port, path).status();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private RouteGroup trackedGroup(String name, Promise<Void> slowReply, Promise<Void> slowEntered) {
    return new RouteGroup() {
      @Override
      public void mount(io.vertx.ext.web.Router router) {
        router.get("/v1/" + name + "/slow").handler(ctx -> {
          events.add(name + " request in");
          slowEntered.tryComplete();
          slowReply.future().onComplete(v -> {
            events.add(name + " request out");
            ctx.response().end("done");
          });
        });
      }

      @Override
      public Future<Void> close() {
        events.add(name + " closed");
        return Future.succeededFuture();
      }
    };
  }

  @Test
  void whileServicesOpenHealthSays503AndTheApiIsNotReady(Vertx vertx) throws IOException {
    int port = freePort();
    Promise<RouteGroup> opening = Promise.promise();
    Future<SluiceNode> starting = SluiceNodeImpl.start(vertx, new NodeOptions().setStore("memory").setHttpPort(port),
        List.of(n -> opening.future()));

    within(5_000, () -> statusOrRefused(vertx, port, "/health") == 503, "health answers 503");
    Response health = get(vertx, port, "/health");
    assertEquals("STARTING", health.json().getString("status"));
    Response api = get(vertx, port, "/v1/g/slow");
    assertEquals(503, api.status());
    assertEquals("not_ready", api.json().getString("error"));
    assertEquals(200, get(vertx, port, "/metrics").status(), "metrics answer while starting");
    assertFalse(starting.isComplete());

    Promise<Void> reply = Promise.promise();
    opening.complete(trackedGroup("g", reply, Promise.promise()));
    SluiceNode node = await(starting);
    try {
      assertEquals(200, get(vertx, port, "/health").status());
      reply.complete();
      assertEquals("done", get(vertx, port, "/v1/g/slow").body());
    } finally {
      await(node.close());
    }
  }

  @Test
  void stoppingRefusesNewRequestsButFinishesInFlightOnesBeforeClosingServices(Vertx vertx) {
    Promise<Void> reply = Promise.promise();
    Promise<Void> entered = Promise.promise();
    SluiceNode node = await(SluiceNodeImpl.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0),
        List.of(n -> Future.succeededFuture(trackedGroup("g", reply, entered)))));
    int port = node.httpPort();

    Future<Response> inFlight = TestHttp.send(vertx, HttpMethod.GET, port, "/v1/g/slow", null);
    await(entered.future());
    Future<Void> closing = node.close();
    within(5_000, () -> {
      int status = statusOrRefused(vertx, port, "/health");
      assertNotEquals(200, status, "a stopping node is not healthy");
      return status == -1;
    }, "new connections are refused");
    assertFalse(closing.isComplete(), "close waits for the in-flight request");
    assertFalse(events.contains("g closed"), "services stay open while requests are in flight");
    assertFalse(node.store().exists("x").failed(), "the store is still open");

    reply.complete();
    Response r = await(inFlight);
    assertEquals(200, r.status());
    assertEquals("done", r.body());
    await(closing);
    assertEquals(List.of("g request in", "g request out", "g closed"), events);
    assertEquals(ErrorCode.STORE_CLOSED, assertThrows(SluiceException.class, () -> await(node.store().open("x"))).code());
  }

  @Test
  void aStuckRequestIsCutOffAfterTheShutdownTimeout(Vertx vertx) throws TimeoutException {
    Promise<Void> entered = Promise.promise();
    SluiceNode node = await(SluiceNodeImpl.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0).setShutdownTimeoutMs(300),
        List.of(n -> Future.succeededFuture(trackedGroup("g", Promise.promise(), entered)))));
    Future<Response> stuck = TestHttp.send(vertx, HttpMethod.GET, node.httpPort(), "/v1/g/slow", null);
    await(entered.future());
    long t0 = System.nanoTime();
    node.close().await(5, TimeUnit.SECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(tookMs >= 250, "waited for the request: " + tookMs + " ms");
    assertThrows(RuntimeException.class, () -> await(stuck), "the stuck request's connection was closed");
    assertTrue(events.contains("g closed"));
  }

  @Test
  void aFailedStartReleasesEverythingItTook(Vertx vertx) throws IOException {
    int port = freePort();
    SluiceException boom = new SluiceException(ErrorCode.STORAGE_FAILURE, "service could not open");
    Future<SluiceNode> start = SluiceNodeImpl.start(vertx, new NodeOptions().setStore("memory").setHttpPort(port), List.of(
        n -> Future.succeededFuture(trackedGroup("first", Promise.promise(), Promise.promise())),
        n -> Future.failedFuture(boom)));
    SluiceException e = assertThrows(SluiceException.class, () -> await(start));
    assertSame(boom, e);
    assertEquals(List.of("first closed"), events);
    assertPortFree(port);
    assertEquals(0, vertx.deploymentIDs().size());
  }

  @Test
  void closingWhileStartingWaitsForTheStartAndClosesWhatItOpened(Vertx vertx) throws IOException {
    int port = freePort();
    Promise<RouteGroup> opening = Promise.promise();
    SluiceNodeImpl node = SluiceNodeImpl.launch(vertx, new NodeOptions().setStore("memory").setHttpPort(port),
        List.of(n -> opening.future()));
    within(5_000, () -> statusOrRefused(vertx, port, "/health") == 503, "listening");

    Future<Void> closing = node.close();
    assertFalse(closing.isComplete(), "close waits for the open in progress");
    opening.complete(trackedGroup("late", Promise.promise(), Promise.promise()));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> await(node.started()));
    assertEquals("the node was closed while starting", e.getMessage());
    await(closing);
    assertEquals(List.of("late closed"), events);
    assertEquals(NodeState.STOPPED, node.state());
    assertPortFree(port);
  }
}
