package io.sluice.broker;

import io.sluice.api.InvalidArgumentException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who may use a node and how much: bearer tokens (one principal each), access rules per topic, queue and
 * group, and a request-rate limit per principal. Empty (the default) means authentication is off, which a
 * node accepts only while its HTTP API listens on a loopback address.
 *
 * <p>The standalone node reads these from a JSON file ({@code --security-file}):
 * <pre>{@code
 * {
 *   "tokens": { "orders-app": "sha256:9f86d0...", "ops": "a-long-random-token" },
 *   "acls": [
 *     { "principal": "orders-app", "resource": "queue:orders*", "operations": ["produce", "consume"] },
 *     { "principal": "ops",        "resource": "*",             "operations": ["admin", "produce", "consume"] }
 *   ],
 *   "rateLimit": { "requestsPerSecond": 500, "burst": 1000 }
 * }
 * }</pre>
 * A token is given in clear or as {@code sha256:<hex>} of the clear token (so the file need not hold
 * secrets). A resource is {@code topic:<name>}, {@code queue:<name>} or {@code group:<name>}, where
 * {@code *} in the name (or the whole resource) matches any characters.
 *
 * <p>Not thread-safe while being built; the node keeps its own copy.
 */
public final class SecurityOptions {

  /** What a rule lets a principal do to a resource. */
  public enum Operation {
    /** Send records to a topic, messages to a queue. */
    PRODUCE,
    /** Read a topic, join and poll a group, receive and settle from a queue. */
    CONSUME,
    /** Create, delete and purge topics and queues; describe anything. */
    ADMIN;

