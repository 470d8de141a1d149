package dev.loupe.server;

import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.KeyTemplate;
import dev.loupe.core.logging.LocalDirectoryWriter;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.Writer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DEBUG_FILE_SYSTEM destination: each window part goes to {@code root/<key>} (fsynced
 * temporary file, atomic rename). Unlike {@link LocalDirectoryWriter#write}, writing the same
 * window part again replaces the file with the same bytes: after a crash the server may hand a
 * window out twice (see docs/server.md), and it must land once. The server numbers parts
 * itself, durably, so distinct parts never share a key.
 */
final class IdempotentLocalWriter implements Writer {
  private final Path root;
  private final KeyTemplate template;
  private final String instanceId;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  IdempotentLocalWriter(Path root, String instanceId) {
    this.root = root;
    this.template = KeyTemplate.of(KeyTemplate.DEFAULT);
    this.instanceId = instanceId;
  }

  Path pathFor(WindowInfo w) {
    return root.resolve(template.render(w, instanceId));
  }

  @Override
  public void write(ProfileView view, WindowInfo window) throws IOException {
    try {
      LocalDirectoryWriter.writeAtomically(pathFor(window), view.toBytes());
      written.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      failures.incrementAndGet();
      throw e;
    }
  }

  long written() {
    return written.get();
  }

  long failures() {
    return failures.get();
  }

  @Override
  public String toString() {
    return "local directory " + root;
  }
}
