package io.sluice.broker.internal;

import io.sluice.broker.SecurityOptions;
import io.sluice.broker.SecurityOptions.Acl;
import io.sluice.broker.SecurityOptions.Operation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The node's security decisions, independent of HTTP: which principal a bearer token belongs to, whether a
 * principal may do an operation on a resource, and whether it is over its request rate. The HTTP handler,
 * the streams and the event-bus bridge all ask here, so one rule means the same on every entry point.
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual} against every known token,
 * without stopping at the first match, so neither the time taken nor an early exit tells an attacker how
 * much of a guess was right, or how long the real tokens are.
 *
 * <p>Thread-safe: the tables are immutable after construction; rate buckets are per principal and
 * synchronized.
 */
public final class AccessControl {

  /** The kinds of resource the ACLs name. */
  public enum ResourceType {
    TOPIC, QUEUE, GROUP;

    String prefix() {
      return name().toLowerCase(java.util.Locale.ROOT) + ":";
    }
  }

  private record Principal(String name, byte[] digest) {
  }

  private record Rule(String principal, Pattern resource, java.util.Set<Operation> operations) {
  }

  private final List<Principal> principals = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final double ratePerNano;
  private final int burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public AccessControl(SecurityOptions options) {
    for (Map.Entry<String, String> e : options.getTokens().entrySet()) {
      String token = e.getValue();
      byte[] digest = token.startsWith("sha256:") ? HexFormat.of().parseHex(token.substring(7).toLowerCase(java.util.Locale.ROOT)) : sha256(token);
      principals.add(new Principal(e.getKey(), digest));
    }
    for (Acl acl : options.getAcls()) {
      rules.add(new Rule(acl.principal(), glob(acl.resource()), acl.operations()));
    }
    ratePerNano = options.getRequestsPerSecond() / 1e9;
    burst = options.getBurst();
  }

  public boolean authEnabled() {
    return !principals.isEmpty();
  }

  /** The principal whose token this is, or {@code null}. Takes the same time whatever the answer. */
  public String authenticate(String token) {
    if (token == null) {
      return null;
    }
    byte[] presented = sha256(token);
    String found = null;
    for (Principal p : principals) {
      if (MessageDigest.isEqual(presented, p.digest()) && found == null) {
        found = p.name();
      }
    }
    return found;
  }

  /** Whether {@code principal} may do {@code op} on {@code type:name}. Denied unless a rule allows it. */
  public boolean allows(String principal, ResourceType type, String name, Operation op) {
    String resource = type.prefix() + name;
    for (Rule r : rules) {
      if (r.principal().equals(principal) && r.operations().contains(op) && r.resource().matcher(resource).matches()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code principal} may do anything at all to {@code type:name} (enough to describe it). */
  public boolean allowsAny(String principal, ResourceType type, String name) {
    for (Operation op : Operation.values()) {
      if (allows(principal, type, name, op)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Takes one request from {@code principal}'s bucket: 0 when allowed, else the nanoseconds until the next
   * request would be.
   */
  public long acquire(String principal, long nowNanos) {
    if (ratePerNano <= 0) {
      return 0;
    }
    return buckets.computeIfAbsent(principal, p -> new Bucket(burst, nowNanos)).take(nowNanos, ratePerNano, burst);
  }

  /** A token bucket: {@code burst} requests at once, refilled at the configured rate. */
  private static final class Bucket {
    private double tokens;
    private long last;

    Bucket(int burst, long now) {
      tokens = burst;
      last = now;
    }

    synchronized long take(long now, double ratePerNano, int burst) {
      tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / ratePerNano);
    }
  }

  /** {@code *} matches any run of characters; everything else is literal. */
  static Pattern glob(String pattern) {
    List<String> parts = new ArrayList<>();
    for (String part : pattern.split("\\*", -1)) {
      parts.add(Pattern.quote(part));
    }
    return Pattern.compile(String.join(".*", parts), Pattern.DOTALL);
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
