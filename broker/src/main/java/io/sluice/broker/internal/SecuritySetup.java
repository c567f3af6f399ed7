package io.sluice.broker.internal;

import io.sluice.api.InvalidArgumentException;
import io.sluice.broker.NodeOptions;
import io.sluice.broker.SecurityOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The node's security settings at start: reading the security file, refusing an unsafe combination, and
 * turning the TLS settings into server options.
 *
 * <p>Stateless. {@link #readFile} reads a file: call it off any event loop (the launcher does).
 */
public final class SecuritySetup {

  private SecuritySetup() {
  }

  /** Reads a security file (see {@link SecurityOptions}); every problem is one clear line. */
  public static SecurityOptions readFile(String file) {
    String text;
    try {
      text = Files.readString(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new InvalidArgumentException("cannot read security file '" + file + "': " + e.getMessage(), e);
    }
    try {
      return SecurityOptions.fromJson(new JsonObject(text));
    } catch (DecodeException e) {
      throw new InvalidArgumentException("security file '" + file + "' is not a JSON object", e);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException("security file '" + file + "': " + e.getMessage(), e);
    }
  }

  /**
   * Refuses settings a node must not start with: authentication off on a non-loopback address (unless
   * allowed explicitly), and half a TLS configuration.
   */
  public static void checkStartable(NodeOptions options) {
    if (!options.getSecurity().isAuthEnabled() && !options.isAllowInsecure() && !isLoopback(options.getHttpHost())) {
      throw new InvalidArgumentException("refusing to serve " + options.getHttpHost()
          + " without authentication: anyone who reaches it could read and delete everything. Configure tokens"
          + " (--security-file), or bind 127.0.0.1, or pass --allow-insecure if the network is trusted");
    }
    boolean clusterTls = options.getClusterTlsCertPath() != null || options.getClusterTlsKeyStorePath() != null;
    if (options.isCluster() && !clusterTls && !options.isAllowInsecure() && !isLoopback(options.getClusterHost())) {
      throw new InvalidArgumentException("refusing to run the cluster transport on " + options.getClusterHost()
          + " in plain text: anyone who reaches it could read and inject records. Configure --cluster-tls-cert/--cluster-tls-key"
          + " (or --cluster-tls-keystore), or bind 127.0.0.1, or pass --allow-insecure if the network is trusted");
    }
    boolean pem = options.getTlsCertPath() != null || options.getTlsKeyPath() != null;
    if (pem && (options.getTlsCertPath() == null || options.getTlsKeyPath() == null)) {
      throw new InvalidArgumentException("TLS with PEM files needs both --tls-cert and --tls-key");
    }
    if (pem && options.getTlsKeyStorePath() != null) {
      throw new InvalidArgumentException("give TLS either as PEM files (--tls-cert/--tls-key) or as a key store (--tls-keystore), not both");
    }
    for (String f : new String[] {options.getTlsCertPath(), options.getTlsKeyPath(), options.getTlsKeyStorePath()}) {
      if (f != null && !Files.isReadable(Path.of(f))) {
        throw new InvalidArgumentException("TLS file '" + f + "' does not exist or is not readable");
      }
    }
  }

  /**
   * Whether {@code host} is a loopback address, decided without a DNS lookup (this may run on an event
   * loop): {@code localhost} and loopback IP literals are; any other name counts as reachable from outside.
   */
  static boolean isLoopback(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    boolean literal = h.matches("[0-9.]+") || h.contains(":");
    if (!literal) {
      return false;
    }
    try {
      return InetAddress.getByName(h.startsWith("[") ? h.substring(1, h.length() - 1) : h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The HTTP server options with TLS on when a certificate is configured. */
  static HttpServerOptions withTls(HttpServerOptions server, NodeOptions options) {
    if (options.getTlsCertPath() != null) {
      server.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(options.getTlsCertPath())
          .setKeyPath(options.getTlsKeyPath()));
    } else if (options.getTlsKeyStorePath() != null) {
      String path = options.getTlsKeyStorePath();
      server.setSsl(true).setKeyCertOptions(path.toLowerCase(Locale.ROOT).endsWith(".jks")
          ? new JksOptions().setPath(path).setPassword(options.getTlsKeyStorePassword())
          : new PfxOptions().setPath(path).setPassword(options.getTlsKeyStorePassword()));
    }
    return server;
  }
}
