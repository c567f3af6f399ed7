package io.sluice.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCheckpointTest {

  @TempDir
  Path dir;

  @Test
  void roundTripsAndReplacesAtomically() throws IOException {
    assertNull(LogCheckpoint.read(dir), "no checkpoint yet");
    LogCheckpoint a = new LogCheckpoint(17, 1000, 4096, 1234);
    a.write(dir);
    assertEquals(a, LogCheckpoint.read(dir));
    LogCheckpoint b = new LogCheckpoint(18, 2000, 0, 2000);
    b.write(dir);
    assertEquals(b, LogCheckpoint.read(dir));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }

  @Test
  void everyDamagedByteIsDetected() throws IOException {
    new LogCheckpoint(5, 0, 77, 9).write(dir);
    Path file = dir.resolve(SegmentFiles.CHECKPOINT);
    byte[] good = Files.readAllBytes(file);
    assertEquals(LogCheckpoint.SIZE, good.length);
    for (int i = 0; i < good.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) (1 << bit);
        Files.write(file, bad);
        assertNull(LogCheckpoint.read(dir), "flipped bit " + bit + " of byte " + i);
      }
    }
    Files.write(file, java.util.Arrays.copyOf(good, 30));
    assertNull(LogCheckpoint.read(dir), "a short file");
    Files.write(file, new byte[0]);
    assertNull(LogCheckpoint.read(dir), "an empty file");
    assertFalse(Files.exists(dir.resolve(SegmentFiles.CHECKPOINT + ".tmp")));
  }
}
