package io.sluice.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.SecurityOptions;
import io.sluice.broker.SecurityOptions.Operation;
import io.sluice.broker.internal.AccessControl.ResourceType;
import io.sluice.broker.internal.SecurityHandler.Target;
import io.vertx.core.http.HttpMethod;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules without HTTP: token lookup, wildcard matching, deny by default, the bucket, path classification. */
class AccessControlTest {

  private final AccessControl access = new AccessControl(new SecurityOptions()
      .addToken("a", "token-of-principal-a")
      .addToken("b", "token-of-principal-b-longer")
      .addAcl("a", "topic:logs.*", Set.of(Operation.CONSUME))
      .addAcl("a", "queue:*-jobs", Set.of(Operation.PRODUCE))
      .addAcl("b", "*", Set.of(Operation.ADMIN))
      .setRateLimit(10, 2));

  @Test
  void tokensMapToTheirPrincipalAndNothingElseMatches() {
    assertEquals("a", access.authenticate("token-of-principal-a"));
    assertEquals("b", access.authenticate("token-of-principal-b-longer"));
    assertNull(access.authenticate("token-of-principal-"));
    assertNull(access.authenticate("token-of-principal-a "));
    assertNull(access.authenticate(""));
    assertNull(access.authenticate(null));
  }

  @Test
  void wildcardsMatchAnyRunOfCharactersAndEverythingElseIsDenied() {
    assertTrue(access.allows("a", ResourceType.TOPIC, "logs.app", Operation.CONSUME));
    assertTrue(access.allows("a", ResourceType.TOPIC, "logs.", Operation.CONSUME));
    assertFalse(access.allows("a", ResourceType.TOPIC, "logsXapp", Operation.CONSUME), "'.' is literal, not a regex");
    assertFalse(access.allows("a", ResourceType.TOPIC, "logs.app", Operation.PRODUCE));
    assertFalse(access.allows("a", ResourceType.QUEUE, "logs.app", Operation.CONSUME), "the type is part of the resource");
    assertTrue(access.allows("a", ResourceType.QUEUE, "night-jobs", Operation.PRODUCE));
    assertFalse(access.allows("a", ResourceType.QUEUE, "night-jobs2", Operation.PRODUCE));
    assertTrue(access.allows("b", ResourceType.GROUP, "anything", Operation.ADMIN));
    assertFalse(access.allows("b", ResourceType.GROUP, "anything", Operation.CONSUME));
    assertFalse(access.allows("c", ResourceType.TOPIC, "logs.app", Operation.CONSUME), "no rule, no access");
    assertTrue(access.allowsAny("a", ResourceType.TOPIC, "logs.x"));
  }

  @Test
  void theBucketAllowsABurstThenRefillsAtTheRate() {
    long t = 1_000_000_000L;
    assertEquals(0, access.acquire("a", t));
    assertEquals(0, access.acquire("a", t));
    long wait = access.acquire("a", t);
    assertEquals(100_000_000L, wait, 1_000, "one request per 100 ms at 10/s");
    assertEquals(0, access.acquire("a", t + wait));
    assertEquals(0, access.acquire("b", t), "each principal has its own bucket");
  }

  @Test
  void pathsAreClassifiedByResourceAndOperation() {
    assertEquals(Target.OPEN, SecurityHandler.classify(HttpMethod.GET, "/health"));
    assertEquals(Target.OPEN, SecurityHandler.classify(HttpMethod.GET, "/ui/live.html"));
    assertEquals(Target.TOKEN, SecurityHandler.classify(HttpMethod.GET, "/v1/topics"));
    assertEquals(Target.TOKEN, SecurityHandler.classify(HttpMethod.GET, "/metrics"));
    assertEquals(Target.TOKEN, SecurityHandler.classify(HttpMethod.GET, "/v1/topics/%zz"));
    assertEquals(new Target(false, ResourceType.TOPIC, "a/b", Operation.ADMIN), SecurityHandler.classify(HttpMethod.PUT, "/v1/topics/a%2Fb"));
    assertEquals(new Target(false, ResourceType.TOPIC, "t", null), SecurityHandler.classify(HttpMethod.GET, "/v1/topics/t"));
    assertEquals(new Target(false, ResourceType.TOPIC, "t", Operation.PRODUCE), SecurityHandler.classify(HttpMethod.POST, "/v1/topics/t/records"));
    assertEquals(new Target(false, ResourceType.TOPIC, "t", Operation.CONSUME), SecurityHandler.classify(HttpMethod.GET, "/v1/topics/t/partitions/0/records"));
    assertEquals(new Target(false, ResourceType.TOPIC, "t", Operation.ADMIN), SecurityHandler.classify(HttpMethod.POST, "/v1/topics/t/whatever"));
    assertEquals(new Target(false, ResourceType.QUEUE, "q", Operation.CONSUME), SecurityHandler.classify(HttpMethod.POST, "/v1/queues/q/ack"));
    assertEquals(new Target(false, ResourceType.QUEUE, "q", Operation.PRODUCE), SecurityHandler.classify(HttpMethod.POST, "/v1/queues/q/messages"));
    assertEquals(new Target(false, ResourceType.GROUP, "g", Operation.CONSUME), SecurityHandler.classify(HttpMethod.GET, "/v1/groups/g/members/m/stream"));
  }
}
