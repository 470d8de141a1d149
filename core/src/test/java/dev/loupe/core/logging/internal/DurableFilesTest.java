package dev.loupe.core.logging.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one instance-id file and the one atomic write that every module keeping state on disk uses. */
class DurableFilesTest {

  @Test
  void anInstanceIdIsGeneratedOnceKeptInItsFileAndReadBackAfterARestart(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("spool"); // not there yet: created on first use
    String first = DurableFiles.instanceId(state);
    assertTrue(first.matches("[0-9a-f]{8}"), first);
    assertEquals(first, Files.readString(state.resolve("instance-id"), StandardCharsets.UTF_8));
    assertEquals(first, DurableFiles.instanceId(state), "the same id after a restart");
    assertNotEquals(first, DurableFiles.instanceId(dir.resolve("other")), "another directory, another id");
  }

  @Test
  void anInstanceIdWrittenByHandIsKeptAndAnEmptyFileGetsANewOne(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("instance-id"), "  host-7\n");
    assertEquals("host-7", DurableFiles.instanceId(dir));
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    Files.writeString(empty.resolve("instance-id"), "\n");
    String id = DurableFiles.instanceId(empty);
    assertTrue(id.matches("[0-9a-f]{8}"), id);
  }

  @Test
  void anAtomicWriteReplacesTheTargetWholeAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("a/b/file.bin");
    DurableFiles.writeAtomically(target, new byte[] {1, 2, 3});
    DurableFiles.writeAtomically(target, new byte[] {4, 5});
    assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(target));
    try (Stream<Path> files = Files.list(target.getParent())) {
      assertEquals(List.of(target), files.toList());
    }
  }
}
