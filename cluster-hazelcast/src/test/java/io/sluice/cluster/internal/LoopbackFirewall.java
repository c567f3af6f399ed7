package io.sluice.cluster.internal;

import com.hazelcast.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;

/**
 * A network split on loopback, for Hazelcast members in one JVM. Every member advertises a proxy port (its
 * Hazelcast public address) instead of its bind port, and opens its outbound connections from a port range
 * of its own; so every member-to-member connection passes through the proxy of the member it goes to, which
 * knows from the source port which member it comes from. {@link #isolate} cuts the open connections between
 * the isolated members and the others and refuses new ones until {@link #heal}. Only Hazelcast's traffic
 * passes here (membership, heartbeats, metadata); the Vert.x event bus connects directly, but routes by
 * Hazelcast's membership, so each side stops addressing the other.
 *
 * <p>Thread-safe: a daemon thread accepts per member and two copy threads run per connection.
 */
final class LoopbackFirewall implements AutoCloseable {

  private static final int RANGE = 16;
  private static final String HOST = "127.0.0.1";

  private record Link(int from, int to, Socket in, Socket out) {
    void close() {
      closeQuietly(in);
      closeQuietly(out);
    }
  }

  private final IntUnaryOperator bindPort;
  private final List<ServerSocket> proxies = new ArrayList<>();
  private final int[] outboundBase;
  private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** A proxy per member {@code 0..members-1}; {@code bindPort} says where member i's Hazelcast listens now. */
  LoopbackFirewall(int members, IntUnaryOperator bindPort) {
    this.bindPort = bindPort;
    this.outboundBase = new int[members];
    try {
      for (int i = 0; i < members; i++) {
        proxies.add(new ServerSocket(0, 50, InetAddress.getByName(HOST)));
        outboundBase[i] = freeRange();
        int to = i;
        Thread t = new Thread(() -> accept(to), "firewall-" + i);
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Member {@code i} advertises its proxy and connects out from its own ports. */
  Config configure(int i, Config config) {
    config.getNetworkConfig().setPublicAddress(HOST + ":" + publicPort(i));
    config.getNetworkConfig().addOutboundPortDefinition(outboundBase[i] + "-" + (outboundBase[i] + RANGE - 1));
    return config;
  }

  int publicPort(int i) {
    return proxies.get(i).getLocalPort();
  }

  /** Splits {@code members} from the others: their connections are cut and new ones refused. */
  void isolate(int... members) {
    for (int m : members) {
      isolated.add(m);
    }
    for (Link l : links) {
      if (blocked(l.from(), l.to())) {
        links.remove(l);
        l.close();
      }
    }
  }

  void heal() {
    isolated.clear();
  }

  private boolean blocked(int from, int to) {
    return isolated.contains(from) != isolated.contains(to);
  }

  private int memberAt(int sourcePort) {
    for (int i = 0; i < outboundBase.length; i++) {
      if (sourcePort >= outboundBase[i] && sourcePort < outboundBase[i] + RANGE) {
        return i;
      }
    }
    return -1;
  }

  private void accept(int to) {
    ServerSocket server = proxies.get(to);
    while (!closed) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      int from = memberAt(in.getPort());
      if (from < 0 || blocked(from, to)) {
        closeQuietly(in);
        continue;
      }
      try {
        Socket out = new Socket(HOST, bindPort.applyAsInt(to));
        Link link = new Link(from, to, in, out);
        links.add(link);
        if (blocked(from, to)) { // isolate() ran while this link was being made: it would have missed it
          links.remove(link);
          link.close();
          continue;
        }
        pump(link, in, out);
        pump(link, out, in);
      } catch (IOException e) {
        closeQuietly(in);
      }
    }
  }

  private void pump(Link link, Socket src, Socket dst) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      try (InputStream is = src.getInputStream(); OutputStream os = dst.getOutputStream()) {
        int n;
        while ((n = is.read(buf)) >= 0) {
          os.write(buf, 0, n);
        }
      } catch (IOException e) {
        // the link was cut or closed: nothing to report
      } finally {
        links.remove(link);
        link.close();
      }
    }, "firewall-link");
    t.setDaemon(true);
    t.start();
  }

  /** A run of RANGE free ports, for a member's outbound connections. */
  private static int freeRange() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
      boolean free = true;
      for (int p = base; p < base + RANGE && free; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName(HOST))) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no free run of " + RANGE + " ports");
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ServerSocket s : proxies) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }
    links.forEach(Link::close);
    links.clear();
  }
}
