package io.sluice.bench;

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
}
