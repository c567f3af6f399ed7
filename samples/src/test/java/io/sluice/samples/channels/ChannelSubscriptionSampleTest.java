package io.sluice.samples.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.samples.SampleTestBase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the channel-subscription sample itself, small, and checks what it claims. */
class ChannelSubscriptionSampleTest extends SampleTestBase {

  private static final int RECORDS = 90;

  @Test
  void theLateSubscriberRewindsAndCatchesUpWithEverythingInOrder(@TempDir Path dataDir) throws Exception {
    ChannelReport report = ChannelSubscriptionSample.run(vertx,
        new ChannelSubscriptionSample.Settings(dataDir, RECORDS, 5, 0, 200, 30_000, false),
        out).await(60, TimeUnit.SECONDS);
    String output = output();

    assertEquals(RECORDS, report.published());
    assertTrue(report.lateJoinedAt() >= RECORDS / 2 && report.lateJoinedAt() < RECORDS, output);
    Map<String, ChannelReport.Subscriber> byName = report.subscribers().stream()
        .collect(Collectors.toMap(ChannelReport.Subscriber::name, s -> s));
    assertEquals(List.of("sports", "music"), byName.get("alice").channels());
    assertEquals(List.of("movies"), byName.get("bob").channels());

    ChannelReport.Subscriber late = byName.get(ChannelSubscriptionSample.LATE_SUBSCRIBER);
    assertTrue(late.rewound());
    // It joined halfway but has everything: the records are the publisher's, per partition, in offset order.
    assertEquals(RECORDS, late.received(), output);
    assertTrue(late.equalsPublished(), output);
    assertEquals(0, late.lag());
    // Channels are published in turn, so alice's two channels hold two thirds of the records, bob's one third.
    assertEquals(RECORDS * 2 / 3, byName.get("alice").received(), output);
    assertEquals(RECORDS / 3, byName.get("bob").received(), output);
    for (ChannelReport.Subscriber s : report.subscribers()) {
      assertTrue(s.equalsPublished(), s.name() + ": " + output);
      assertEquals(0, s.lag(), s.name());
    }
    assertTrue(report.proven());
    assertTrue(output.contains("lag"), "prints offsets and lag as it runs: " + output);
    assertTrue(output.contains("PROVEN: every subscriber"), output);
  }
}
