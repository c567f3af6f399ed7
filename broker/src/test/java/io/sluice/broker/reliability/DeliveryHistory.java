package io.sluice.broker.reliability;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A history checker for one topic and one queue: what clients sent, what the nodes acknowledged, what
 * readers and consumers got and settled; and, at the end, what the log still holds. The node crash loop
 * (one node) and the cluster leader-kill test (three) record into it from every client thread.
 *
 * <p>Every value sent is unique and reads {@code <producer>|<sequence>}: a producer numbers its values
 * 0, 1, 2, ... in the order it sends them, so a value identifies its record or message and tells its place
 * in its producer's order. The checks, each counted in {@link #counts()}:
 * <ul>
 *   <li><b>lost</b>: an acknowledged record not readable at the partition and offset it was acknowledged
 *       with (at the end), or an acknowledged queue send never received though nobody settled it;</li>
 *   <li><b>offset conflicts</b>: an offset acknowledged for two values (a leader that forgot acknowledged
 *       records and reused their offsets), or read with two values (at different times, from different
 *       nodes, before and after failovers: replicas that diverged);</li>
 *   <li><b>reordered</b>: reading a partition in offset order at the end, an acknowledged value of a
 *       producer after a higher acknowledged sequence of the same producer (producers wait for each answer,
 *       so an acknowledged record precedes everything its producer sent later). A value in doubt may land
 *       after its successors (its request failed, yet was carried out later): counted apart, allowed;</li>
 *   <li><b>duplicates</b>: a value stored twice (at-least-once delivery allows it): counted;</li>
 *   <li><b>redelivered after ack</b>: a queue message (by id) received again after its ack was
 *       acknowledged (204); a second copy of a value under another id is a duplicate send, counted apart;</li>
 *   <li>anything read or received that was never sent.</li>
 * </ul>
 * A request whose answer was lost (a killed node, a timeout) is in doubt: its records may or may not be
 * stored, its acks may or may not have settled; the checks allow both, and count such requests.
 *
 * <p>Thread-safe: producers, readers and consumers on several threads record into one history (synchronized).
 */
final class DeliveryHistory {

  /** Where a topic record was acknowledged. */
  record Position(int partition, long offset) {
  }

  /** The checker's verdict: every count but the duplicates must be 0 for a run that lost nothing. */
  record Counts(long lost, long offsetConflicts, long reordered, long redeliveredAfterAck, long neverSent,
      long duplicates, long lateInDoubt) {

    long violations() {
      return lost + offsetConflicts + reordered + redeliveredAfterAck + neverSent;
    }

    @Override
    public String toString() {
      return "lost " + lost + ", offsets with two values " + offsetConflicts + ", reordered " + reordered
          + ", redelivered after ack " + redeliveredAfterAck + ", never sent " + neverSent
          + " (allowed: duplicates " + duplicates + ", in-doubt records stored after later ones " + lateInDoubt + ")";
    }
  }