    static Operation parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidArgumentException("unknown operation '" + s + "' (known: produce, consume, admin)", e);
      }
    }
  }

  /** One access rule: {@code principal} may do {@code operations} on resources matching {@code resource}. */
  public record Acl(String principal, String resource, Set<Operation> operations) {
    public Acl {
      if (principal == null || principal.isBlank()) {
        throw new InvalidArgumentException("an ACL needs a principal");
      }
      checkResource(resource);
      if (operations == null || operations.isEmpty()) {
        throw new InvalidArgumentException("the ACL for '" + principal + "' on '" + resource + "' names no operation");
      }
      operations = Collections.unmodifiableSet(EnumSet.copyOf(operations));
    }
  }

  private final Map<String, String> tokens = new LinkedHashMap<>();
  private final List<Acl> acls = new ArrayList<>();
  private double requestsPerSecond;
  private int burst;

  public SecurityOptions() {
  }

  public SecurityOptions(SecurityOptions other) {
    tokens.putAll(other.tokens);
    acls.addAll(other.acls);
    requestsPerSecond = other.requestsPerSecond;
    burst = other.burst;
  }

  /** Reads the JSON form shown in the class comment; unknown keys and bad values are refused. */
  public static SecurityOptions fromJson(JsonObject json) {
    SecurityOptions o = new SecurityOptions();
    for (String key : json.fieldNames()) {
      if (!Set.of("tokens", "acls", "rateLimit").contains(key)) {
        throw new InvalidArgumentException("unknown key '" + key + "' (known: tokens, acls, rateLimit)");
      }
    }
    JsonObject tokens = object(json, "tokens");
    if (tokens != null) {
      for (String principal : tokens.fieldNames()) {
        if (!(tokens.getValue(principal) instanceof String token)) {
          throw new InvalidArgumentException("the token of '" + principal + "' must be a string");
        }
        o.addToken(principal, token);
      }
    }
    Object acls = json.getValue("acls");
    if (acls != null) {
      if (!(acls instanceof JsonArray array)) {
        throw new InvalidArgumentException("'acls' must be an array");
      }
      for (Object entry : array) {
        if (!(entry instanceof JsonObject acl)) {
          throw new InvalidArgumentException("each ACL must be an object");
        }
        o.addAcl(acl.getString("principal"), acl.getString("resource"), operations(acl));
      }
    }
    JsonObject rate = object(json, "rateLimit");
    if (rate != null) {
      Number rps = rate.getNumber("requestsPerSecond");
      Number burst = rate.getNumber("burst");
      if (rps == null) {
        throw new InvalidArgumentException("rateLimit needs requestsPerSecond");
      }
      o.setRateLimit(rps.doubleValue(), burst == null ? (int) Math.ceil(rps.doubleValue()) : burst.intValue());
    }
    return o;
  }

  /**
   * Adds a principal's bearer token, in clear or as {@code sha256:<64 hex digits>}. Clear tokens must be at
   * least 16 characters: shorter ones can be guessed.
   */
  public SecurityOptions addToken(String principal, String token) {
    if (principal == null || principal.isBlank()) {
      throw new InvalidArgumentException("a token needs a principal name");
    }
    if (token == null) {
      throw new InvalidArgumentException("the token of '" + principal + "' is missing");
    }
    if (token.startsWith("sha256:")) {
      if (!token.substring(7).matches("[0-9a-fA-F]{64}")) {
        throw new InvalidArgumentException("the token of '" + principal + "' is 'sha256:' but not followed by 64 hex digits");
      }
    } else if (token.length() < 16) {
      throw new InvalidArgumentException("the token of '" + principal + "' is shorter than 16 characters");
    }
    if (tokens.containsValue(token)) {
      throw new InvalidArgumentException("two principals have the same token");
    }
    tokens.put(principal, token);
    return this;
  }

  public SecurityOptions addAcl(String principal, String resource, Set<Operation> operations) {
    acls.add(new Acl(principal, resource, operations));
    return this;
  }

  /**
   * Limits each principal to {@code requestsPerSecond} on average with bursts of {@code burst}; more get 429
   * with {@code Retry-After}. Zero (the default) means no limit.
   */
  public SecurityOptions setRateLimit(double requestsPerSecond, int burst) {
    if (!(requestsPerSecond > 0) || burst < 1) {
      throw new InvalidArgumentException("a rate limit needs requestsPerSecond > 0 and burst >= 1");
    }
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
    return this;
  }

  /** Principal → token (clear or {@code sha256:}). */
  public Map<String, String> getTokens() {
    return Collections.unmodifiableMap(tokens);
  }

  public List<Acl> getAcls() {
    return Collections.unmodifiableList(acls);
  }

  public double getRequestsPerSecond() {
    return requestsPerSecond;
  }

  public int getBurst() {
    return burst;
  }

  /** Authentication is on as soon as there is a token. */
  public boolean isAuthEnabled() {
    return !tokens.isEmpty();
  }

  @Override
  public String toString() {
    // Never the tokens.
    return "SecurityOptions{principals=" + tokens.keySet() + ", acls=" + acls.size() + ", requestsPerSecond=" + requestsPerSecond + "}";
  }

  private static void checkResource(String resource) {
    if (resource == null || resource.isBlank()) {
      throw new InvalidArgumentException("an ACL needs a resource (topic:<name>, queue:<name>, group:<name> or *)");
    }
    if (resource.equals("*")) {
      return;
    }
    int colon = resource.indexOf(':');
    String type = colon < 0 ? "" : resource.substring(0, colon);
    if (!Set.of("topic", "queue", "group").contains(type) || colon == resource.length() - 1) {
      throw new InvalidArgumentException("bad resource '" + resource + "' (use topic:<name>, queue:<name>, group:<name> or *; '*' in a name is a wildcard)");
    }
  }

  private static Set<Operation> operations(JsonObject acl) {
    Object ops = acl.getValue("operations");
    if (!(ops instanceof JsonArray array) || array.isEmpty()) {
      throw new InvalidArgumentException("each ACL needs a non-empty 'operations' array");
    }
    Set<Operation> out = EnumSet.noneOf(Operation.class);
    for (Object op : array) {
      out.add(Operation.parse(String.valueOf(op)));
    }
    return out;
  }

  private static JsonObject object(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw new InvalidArgumentException("'" + key + "' must be an object");
    }
    return o;
  }
}
