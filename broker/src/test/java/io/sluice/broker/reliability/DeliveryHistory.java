package io.sluice.broker.reliability;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The history checker of the node crash loop, for one topic and one queue: what clients sent, what the
 * node acknowledged, what consumers received and settled; and, at the end, what the node still has.
 *
 * <p>Every value sent is unique, so a value identifies its record or message. The checks:
 * <ul>
 *   <li>topic: an acknowledged record is readable at exactly the partition and offset it was acknowledged
 *       with (a loss otherwise), no offset is ever acknowledged for two values (which a node that forgot
 *       acknowledged records and reused their offsets would do), and nothing is read that was never sent;</li>
 *   <li>queue: a message whose send was acknowledged is received by someone, unless it was settled; a
 *       message whose ack was acknowledged (204) is never received again; nothing received was never sent.</li>
 * </ul>
 * A request whose answer was lost to the kill is in doubt: its records may or may not be stored, its acks
 * may or may not have settled; the checks allow both, and count such requests.
 *
 * <p>Thread-safe: producers and consumers on several threads record into one history (synchronized).
 */
final class DeliveryHistory {

  /** Where a topic record was acknowledged. */
  record Position(int partition, long offset) {
  }

  private final String label;
  private final Map<Position, String> topicAcked = new HashMap<>();
  private final Set<String> topicSent = new HashSet<>();
  private final Set<String> queueSent = new HashSet<>();
  private final Set<String> queueAcked = new LinkedHashSet<>();
  private final Set<String> settled = new HashSet<>();
  private final Set<String> settleInDoubt = new HashSet<>();
  private final List<String> violations = new ArrayList<>();
  private long topicInDoubt;
  private long queueSendInDoubt;
  private long received;

  DeliveryHistory(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  synchronized void topicSending(Collection<String> values) {
    topicSent.addAll(values);
  }

  synchronized void topicAcknowledged(Position at, String value) {
    String before = topicAcked.putIfAbsent(at, value);
    if (before != null && !before.equals(value)) {
      violation("offset " + at + " was acknowledged for '" + before + "' and again for '" + value + "'");
    }
  }

  synchronized void topicInDoubt(int records) {
    topicInDoubt += records;
  }

  synchronized void queueSending(Collection<String> values) {
    queueSent.addAll(values);
  }

  synchronized void queueAcknowledged(Collection<String> values) {
    queueAcked.addAll(values);
  }

  synchronized void queueSendInDoubt(int messages) {
    queueSendInDoubt += messages;
  }

  /** A consumer received {@code value}: a violation if it was never sent or its ack was acknowledged. */
  synchronized void received(String value) {
    received++;
    if (!queueSent.contains(value)) {
      violation("received '" + value + "', which was never sent");
    }
    if (settled.contains(value)) {
      violation("received '" + value + "' again after its ack was acknowledged");
    }
  }

  synchronized void settled(Collection<String> values) {
    settled.addAll(values);
  }

  synchronized void settleInDoubt(Collection<String> values) {
    settleInDoubt.addAll(values);
  }

  private void violation(String what) {
    if (violations.size() < 100) {
      violations.add(label + ": " + what);
    }
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  synchronized Map<Position, String> topicAcknowledged() {
    return Map.copyOf(topicAcked);
  }

  /**
   * Compares what a partition holds now with what was acknowledged in it. Returns the acknowledged records
   * missing or holding another value (losses); records violations for values never sent.
   */
  synchronized long checkPartition(int partition, Map<Long, String> held) {
    for (String v : held.values()) {
      if (!topicSent.contains(v)) {
        violation("partition " + partition + " holds '" + v + "', which was never sent");
      }
    }
    long lost = 0;
    for (Map.Entry<Position, String> e : topicAcked.entrySet()) {
      if (e.getKey().partition() == partition && !e.getValue().equals(held.get(e.getKey().offset()))) {
        lost++;
        violation("acknowledged '" + e.getValue() + "' at " + e.getKey() + " reads as '" + held.get(e.getKey().offset()) + "'");
      }
    }
    return lost;
  }

  /** The messages that must still be in the queue: acknowledged sends neither settled nor maybe settled. */
  synchronized Set<String> owedByQueue() {
    Set<String> owed = new LinkedHashSet<>(queueAcked);
    owed.removeAll(settled);
    owed.removeAll(settleInDoubt);
    return owed;
  }

  synchronized String figures() {
    return String.format("topic records acknowledged %d (in doubt %d); queue sends acknowledged %d (in doubt %d), "
            + "deliveries %d, acks acknowledged %d (in doubt %d)",
        topicAcked.size(), topicInDoubt, queueAcked.size(), queueSendInDoubt, received, settled.size(), settleInDoubt.size());
  }

  synchronized long topicAcknowledgedCount() {
    return topicAcked.size();
  }

  synchronized long queueAcknowledgedCount() {
    return queueAcked.size();
  }
}
