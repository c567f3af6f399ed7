/**
 * Three runnable samples, started by {@link io.sluice.samples.Samples}: {@code order-processing} (a queue
 * with competing consumers and dead letters), {@code channel-subscription} (topics, consumer groups, a
 * late subscriber that rewinds) and {@code event-bus} (a plain Vert.x application made durable by pointing
 * its event-bus addresses at a Sluice queue). Each sample's {@code run} method is what its test runs.
 */
package io.sluice.samples;
