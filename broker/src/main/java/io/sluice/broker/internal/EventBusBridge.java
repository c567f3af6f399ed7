package io.sluice.broker.internal;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.sluice.broker.SecurityOptions.Operation;
import io.sluice.api.Header;
import io.sluice.api.HeaderLimits;
import io.sluice.api.Names;
import io.sluice.api.SluiceException;
import io.sluice.broker.NodeOptions;
import io.sluice.topic.Bridge;
import io.sluice.topic.ConsumerOptions;
import io.sluice.topic.OffsetReset;
import io.sluice.topic.ProducerOptions;
import io.sluice.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/*
 * Live topics for browsers, and why feeds start and stop with the browsers.
 *
 * A browser speaks to the node's event bus through the SockJS bridge at /eventbus, which lets it receive
 * from the outbound addresses and send to the inbound ones that the node's settings permit. Nothing
 * publishes to sluice.live.<topic> by itself: a feed (a topic-mode bridge, Topics.bridgeToAddress, reading
 * every partition from its end) is started when the first browser registers for the address, shared by
 * every later one, and closed when the last one unregisters or goes away. So a node with no browser
 * watching a topic reads nothing for them, and a browser sees records produced after it registered (a
 * live view, not a replay: the group routes and SSE are for complete delivery).
 *
 * The bridge's hooks carry this: REGISTER starts or joins the feed (the registration is refused when the
 * topic does not exist), UNREGISTER and SOCKET_CLOSED leave it (a socket's registrations are tracked as a
 * set, so a repeated register or a close after an unregister never counts twice). RECEIVE rewrites each
 * delivered message into the record object the HTTP poll route answers (the feed publishes the value as
 * bytes, with the coordinates as headers), and drops it for a browser whose socket's write queue is full:
 * the event bus has no back-pressure, so a slow browser misses records instead of growing the heap.
 *
 * Inbound, only when configured: a message a browser sends or publishes to a permitted sluice.in.<topic>
 * is appended to the topic by a topic-mode bridge (Topics.bridgeFromAddress) started on first use; a send
 * with a reply handler gets {"partition","offset"} back.
 */

/**
 * The SockJS event-bus bridge at {@code /eventbus}: permitted addresses from {@link NodeOptions}, live
 * topic feeds on {@code sluice.live.<topic>}, optional inbound appends on {@code sluice.in.<topic>} (see
 * the comment at the top of this file).
 *
 * <p>Thread-safe: the bridge's hooks run on the HTTP server's event loop, {@link #close()} on any thread;
 * the feed tables are guarded by this object.
 */
final class EventBusBridge {

  static final String LIVE_PREFIX = "sluice.live.";
  static final String INBOUND_PREFIX = "sluice.in.";

  private static final Logger LOG = System.getLogger(EventBusBridge.class.getName());
  /** Refusals on the bridge go to the audit logger (the file writer belongs to the HTTP server). */
  private static final AuditLog AUDIT = AuditLog.loggerOnly();
  /** The feed's own headers (topic-mode's Bridge); the others are the record's headers. */
  private static final String HEADER_PREFIX = "sluice.";

  /** One live topic: its forwarding bridge (starting or started) and how many sockets listen. */
  private static final class Feed {
    final Future<Bridge> bridge;
    int listeners;

    Feed(Future<Bridge> bridge) {
      this.bridge = bridge;
    }
  }

  private final Vertx vertx;
  private final Topics topics;
  private final List<Pattern> outbound;
  private final List<Pattern> inbound;
  private final SockJSBridgeOptions options = new SockJSBridgeOptions();
  private final Map<String, Feed> feeds = new HashMap<>();
  private final Map<SockJSSocket, Set<String>> listening = new HashMap<>();
  private final Map<String, Future<Bridge>> appenders = new HashMap<>();
  private final AccessControl access;
  private final HeaderLimits headerLimits;
  private boolean closed;

  EventBusBridge(Vertx vertx, Topics topics, NodeOptions node) {
    this.vertx = vertx;
    this.topics = topics;
    this.outbound = node.getBridgeOutbound().stream().map(Pattern::compile).toList();
    this.inbound = node.getBridgeInbound().stream().map(Pattern::compile).toList();
    this.access = new AccessControl(node.getSecurity());
    this.headerLimits = node.getHeaderLimits();
    node.getBridgeOutbound().forEach(p -> options.addOutboundPermitted(new PermittedOptions().setAddressRegex(p)));
    node.getBridgeInbound().forEach(p -> options.addInboundPermitted(new PermittedOptions().setAddressRegex(p)));
  }

