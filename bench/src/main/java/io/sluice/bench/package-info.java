/** The benchmark harness. */
package io.sluice.bench;
