package io.sluice.queue.internal;

import io.sluice.api.Record;

/**
 * What a queue owner knows of one message its cursor has passed and that is not settled yet. Owned by
 * the owner's context; not thread-safe.
 */
final class Entry {

  /** May be delivered now; in the owner's ready set. */
  static final byte READY = 0;
  /** Waits for {@link #dueAt} (send delay, nack delay, or a dead-letter retry). */
  static final byte DELAYED = 1;
  /** Waits behind the message of its group that is ahead of it. */
  static final byte BLOCKED = 2;
  /** Leased to a consumer. */
  static final byte IN_FLIGHT = 3;
  /** Being copied to the dead-letter queue. */
  static final byte DEAD_LETTERING = 4;
  /** Its settlement record is being written; gone for everyone else. */
  static final byte SETTLING = 5;

  final long offset;
  final int size;
  final long enqueuedAt;
  final long expiresAt;
  final String group;

  byte state;
  Record record;
  /** Whether {@link #record} counts against the owner's held-bytes budget. */
  boolean held;
  int deliveryCount;
  long firstDeliveredAt;
  long dueAt;
  /** A due time set after sending (a nack delay): it goes into settlement checkpoints. */
  long returnDueAt;
  long token;
  long leaseExpiresAt;
  Subscriber holder;
  /** Set while a dead-lettering waits for a retry: the reason to dead-letter with. */
  String deadLetterReason;
  /** The last settle request that named this entry: how a request finds a receipt given twice. */
  long settleRequest;

  Entry(long offset, int size, long enqueuedAt, long expiresAt, String group, Record record) {
    this.offset = offset;
    this.size = size;
    this.enqueuedAt = enqueuedAt;
    this.expiresAt = expiresAt;
    this.group = group;
    this.record = record;
  }

  boolean live() {
    return state != SETTLING;
  }
}
