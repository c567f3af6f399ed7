package io.sluice.samples.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.samples.SampleTestBase;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web part of the channel-subscription sample: with {@code serve} the node stays up, keeps publishing,
 * prints the live page's address, and a browser's SockJS connection to the bridge receives the new
 * headlines of the channel it registered for.
 */
class ChannelLivePageTest extends SampleTestBase {

  private static final int RECORDS = 30;
  private static final Pattern LIVE_PAGE = Pattern.compile("live page: http://127\\.0\\.0\\.1:(\\d+)/ui/live\\.html\\?topic=sports");
  private static final Pattern HEADLINE = Pattern.compile("sports #(\\d+): .+");

  @Test
  void withServeTheLivePageShowsNewHeadlinesThroughTheBridge(@TempDir Path dataDir) throws Exception {
    ChannelReport report = ChannelSubscriptionSample.run(vertx,
        new ChannelSubscriptionSample.Settings(dataDir, RECORDS, 5, 0, 200, 30_000, true), out)
        .await(60, TimeUnit.SECONDS);
    assertTrue(report.proven(), output());
    Matcher address = LIVE_PAGE.matcher(output());
    assertTrue(address.find(), "prints the live page's address: " + output());
    int port = Integer.parseInt(address.group(1));

    HttpClientAgent http = vertx.createHttpClient();
    // The body is read before the client closes: a response cut off mid-way stays in flight on the node.
    HttpClientResponse page = http.request(HttpMethod.GET, port, "127.0.0.1", "/ui/live.html")
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> response)).await(10, TimeUnit.SECONDS);
    assertEquals(200, page.statusCode());
    http.close().await(10, TimeUnit.SECONDS);

    // What the page's event-bus client does, over the bridge's raw WebSocket endpoint.
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket socket = client.connect(port, "127.0.0.1", "/eventbus/websocket").await(10, TimeUnit.SECONDS);
    Promise<JsonObject> firstRecord = Promise.promise();
    // The bridge may write text or binary frames: read both as JSON.
    socket.handler(data -> {
      JsonObject frame = data.toJsonObject();
      if ("rec".equals(frame.getString("type"))) {
        firstRecord.tryComplete(frame.getJsonObject("body"));
      }
    });
    socket.writeTextMessage(new JsonObject().put("type", "register").put("address", "sluice.live.sports").encode());
    // The serve publisher adds a headline a second, the channels in turn: sports comes within a few seconds.
    JsonObject record = firstRecord.future().await(20, TimeUnit.SECONDS);
    client.close().await(10, TimeUnit.SECONDS);

    assertEquals("sports", record.getString("topic"));
    Matcher headline = HEADLINE.matcher(record.getString("value"));
    assertTrue(headline.matches(), record.encode());
    // A live view: a headline published after the run's, numbered after them.
    assertTrue(Integer.parseInt(headline.group(1)) > RECORDS, record.encode());
  }
}
