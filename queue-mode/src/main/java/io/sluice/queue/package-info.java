/** Queues: shared cursor, leases, ack/nack, redelivery, dead letters, delete-on-ack. (issue 4) */
package io.sluice.queue;
