package io.sluice.bench;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/** Median and range of repeated measurements of one figure. */
record Stats(double median, double min, double max) {

  static Stats of(double[] runs) {
    double[] s = runs.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return new Stats(median, s[0], s[n - 1]);
  }

  /** From {@code {"median":…,"min":…,"max":…}}, as the result files hold it. */
  static Stats fromJson(JsonObject j) {
    return new Stats(j.getDouble("median"), j.getDouble("min"), j.getDouble("max"));
  }

  JsonObject toJson() {
    return new JsonObject().put("median", median).put("min", min).put("max", max);
  }
}
