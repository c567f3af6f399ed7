package io.sluice.bench;

import java.nio.file.Path;

/** Placeholder until the scenario is written. */
final class QueueBench {

  QueueBench(boolean quick, Path work, Path out) {
  }

  void run() {
    throw new UnsupportedOperationException("not written yet");
  }
}
