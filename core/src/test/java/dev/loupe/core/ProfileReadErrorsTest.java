package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user reads when a file is not a profile or is damaged, word for word: a reworded message
 * fails here (the CLI prints these after "loupe: error: ").
 */
class ProfileReadErrorsTest {
  @TempDir
  Path dir;

  private static byte[] profile() {
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY
        .withDatasetTimestamp(java.time.Instant.parse("2026-01-01T00:00:00Z"))
        .withCreationTimestamp(java.time.Instant.parse("2026-01-01T01:00:00Z")));
    for (int i = 0; i < 100; i++) {
      p.track(Map.of("x", i, "s", "v" + (i % 7)));
    }
    return p.view().toBytes();
  }

  private static String message(byte[] bytes) {
    return assertThrows(ProfileFormatException.class, () -> ProfileView.read(bytes, "p.bin")).getMessage();
  }

  @Test
  void textIsNotAProfile() {
    assertEquals("p.bin: not a whylogs profile: expected the magic bytes 'WHY1' (or a whylogs v0 message) "
        + "but found 'name'", message("name,age\nann,3\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anEmptyFileIsNotAProfile() {
    assertEquals("p.bin: empty file; expected a whylogs profile (starts with 'WHY1')", message(new byte[0]));
  }

  @Test
  void aTruncatedProfileIsCorrupt() {
    byte[] good = profile();
    assertEquals("p.bin: profile header declares 3196 bytes of columns at byte 398 but only 1399 follow; the "
        + "file is truncated", message(Arrays.copyOf(good, good.length / 2)));
    assertEquals("p.bin: bad length prefix of the profile header at byte 5; the file is corrupt or truncated",
        message(Arrays.copyOf(good, 6)));
  }

  @Test
  void flippedBytesAfterTheMagicAreCorrupt() {
    byte[] bad = profile();
    for (int i = 4; i < 12; i++) {
      bad[i] = (byte) 0xff;
    }
    assertEquals("p.bin: negative length -1 for the segment header at byte 4; the file is corrupt", message(bad));
  }

  @Test
  void aMissingFileNamesItsPath() throws Exception {
    Path missing = dir.resolve("none.bin");
    // the CLI turns this into "<path>: no such file" (cli MainTest)
    Exception e = assertThrows(java.nio.file.NoSuchFileException.class, () -> ProfileView.read(missing));
    assertEquals(missing.toString(), e.getMessage());
  }
}
