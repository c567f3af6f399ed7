package io.sluice.api;

/**
 * How safe an acknowledged append is: every append completes with the level it actually reached.
 * Levels are ordered from weakest to strongest.
 */
public enum Durability {
  /** In memory only: lost when the process stops. */
  MEMORY,
  /** Written to the operating system (page cache): survives a process crash, not a power loss. */
  LOCAL_DISK,
  /** Written and fsync'd on this node: survives a process crash and a power loss of this node. */
  LOCAL_FSYNC,
  /** Held by at least {@code minInSync} replicas: survives the loss of all but one of them. */
  REPLICATED;

  public boolean atLeast(Durability other) {
    return compareTo(other) >= 0;
  }
}
