/** Runnable samples. Not built yet (issue 5). */
package io.sluice.samples;
