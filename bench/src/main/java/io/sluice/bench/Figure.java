package io.sluice.bench;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * One figure of the combined table ({@code bench all}): a system measured in a scenario, with what it was
 * measured at (durability, record size, partitions, nodes), its rate over the measured runs and, where the
 * scenario has one, its latency at a fixed offered rate. Immutable.
 *
 * @param scenario what was measured, e.g. "topic produce (networked)"
 * @param system the system and how it was driven, e.g. "Kafka 4.4.0 ProducerPerformance"
 * @param durability the durability level the figure was measured at
 * @param recordBytes the value size of each record or message
 * @param partitions the partitions (1 for a queue or a ring buffer)
 * @param nodes the server nodes (0 for an embedded library with no server)
 * @param rate records (or messages) per second over the measured runs
 * @param latency latency at a fixed offered rate, or null
 */
record Figure(String scenario, String system, String durability, int recordBytes, int partitions, int nodes, Stats rate,
    Latency latency) {

  /**
   * Latency percentiles at a fixed offered rate (medians over the measured runs).
   *
   * @param what what is timed, e.g. "send to acknowledgement"
   * @param offeredPerSec the offered rate
   */
  record Latency(String what, double offeredPerSec, double p50Ms, double p99Ms, double p999Ms, double maxMs) {

    JsonObject toJson() {
      return new JsonObject().put("what", what).put("offeredPerSec", offeredPerSec).put("p50Ms", p50Ms).put("p99Ms", p99Ms)
          .put("p999Ms", p999Ms).put("maxMs", maxMs);
    }

    static Latency fromJson(JsonObject j) {
      return j == null ? null : new Latency(j.getString("what"), j.getDouble("offeredPerSec"), j.getDouble("p50Ms"),
          j.getDouble("p99Ms"), j.getDouble("p999Ms"), j.getDouble("maxMs"));
    }
  }

  double megabytesPerSec() {
    return rate.median() * recordBytes / 1e6;
  }

  /** The table's key of a figure: one bar group of the plot. */
  String label() {
    return scenario + ", " + recordBytes + " B";
  }

  JsonObject toJson() {
    return new JsonObject().put("scenario", scenario).put("system", system).put("durability", durability)
        .put("recordBytes", recordBytes).put("partitions", partitions).put("nodes", nodes)
        .put("perSec", new JsonObject().put("median", rate.median()).put("min", rate.min()).put("max", rate.max()))
        .put("MBps", megabytesPerSec()).put("latency", latency == null ? null : latency.toJson());
  }

  static Figure fromJson(JsonObject j) {
    JsonObject r = j.getJsonObject("perSec");
    return new Figure(j.getString("scenario"), j.getString("system"), j.getString("durability"), j.getInteger("recordBytes"),
        j.getInteger("partitions"), j.getInteger("nodes"), new Stats(r.getDouble("median"), r.getDouble("min"), r.getDouble("max")),
        Latency.fromJson(j.getJsonObject("latency")));
  }

  static final String TABLE_HEAD = "| scenario | system | durability | record | partitions | nodes | rec/s (median) | min–max | MB/s "
      + "| latency measured | at rec/s | p50 ms | p99 ms | p99.9 ms | max ms |\n"
      + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

  String row() {
    String head = String.format(Locale.ROOT, "| %s | %s | %s | %d B | %d | %s | %,.0f | %,.0f–%,.0f | %.1f |", scenario, system,
        durability, recordBytes, partitions, nodes == 0 ? "embedded" : Integer.toString(nodes), rate.median(), rate.min(),
        rate.max(), megabytesPerSec());
    if (latency == null) {
      return head + " | | | | | |\n";
    }
    return head + String.format(Locale.ROOT, " %s | %,.0f | %.2f | %.2f | %.2f | %.2f |%n", latency.what(), latency.offeredPerSec(),
        latency.p50Ms(), latency.p99Ms(), latency.p999Ms(), latency.maxMs());
  }
}
