package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The targets' verdicts and the plot page, from figures made up for the purpose. */
class ReportTest {

  private static Figure figure(String scenario, String system, String durability, double perSec, Double p99) {
    Figure.Latency latency = p99 == null ? null : new Figure.Latency("send to ack", perSec / 2, p99 / 2, p99, p99 * 2, p99 * 3);
    return new Figure(scenario, system, durability, 100, 4, 1, new Stats(perSec, perSec * 0.9, perSec * 1.1), latency);
  }

  private static final List<Figure> FIGURES = List.of(
      figure(Report.NETWORKED_PRODUCE, "Sluice HTTP (node)", "acks=leader, fsync never", 300_000, 4.0),
      figure(Report.NETWORKED_PRODUCE, "Kafka 4.4.0 ProducerPerformance", KafkaPeer.DURABILITY, 100_000, 5.0),
      figure(Report.NETWORKED_CONSUME, "Sluice HTTP (node)", "acks=leader, fsync never", 50_000, null),
      figure(Report.NETWORKED_CONSUME, "Kafka 4.4.0 ConsumerPerformance", KafkaPeer.DURABILITY, 100_000, null),
      figure("raw event bus (clustered, 2 Vert.x over loopback TCP)", "Vert.x <event bus>", "none", 1_000_000, null));

  @Test
  void verdictsStateTheRatioAndWhetherEachTargetIsMet() {
    List<String> v = Report.verdicts(FIGURES);

    assertTrue(v.get(0).startsWith("100 B: networked topic produce") && v.get(0).contains("= 3.00× (target ≥ 2×): met"), v.get(0));
    assertTrue(v.get(1).contains("ratio 0.80 (target ≤ 1): met"), v.get(1));
    assertTrue(v.get(2).contains("= 0.50× (target ≥ 1×): MISSED"), v.get(2));
    assertTrue(v.get(3).contains("= 0.30× (target ≥ 0.5×): MISSED"), v.get(3));
    assertTrue(v.stream().anyMatch(l -> l.equals("1024 B: networked produce vs Kafka: not measured in this run")), v.toString());
  }

  @Test
  void pageIsSelfContainedWithBarsCurvesAndEscapedText() {
    String html = Report.html(new JsonObject().put("cores", 2), "method", "mvn ...", FIGURES, Report.verdicts(FIGURES));

    assertFalse(html.contains("<script"), "no script");
    assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"), "no external file");
    assertEquals(3 + 1, html.split("<svg ", -1).length - 1, "a bar chart per scenario and size (3) and a latency chart (produce)");
    assertTrue(html.contains("<polyline"), "latency curves");
    assertTrue(html.contains("Vert.x &lt;event bus&gt;"), "text is escaped");
  }

  @Test
  void eachPlotOfThePageIsAlsoAnSvgFileNamedAfterItsScenario() {
    java.util.Map<String, String> files = Report.svgFiles(FIGURES);
    assertEquals(java.util.Set.of("throughput-topic-produce-networked-100-b.svg", "throughput-topic-consume-networked-100-b.svg",
        "throughput-raw-event-bus-clustered-2-vert-x-over-loopback-tcp-100-b.svg", "latency-topic-produce-networked-100-b.svg"),
        files.keySet());
    files.values().forEach(svg -> assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.trim().endsWith("</svg>"), svg));
    assertTrue(files.get("latency-topic-produce-networked-100-b.svg").contains("<polyline"), "latency curves");
  }

  @Test
  void figuresSurviveTheirJson() {
    for (Figure f : FIGURES) {
      assertEquals(f, Figure.fromJson(f.toJson()));
    }
  }
}
