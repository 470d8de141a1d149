package dev.loupe.core.logging;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes each window as a whylogs v1 file under a root directory, durably: the bytes go to a
 * temporary file in the target folder, are fsynced, and are renamed into place atomically (then
 * the folder is fsynced), so a crash leaves either the whole file or none of it. A window that
 * is written again (a later part) never replaces an earlier file.
 */
public final class LocalDirectoryWriter implements Writer {
  private final Path root;
  private final KeyTemplate template;
  private final String instanceId;

  public LocalDirectoryWriter(Path root) {
    this(root, KeyTemplate.of(KeyTemplate.DEFAULT), "local");
  }

  public LocalDirectoryWriter(Path root, KeyTemplate template, String instanceId) {
    this.root = Objects.requireNonNull(root, "root");
    this.template = Objects.requireNonNull(template, "template");
    this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
  }

  /** Where a window's file goes. */
  public Path pathFor(WindowInfo window) {
    return root.resolve(template.render(window, instanceId));
  }

  @Override
  public void write(ProfileView view, WindowInfo window) throws IOException {
    WindowInfo w = window;
    Path target = pathFor(w);
    while (Files.exists(target)) {
      // a window written again after a restart: keep the earlier file, write the next part
      w = w.withPart(w.part() + 1);
      target = pathFor(w);
    }
    writeAtomically(target, view.toBytes());
  }

  /** Writes {@code bytes} to {@code target} via a fsynced temporary file and an atomic rename. */
  public static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename " + tmp + " to " + target + " atomically: " + e.getMessage()
            + "; choose a directory on a local file system", e);
      }
      fsyncDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("temporary file " + tmp + " already exists", e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // some file systems cannot fsync a directory; the rename itself is still atomic
    }
  }

  @Override
  public String toString() {
    return "LocalDirectoryWriter[" + root + "/" + template + "]";
  }
}
