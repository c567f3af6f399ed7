package io.sluice.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What {@code bench all} writes besides the table: the targets checked against the figures of the same run
 * ({@link #verdicts}), and a self-contained HTML page of plots ({@link #html}: inline SVG, no script, no external
 * file), throughput as bars per scenario and record size, latency percentiles (p50, p99, p99.9, max) as curves.
 *
 * <p>Thread contract: static functions of their arguments; no state.
 */
final class Report {

  static final String NETWORKED_PRODUCE = "topic produce (networked)";
  static final String NETWORKED_CONSUME = "topic consume (networked)";
  static final String QUEUE = "queue send/receive/ack (embedded)";
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
      "#17becf", "#7f7f7f", "#bcbd22"};

  private Report() {
  }

  /** One line per target and record size: the measured ratio, the target, met or missed; or why it was not measured. */
  static List<String> verdicts(List<Figure> figures) {
    List<String> out = new ArrayList<>();
    for (int size : AllBench.SIZES) {
      Optional<Figure> http = find(figures, NETWORKED_PRODUCE, size, f -> f.system().startsWith("Sluice HTTP")
          && f.durability().contains("fsync never"));
      Optional<Figure> httpDefault = find(figures, NETWORKED_PRODUCE, size, f -> f.system().startsWith("Sluice HTTP")
          && f.durability().contains("fsync always"));
      Optional<Figure> kafka = find(figures, NETWORKED_PRODUCE, size, f -> f.system().startsWith(KafkaPeer.SYSTEM));
      Optional<Figure> busProduce = find(figures, NETWORKED_PRODUCE, size, f -> f.system().startsWith(ClusterBench.SYSTEM)
          && f.durability().contains("fsync never"));
      Optional<Figure> busRead = find(figures, NETWORKED_CONSUME, size, f -> f.system().startsWith(ClusterBench.SYSTEM)
          && f.durability().contains("fsync never"));
      Optional<Figure> httpRead = find(figures, NETWORKED_CONSUME, size, f -> f.system().startsWith("Sluice HTTP")
          && f.durability().contains("fsync never"));
      Optional<Figure> kafkaRead = find(figures, NETWORKED_CONSUME, size, f -> f.system().startsWith(KafkaPeer.SYSTEM));
      Optional<Figure> bus = find(figures, "raw event bus (clustered, 2 Vert.x over loopback TCP)", size, f -> true);
      Optional<Figure> queue = find(figures, QUEUE, size, f -> f.system().startsWith("Sluice") && f.durability().startsWith("fsync always"));
      Optional<Figure> iqueue = find(figures, QUEUE, size, f -> f.system().startsWith("Hazelcast"));
      String b = size + " B: ";
      if (http.isPresent() && kafka.isPresent()) {
        out.add(b + ratio("networked topic produce, Sluice over HTTP (acks=leader, fsync never) vs Kafka (acks=1, no fsync), records/s",
            http.get().rate().median(), kafka.get().rate().median(), 2, true)
            + httpDefault.map(d -> String.format(Locale.ROOT, "; at Sluice's default fsync always: %.2f×",
                d.rate().median() / kafka.get().rate().median())).orElse(""));
        if (http.get().latency() != null && kafka.get().latency() != null) {
          Figure.Latency s = http.get().latency();
          Figure.Latency k = kafka.get().latency();
          out.add(b + String.format(Locale.ROOT, "networked produce p99 at 50%% of each system's own maximum: Sluice %.2f ms "
              + "(at %,.0f rec/s) vs Kafka %.2f ms (at %,.0f rec/s), ratio %.2f (target ≤ 1): %s", s.p99Ms(), s.offeredPerSec(),
              k.p99Ms(), k.offeredPerSec(), s.p99Ms() / k.p99Ms(), s.p99Ms() <= k.p99Ms() ? "met" : "MISSED"));
        }
      } else {
        out.add(b + "networked produce vs Kafka: not measured in this run");
      }
      if (httpRead.isPresent() && kafkaRead.isPresent()) {
        out.add(b + ratio("networked topic consume (read-back), Sluice over HTTP vs Kafka ConsumerPerformance, records/s",
            httpRead.get().rate().median(), kafkaRead.get().rate().median(), 1, true));
      }
      if (http.isPresent() && bus.isPresent()) {
        out.add(b + ratio("networked produce (HTTP, fsync never) vs the raw clustered event bus at the same batch size, records/s",
            http.get().rate().median(), bus.get().rate().median(), 0.5, true));
      }
      if (busProduce.isPresent() && kafka.isPresent()) {
        out.add(b + ratio("networked topic produce, Sluice over the clustered event bus (client JVM, RF 1, fsync never) vs Kafka "
            + "(acks=1, no fsync), records/s", busProduce.get().rate().median(), kafka.get().rate().median(), 2, true));
        Figure.Latency s = busProduce.get().latency();
        Figure.Latency k = kafka.get().latency();
        if (s != null && k != null) {
          out.add(b + String.format(Locale.ROOT, "event-bus produce p99 at 50%% of its maximum (scheduled send to consumer, "
              + "so it includes delivery) %.2f ms (at %,.0f rec/s) vs Kafka's (send to acknowledgement) %.2f ms: ratio %.2f "
              + "(target ≤ 1): %s", s.p99Ms(), s.offeredPerSec(), k.p99Ms(), s.p99Ms() / k.p99Ms(), s.p99Ms() <= k.p99Ms() ? "met" : "MISSED"));
        }
      }
      if (busRead.isPresent() && kafkaRead.isPresent()) {
        out.add(b + ratio("networked topic consume, Sluice over the clustered event bus (a group of 2, while producing) vs Kafka "
            + "ConsumerPerformance (read-back), records/s", busRead.get().rate().median(), kafkaRead.get().rate().median(), 1, true));
      }
      if (busProduce.isPresent() && bus.isPresent()) {
        out.add(b + ratio("networked produce over the clustered event bus (fsync never) vs the raw clustered event bus, records/s",
            busProduce.get().rate().median(), bus.get().rate().median(), 0.5, true));
      }
      if (queue.isPresent() && iqueue.isPresent()) {
        out.add(b + ratio("embedded queue send/receive/ack, Sluice at its default (fsync always, group commit) vs Hazelcast IQueue, msgs/s",
            queue.get().rate().median(), iqueue.get().rate().median(), 10, true));
      }
    }
    return out;
  }

  private static String ratio(String what, double sluice, double peer, double target, boolean atLeast) {
    double r = sluice / peer;
    boolean met = atLeast ? r >= target : r <= target;
    return String.format(Locale.ROOT, "%s: %,.0f vs %,.0f = %.2f× (target %s %s×): %s", what, sluice, peer, r,
        atLeast ? "≥" : "≤", trim(target), met ? "met" : "MISSED");
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static Optional<Figure> find(List<Figure> figures, String scenario, int size, Predicate<Figure> which) {
    return figures.stream().filter(f -> f.scenario().equals(scenario) && f.recordBytes() == size && which.test(f)).findFirst();
  }

  /** The page: machine facts, method, targets, then per scenario and size a bar chart, then latency curves. */
  static String html(JsonObject facts, String method, String command, List<Figure> figures, List<String> verdicts) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sluice benchmarks</title>\n<style>")
        .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;font-size:12px}")
        .append("td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}svg{display:block;margin:.5em 0 1.5em}")
        .append("h3{margin-bottom:0}</style></head><body>\n<h1>Sluice benchmarks</h1>\n<h2>Machine</h2>\n<table>");
    for (String key : facts.fieldNames()) {
      h.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(String.valueOf(facts.getValue(key)))).append("</td></tr>");
    }
    h.append("</table>\n<p>").append(esc(method)).append("</p>\n<p>Command: <code>").append(esc(command)).append("</code></p>\n");
    h.append("<h2>Targets</h2>\n<ul>");
    verdicts.forEach(v -> h.append("<li>").append(esc(v)).append("</li>"));
    h.append("</ul>\n<h2>Throughput (records/s, median; the thin line spans min–max)</h2>\n");
    for (Map.Entry<String, List<Figure>> group : groups(figures, f -> true).entrySet()) {
      h.append("<h3>").append(esc(group.getKey())).append("</h3>\n").append(bars(group.getValue()));
    }
    h.append("<h2>Latency percentiles at 50% of the maximum rate (ms, log scale)</h2>\n");
    for (Map.Entry<String, List<Figure>> group : groups(figures, f -> f.latency() != null).entrySet()) {
      h.append("<h3>").append(esc(group.getKey())).append("</h3>\n").append(curves(group.getValue()));
    }
    h.append("<h2>Table</h2>\n<table><tr>");
    for (String head : Figure.TABLE_HEAD.split("\n")[0].split("\\|")) {
      if (!head.isBlank()) {
        h.append("<th>").append(esc(head.trim())).append("</th>");
      }
    }
    h.append("</tr>\n");
    for (Figure f : figures) {
      String[] cells = f.row().trim().split("\\|", -1);
      h.append("<tr>");
      for (int i = 1; i < cells.length - 1; i++) {
        h.append("<td>").append(esc(cells[i].trim())).append("</td>");
      }
      h.append("</tr>\n");
    }
    return h.append("</table>\n</body></html>\n").toString();
  }

  /**
   * The same plots as {@link #html}, one SVG file each, so the README can show them as images: file name (from the
   * group's label, e.g. {@code throughput-topic-produce-networked-100-B.svg}) to SVG text.
   */
  static Map<String, String> svgFiles(List<Figure> figures) {
    Map<String, String> files = new LinkedHashMap<>();
    groups(figures, f -> true).forEach((label, group) -> files.put("throughput-" + slug(label) + ".svg", bars(group)));
    groups(figures, f -> f.latency() != null).forEach((label, group) -> files.put("latency-" + slug(label) + ".svg", curves(group)));
    return files;
  }

  static String slug(String label) {
    return label.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
  }

  private static Map<String, List<Figure>> groups(List<Figure> figures, Predicate<Figure> which) {
    Map<String, List<Figure>> groups = new LinkedHashMap<>();
    for (Figure f : figures) {
      if (which.test(f)) {
        groups.computeIfAbsent(f.label(), k -> new ArrayList<>()).add(f);
      }
    }
    return groups;
  }

  private static String bars(List<Figure> figures) {
    int labelWidth = 520;
    int plotWidth = 380;
    int row = 22;
    double max = figures.stream().mapToDouble(f -> f.rate().max()).max().orElse(1);
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">", labelWidth + plotWidth + 120,
        figures.size() * row + 4));
    for (int i = 0; i < figures.size(); i++) {
      Figure f = figures.get(i);
      int y = i * row + 2;
      double w = plotWidth * f.rate().median() / max;
      double lo = labelWidth + plotWidth * f.rate().min() / max;
      double hi = labelWidth + plotWidth * f.rate().max() / max;
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", labelWidth - 6, y + 14,
          esc(f.system() + " · " + f.durability())));
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>", labelWidth, y + 2, w,
          row - 6, COLOURS[i % COLOURS.length]));
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#000\"/>", lo, hi, y + row / 2,
          y + row / 2));
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%,.0f</text>", Math.max(hi, labelWidth + w) + 4, y + 14,
          f.rate().median()));
    }
    return s.append("</svg>\n").toString();
  }

  private static String curves(List<Figure> figures) {
    String[] names = {"p50", "p99", "p99.9", "max"};
    int left = 60;
    int width = 420;
    int top = 10;
    int height = 220;
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Figure f : figures) {
      for (double v : points(f.latency())) {
        lo = Math.min(lo, Math.max(v, 0.001));
        hi = Math.max(hi, v);
      }
    }
    double logLo = Math.floor(Math.log10(lo));
    double logHi = Math.max(logLo + 1, Math.ceil(Math.log10(Math.max(hi, 0.001))));
    int legendX = left + width + 30;
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">", legendX + 560,
        Math.max(top + height + 30, figures.size() * 16 + 20)));
    for (double d = logLo; d <= logHi; d++) {
      double y = top + height - height * (d - logLo) / (logHi - logLo);
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left, left + width, y, y));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>", left - 4, y + 4,
          trim(Math.pow(10, d))));
    }
    for (int i = 0; i < names.length; i++) {
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
          left + width * i / (names.length - 1.0), top + height + 18, names[i]));
    }
    for (int i = 0; i < figures.size(); i++) {
      Figure f = figures.get(i);
      String colour = COLOURS[i % COLOURS.length];
      StringBuilder pts = new StringBuilder();
      double[] values = points(f.latency());
      for (int j = 0; j < values.length; j++) {
        double v = Math.log10(Math.max(values[j], Math.pow(10, logLo)));
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + width * j / (values.length - 1.0),
            top + height - height * (v - logLo) / (logHi - logLo)));
      }
      s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"%s\"/>", colour, pts.toString().trim()));
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>",
          legendX, 10 + i * 16, colour, legendX + 14, 19 + i * 16, esc(f.system() + " · " + f.durability() + " · "
              + f.latency().what() + String.format(Locale.ROOT, " at %,.0f/s", f.latency().offeredPerSec()))));
    }
    return s.append("</svg>\n").toString();
  }

  private static double[] points(Figure.Latency l) {
    return new double[] {l.p50Ms(), l.p99Ms(), l.p999Ms(), l.maxMs()};
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
