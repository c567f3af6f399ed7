/** The cluster through Hazelcast: metadata, replication, failover. Not built yet (issue 6). */
package io.sluice.cluster;