  private final String label;
  private final Map<Position, String> topicAcked = new HashMap<>();
  private final Set<String> topicSent = new HashSet<>();
  private final Map<Position, String> topicRead = new HashMap<>();
  private final Set<String> topicReadValues = new HashSet<>();
  private final Set<String> queueSent = new HashSet<>();
  private final Set<String> queueAcked = new LinkedHashSet<>();
  private final Set<String> settled = new HashSet<>();
  private final Set<String> settledIds = new HashSet<>();
  private final Set<String> receivedIds = new HashSet<>();
  private final Set<String> receivedValues = new HashSet<>();
  private final Set<String> settleInDoubt = new HashSet<>();
  private final List<String> violations = new ArrayList<>();
  private long topicInDoubt;
  private long queueSendInDoubt;
  private long received;
  private long lost;
  private long offsetConflicts;
  private long reordered;
  private long redeliveredAfterAck;
  private long neverSent;
  private long duplicates;
  private long lateInDoubt;

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
      offsetConflicts++;
      violation("offset " + at + " was acknowledged for '" + before + "' and again for '" + value + "'");
    }
  }

  /** A reader read {@code value} at {@code at} (at any time, through any node). */
  synchronized void topicRead(Position at, String value) {
    String before = topicRead.putIfAbsent(at, value);
    if (before != null) {
      if (!before.equals(value)) {
        offsetConflicts++;
        violation("offset " + at + " was read as '" + before + "' and later as '" + value + "'");
      }
      return;
    }
    if (!topicSent.contains(value)) {
      neverSent++;
      violation("read '" + value + "' at " + at + ", which was never sent");
      return;
    }
    if (!topicReadValues.add(value)) {
      duplicates++;
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

  /**
   * A consumer received message {@code id} holding {@code value}: a violation if it was never sent or its
   * ack was acknowledged before.
   */
  synchronized void received(String id, String value) {
    received++;
    if (!queueSent.contains(value)) {
      neverSent++;
      violation("received '" + value + "', which was never sent");
    }
    if (settledIds.contains(id)) {
      redeliveredAfterAck++;
      violation("received '" + value + "' (" + id + ") again after its ack was acknowledged");
    } else if (receivedIds.add(id) && !receivedValues.add(value)) {
      duplicates++;
    }
  }

  /** The ack of these messages was acknowledged: id → value. */
  synchronized void settled(Map<String, String> messages) {
    settledIds.addAll(messages.keySet());
    settled.addAll(messages.values());
  }

  synchronized void settleInDoubt(Collection<String> values) {
    settleInDoubt.addAll(values);
  }

  /** Acknowledged sends the end of a run found missing (see {@link #owedByQueue}). */
  synchronized void queueLost(Collection<String> values) {
    lost += values.size();
    values.forEach(v -> violation("acknowledged send '" + v + "' was never received"));
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
   * Reads what a partition holds now ({@link #topicRead}, in offset order) and compares it with what was
   * acknowledged in it. Returns the acknowledged records missing or holding another value (losses).
   */
  synchronized long checkPartition(int partition, Map<Long, String> held) {
    Set<String> acknowledged = new HashSet<>(topicAcked.values());
    Map<String, Long> highestAcknowledged = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (Map.Entry<Long, String> e : new TreeMap<>(held).entrySet()) {
      String value = e.getValue();
      topicRead(new Position(partition, e.getKey()), value);
      if (!seen.add(value) || !topicSent.contains(value)) {
        continue;
      }
      int bar = value.lastIndexOf('|');
      String producer = value.substring(0, bar);
      long sequence = Long.parseLong(value.substring(bar + 1));
      Long highest = highestAcknowledged.get(producer);
      if (highest == null || sequence > highest) {
        if (acknowledged.contains(value)) {
          highestAcknowledged.put(producer, sequence);
        }
      } else if (acknowledged.contains(value)) {
        reordered++;
        violation("acknowledged '" + value + "' at offset " + e.getKey() + " of partition " + partition
            + " comes after sequence " + highest + " of its producer, acknowledged later");
      } else {
        // A request answered with a failure (or never answered) that was still carried out after the
        // producer's next one: in doubt, so allowed anywhere; counted.
        lateInDoubt++;
      }
    }
    long lostHere = 0;
    for (Map.Entry<Position, String> e : topicAcked.entrySet()) {
      if (e.getKey().partition() == partition && !e.getValue().equals(held.get(e.getKey().offset()))) {
        lostHere++;
        violation("acknowledged '" + e.getValue() + "' at " + e.getKey() + " reads as '" + held.get(e.getKey().offset()) + "'");
      }
    }
    lost += lostHere;
    return lostHere;
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

  synchronized Counts counts() {
    return new Counts(lost, offsetConflicts, reordered, redeliveredAfterAck, neverSent, duplicates, lateInDoubt);
  }

  synchronized long topicAcknowledgedCount() {
    return topicAcked.size();
  }

  synchronized long queueAcknowledgedCount() {
    return queueAcked.size();
  }
}
