/** Topics: partitions, producers, consumer groups, committed offsets, seek, retention. (issue 3) */
package io.sluice.topic;
