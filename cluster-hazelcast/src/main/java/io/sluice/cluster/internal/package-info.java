/** Implementation of the cluster module; not API. */
package io.sluice.cluster.internal;
