package io.sluice.samples.channels;

import java.io.PrintStream;
import java.util.List;

/**
 * The end of a channel-subscription run: per subscriber, what it received against what was published on
 * its channels.
 *
 * @param published    records the publisher had acknowledged
 * @param lateJoinedAt how many records were acknowledged when the late subscriber joined
 */
public record ChannelReport(int published, int lateJoinedAt, List<Subscriber> subscribers) {

  /**
   * One subscriber at the end.
   *
   * @param received        records it received
   * @param expected        records published on its channels
   * @param lag             records published and not yet handed to it, summed over its partitions
   * @param equalsPublished it received exactly what was published on its channels, in offset order per
   *                        partition: nothing missing, nothing twice, nothing out of order
   * @param rewound         it joined late and rewound to the beginning
   */
  public record Subscriber(String name, List<String> channels, int received, int expected, long lag,
      boolean equalsPublished, boolean rewound) {
  }

  /** Every subscriber, the late one included, got exactly its channels' records in order and has no lag. */
  public boolean proven() {
    return subscribers.stream().allMatch(s -> s.equalsPublished() && s.lag() == 0);
  }

  void print(PrintStream out) {
    out.printf("%n%-11s %-24s %9s %9s %4s  %s%n", "subscriber", "channels", "received", "published", "lag",
        "equal to what was published, in order per partition");
    for (Subscriber s : subscribers) {
      out.printf("%-11s %-24s %9d %9d %4d  %s%n", s.name() + (s.rewound() ? "*" : ""), String.join(", ", s.channels()),
          s.received(), s.expected(), s.lag(), s.equalsPublished() ? "yes" : "NO");
    }
    out.printf("* joined after %d of %d records, rewound to the beginning and caught up%n", lateJoinedAt, published);
    out.println(proven()
        ? "PROVEN: every subscriber, the late one included, received every record of its channels once, in order."
        : "NOT PROVEN: see the table above.");
  }
}
