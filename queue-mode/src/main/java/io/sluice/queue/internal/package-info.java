/**
 * Implementation of {@link io.sluice.queue}: the queue owner verticle, its settlement journal, the
 * registry, the event-bus messages and codecs, and the client. Not an API: anything here may change.
 */
package io.sluice.queue.internal;