  /** The SockJS routes, to mount under {@code /eventbus/*}. */
  Router router() {
    return SockJSHandler.create(vertx).bridge(options, this::onEvent);
  }

  /** Topics with a running or starting feed: for tests. */
  synchronized Set<String> liveTopics() {
    return Set.copyOf(feeds.keySet());
  }

  /** Stops every feed and appender. */
  Future<Void> close() {
    List<Future<Bridge>> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      feeds.values().forEach(f -> all.add(f.bridge));
      all.addAll(appenders.values());
      feeds.clear();
      appenders.clear();
      listening.clear();
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (Future<Bridge> b : all) {
      closing.add(b.transform(ar -> ar.succeeded() ? ar.result().close() : Future.succeededFuture()));
    }
    return Future.join(closing).mapEmpty();
  }

  private void onEvent(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    String address = raw == null ? null : raw.getString("address");
    switch (event.type()) {
      case REGISTER -> {
        String topic = topicOf(address, LIVE_PREFIX, outbound);
        if (topic != null && !permits(event.socket(), topic, Operation.CONSUME)) {
          event.complete(false);
        } else if (topic == null) {
          event.complete(true);
        } else {
          listen(event.socket(), topic).onComplete(ar -> event.complete(ar.succeeded()));
        }
      }
      case UNREGISTER -> {
        String topic = topicOf(address, LIVE_PREFIX, outbound);
        if (topic != null) {
          leave(event.socket(), topic);
        }
        event.complete(true);
      }
      case SOCKET_CLOSED -> {
        leaveAll(event.socket());
        event.complete(true);
      }
      case RECEIVE -> event.complete(deliver(event.socket(), raw));
      case SEND, PUBLISH -> {
        String topic = topicOf(address, INBOUND_PREFIX, inbound);
        if (!headersWithinLimits(event.socket(), address, raw)) {
          event.complete(false);
        } else if (topic != null && !permits(event.socket(), topic, Operation.PRODUCE)) {
          event.complete(false);
        } else if (topic == null) {
          event.complete(true);
        } else {
          appender(topic).onComplete(ar -> event.complete(ar.succeeded()));
        }
      }
      default -> event.complete(true);
    }
  }

  /**
   * The node's header limits on what a browser sends, whatever the address: its headers become the
   * record's or message's headers. A frame whose headers are not an object is left to the bridge, which
   * refuses it. A refusal is audited like a denied request.
   */
  private boolean headersWithinLimits(SockJSSocket socket, String address, JsonObject raw) {
    if (raw == null || !(raw.getValue("headers") instanceof JsonObject headers)) {
      return true;
    }
    List<Header> list = new ArrayList<>(Math.min(headers.size(), headerLimits.maxHeaders() + 1));
    for (Map.Entry<String, Object> h : headers) {
      list.add(Header.of(h.getKey(), String.valueOf(h.getValue())));
      if (list.size() > headerLimits.maxHeaders()) {
        break;
      }
    }
    try {
      headerLimits.check(list);
      return true;
    } catch (SluiceException e) {
      AUDIT.record("denied", null, "BRIDGE", String.valueOf(address), e.code().httpStatus(),
          socket.remoteAddress() == null ? null : socket.remoteAddress().hostAddress(), e.code().code());
      return false;
    }
  }

  /**
   * With authentication on, the same rules as over HTTP: a live feed needs {@code consume} on its topic, an
   * inbound address {@code produce}. The socket's token came as {@code ?access_token=} (the HTTP handler
   * already refused the connection without a valid one); it is looked up again here, per event, because the
   * bridge's events carry the socket, not the request that opened it.
   */
  private boolean permits(SockJSSocket socket, String topic, Operation op) {
    if (!access.authEnabled()) {
      return true;
    }
    String token = new QueryStringDecoder(socket.uri()).parameters().getOrDefault("access_token", List.of()).stream().findFirst().orElse(null);
    String principal = access.authenticate(token);
    boolean allowed = principal != null && access.allows(principal, AccessControl.ResourceType.TOPIC, topic, op);
    if (!allowed) {
      AUDIT.record("denied", principal, "BRIDGE", (op == Operation.CONSUME ? LIVE_PREFIX : INBOUND_PREFIX) + topic, 403,
          socket.remoteAddress() == null ? null : socket.remoteAddress().hostAddress(), "forbidden");
    }
    return allowed;
  }

