package io.sluice.broker.internal;

import static io.sluice.broker.testing.TestHttp.await;
import static io.sluice.broker.testing.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI document and the router agree: every mounted endpoint is documented, and every documented
 * operation is mounted. Route groups added later are checked by the same test without changes.
 */
@ExtendWith(VertxExtension.class)
class OpenApiRoutesTest {

  private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  /** {@code "GET /v1/topics/{topic}"} for every operation in the document. */
  @SuppressWarnings("unchecked")
  static Set<String> documented(String yaml) {
    Map<String, Object> doc = new Yaml().load(yaml);
    assertTrue(String.valueOf(doc.get("openapi")).startsWith("3."), "an OpenAPI 3 document");
    Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
    Set<String> out = new TreeSet<>();
    paths.forEach((path, item) -> ((Map<String, Object>) item).forEach((key, operation) -> {
      if (OPERATIONS.contains(key)) {
        Map<String, Object> op = (Map<String, Object>) operation;
        assertTrue(op.containsKey("responses"), key + " " + path + " documents its responses");
        out.add(key.toUpperCase(Locale.ROOT) + " " + path);
      }
    }));
    return out;
  }

  /** The same form for the router's endpoints ({@code :param} becomes {@code {param}}). */
  static Set<String> mounted(List<Route> routes) {
    Set<String> out = new TreeSet<>();
    for (Route route : routes) {
      if (HttpServerVerticle.isEndpoint(route)) {
        String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
        for (HttpMethod m : route.methods()) {
          out.add(m.name() + " " + path);
        }
      }
    }
    return out;
  }

  /** What differs, as readable lines; empty when the two agree. */
  static List<String> differences(Set<String> mounted, Set<String> documented) {
    List<String> out = new ArrayList<>();
    mounted.stream().filter(r -> !documented.contains(r)).forEach(r -> out.add(r + " is mounted but not in openapi.yaml"));
    documented.stream().filter(r -> !mounted.contains(r)).forEach(r -> out.add(r + " is in openapi.yaml but not mounted"));
    return out;
  }

  private static String resource() throws IOException {
    try (InputStream in = OpenApiRoutesTest.class.getResourceAsStream(HttpServerVerticle.OPENAPI_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedRouteExists(Vertx vertx) throws IOException {
    SluiceNodeImpl node = (SluiceNodeImpl) await(SluiceNodeImpl.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0)));
    try {
      Set<String> mounted = mounted(node.routes());
      assertTrue(mounted.contains("GET /health"), mounted.toString());
      assertEquals(List.of(), differences(mounted, documented(resource())));
      assertEquals(resource(), get(vertx, node.httpPort(), "/v1/openapi.yaml").body(), "the node serves the checked document");
    } finally {
      await(node.close());
    }
  }

  @Test
  void theCheckCatchesAnUndocumentedRouteAndAMissingOne(Vertx vertx) throws IOException {
    RouteGroup undocumented = router -> router.put("/v1/things/:thing").handler(ctx -> ctx.end());
    List<RouteGroup.Opener> openers = new ArrayList<>(SluiceNodeImpl.builtInGroups());
    openers.add(n -> Future.succeededFuture(undocumented));
    SluiceNodeImpl node = (SluiceNodeImpl) await(SluiceNodeImpl.start(vertx, new NodeOptions().setStore("memory").setHttpPort(0),
        openers));
    try {
      Set<String> documented = new TreeSet<>(documented(resource()));
      documented.add("DELETE /v1/ghosts/{ghost}");
      assertEquals(List.of("PUT /v1/things/{thing} is mounted but not in openapi.yaml",
          "DELETE /v1/ghosts/{ghost} is in openapi.yaml but not mounted"), differences(mounted(node.routes()), documented));
      assertFalse(mounted(node.routes()).stream().anyMatch(r -> r.contains("*")), "middleware is not counted");
    } finally {
      await(node.close());
    }
  }
}
