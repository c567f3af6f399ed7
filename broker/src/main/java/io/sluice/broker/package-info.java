/** The runnable node: config, HTTP API, event-bus bridge, metrics, CLI. Not built yet (issue 5). */
package io.sluice.broker;
