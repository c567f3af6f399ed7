/** The durable single-node store: segmented log files, sparse indexes, recovery. (issue 2) */
package io.sluice.store.file;
