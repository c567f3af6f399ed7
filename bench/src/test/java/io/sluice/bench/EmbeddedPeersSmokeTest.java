package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-JVM peers with tiny counts: Hazelcast's Ringbuffer and the raw event bus, local and clustered. */
class EmbeddedPeersSmokeTest {

  @Test
  void ringbufferMeasuresProduceConsumeAndLatency() throws Exception {
    List<Figure> figures = new RingbufferPeer(1, 200).measure(List.of(100), List.of(5_000L));

    assertEquals(List.of("topic produce (embedded)", "topic consume (embedded)"),
        figures.stream().map(Figure::scenario).toList());
    for (Figure f : figures) {
      assertTrue(f.rate().median() > 0, f.toString());
    }
    Figure.Latency latency = figures.get(0).latency();
    assertTrue(latency.offeredPerSec() > 0 && latency.maxMs() >= latency.p50Ms(), latency.toString());
  }

  @Test
  void eventBusMeasuresLocalAndClustered() throws Exception {
    List<Figure> figures = new EventBusPeer(1).measure(List.of(1024), List.of(5_000L));

    assertEquals(2, figures.size());
    assertEquals(0, figures.get(0).nodes(), "local: one Vert.x");
    assertEquals(2, figures.get(1).nodes(), "clustered: two Vert.x instances");
    for (Figure f : figures) {
      assertTrue(f.rate().median() > 0, f.toString());
      assertEquals(1024, f.recordBytes());
    }
  }
}
