package dev.loupe.core.logging.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Files that survive a crash whole or not at all, for every module that keeps state on disk (the
 * local writer, the S3 spool, the server's checkpoint and quarantine): write to a fsynced temporary
 * file beside the target, rename it into place atomically, fsync the folder. Also the instance-id
 * file that names a writer's objects (S3 keys, local profile names) stably across restarts.
 *
 * <p>Internal: shared by loupe-core, loupe-s3-writer and loupe-server; not user API.
 */
public final class DurableFiles {
  /** The file in a writer's state directory holding its instance id. */
  public static final String INSTANCE_ID_FILE = "instance-id";

  private DurableFiles() {}

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

  /**
   * Makes a rename or a new file in {@code dir} durable. A file system that cannot fsync a folder
   * (it cannot open one, or says it is unsupported) is let be: the rename itself is still atomic. An
   * fsync that fails on an opened folder is a disk error, and is thrown: the rename may not survive a
   * crash, so nothing that depends on it may count as durable.
   */
  public static void fsyncDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      return; // this file system cannot open a folder to fsync it
    }
    try (ch) {
      ch.force(true);
    } catch (UnsupportedOperationException e) {
      // cannot fsync a folder here
    }
  }

  /**
   * The instance id kept in {@code dir/instance-id}: read when the file holds one, else generated
   * (8 hex digits) and written durably, so a restarted writer keeps naming its objects the same way.
   */
  public static String instanceId(Path dir) throws IOException {
    Path f = dir.resolve(INSTANCE_ID_FILE);
    if (Files.exists(f)) {
      String id = Files.readString(f, StandardCharsets.UTF_8).trim();
      if (!id.isEmpty()) {
        return id;
      }
    }
    String id = UUID.randomUUID().toString().substring(0, 8);
    writeAtomically(f, id.getBytes(StandardCharsets.UTF_8));
    return id;
  }
}