  /**
   * The topic of {@code prefix + topic} when the address is permitted by {@code patterns} and names a
   * valid topic; otherwise null (the bridge's own checks then decide about the address).
   */
  private static String topicOf(String address, String prefix, List<Pattern> patterns) {
    if (address == null || !address.startsWith(prefix) || patterns.stream().noneMatch(p -> p.matcher(address).matches())) {
      return null;
    }
    String topic = address.substring(prefix.length());
    try {
      return Names.validate("topic", topic);
    } catch (SluiceException e) {
      return null;
    }
  }

  private synchronized Future<Void> listen(SockJSSocket socket, String topic) {
    if (closed) {
      return Future.failedFuture("the node is stopping");
    }
    Set<String> mine = listening.computeIfAbsent(socket, s -> new HashSet<>());
    Feed feed = feeds.get(topic);
    if (!mine.add(topic)) {
      return feed.bridge.mapEmpty();
    }
    if (feed == null) {
      Future<Bridge> started = topics.bridgeToAddress(topic, LIVE_PREFIX + topic,
          new ConsumerOptions().setClientId("live-" + topic).setAutoOffsetReset(OffsetReset.LATEST));
      Feed created = new Feed(started);
      feeds.put(topic, created);
      feed = created;
      started.onFailure(e -> LOG.log(Level.DEBUG, "no live feed for topic '" + topic + "'", e));
    }
    feed.listeners++;
    Feed joined = feed;
    return feed.bridge.<Void>mapEmpty().onFailure(e -> leave(socket, topic, joined));
  }

  private synchronized void leave(SockJSSocket socket, String topic) {
    Feed feed = feeds.get(topic);
    if (feed != null) {
      leave(socket, topic, feed);
    }
  }

  private synchronized void leave(SockJSSocket socket, String topic, Feed feed) {
    Set<String> mine = listening.get(socket);
    if (mine == null || !mine.remove(topic)) {
      return;
    }
    if (mine.isEmpty()) {
      listening.remove(socket);
    }
    if (--feed.listeners == 0 && feeds.remove(topic, feed)) {
      feed.bridge.onSuccess(Bridge::close);
    }
  }

  private synchronized void leaveAll(SockJSSocket socket) {
    Set<String> mine = listening.get(socket);
    if (mine != null) {
      for (String topic : List.copyOf(mine)) {
        leave(socket, topic);
      }
    }
  }

  /**
   * Turns a feed message into the record object of the HTTP API, in place (the bridge writes the same
   * envelope); false drops it for a socket that cannot keep up.
   */
  private static boolean deliver(SockJSSocket socket, JsonObject envelope) {
    String address = envelope.getString("address");
    if (address == null || !address.startsWith(LIVE_PREFIX)) {
      return true;
    }
    if (socket.writeQueueFull()) {
      return false;
    }
    JsonObject headers = envelope.getJsonObject("headers", new JsonObject());
    // getBuffer: the body is the value's bytes (getValue would hand them back as base64 text).
    Buffer value = envelope.getBuffer("body");
    JsonObject record = new JsonObject()
        .put("topic", headers.getString(HEADER_PREFIX + "topic"))
        .put("partition", parse(headers, "partition"))
        .put("offset", parse(headers, "offset"))
        .put("timestamp", parse(headers, "timestamp"))
        .put("key", headers.getString(HEADER_PREFIX + "key"));
    JsonFields.putBytes(record, "value", value);
    JsonObject own = new JsonObject();
    headers.forEach(h -> {
      if (!h.getKey().startsWith(HEADER_PREFIX)) {
        own.put(h.getKey(), h.getValue());
      }
    });
    record.put("headers", own);
    envelope.remove("headers");
    envelope.put("body", record);
    return true;
  }

  private static Long parse(JsonObject headers, String name) {
    String v = headers.getString(HEADER_PREFIX + name);
    try {
      return v == null ? null : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private synchronized Future<Bridge> appender(String topic) {
    if (closed) {
      return Future.failedFuture("the node is stopping");
    }
    Future<Bridge> existing = appenders.get(topic);
    if (existing != null && !existing.failed()) {
      return existing;
    }
    Future<Bridge> started = topics.bridgeFromAddress(INBOUND_PREFIX + topic, topic,
        new ProducerOptions().setClientId("browser-" + topic).setLingerMs(0));
    appenders.put(topic, started);
    return started;
  }
}
