/**
 * The {@code sluice} command-line tool: {@link io.sluice.broker.cli.SluiceCli}, commands for people at a
 * terminal (and scripts, with {@code --json}) that talk to a node's HTTP API.
 */
package io.sluice.broker.cli;
