package dev.loupe.server;

import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.KeyTemplate;
import dev.loupe.core.logging.LocalDirectoryWriter;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.Writer;
import dev.loupe.core.logging.internal.DurableFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DEBUG_FILE_SYSTEM destination: core's {@link LocalDirectoryWriter} (its layout, its durable
 * write) with one difference: writing the same window part again replaces the file with the same
 * bytes instead of adding the next part. After a crash the server may hand a window out twice (see
 * docs/server.md), and it must land once; the server numbers parts itself, durably, so distinct
 * parts never share a key. It also counts writes and failures for /metrics.
 */
final class IdempotentLocalWriter implements Writer {
  private final Path root;
  private final LocalDirectoryWriter layout;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  IdempotentLocalWriter(Path root, String instanceId) {
    this.root = root;
    this.layout = new LocalDirectoryWriter(root, KeyTemplate.of(KeyTemplate.DEFAULT), instanceId);
  }

  Path pathFor(WindowInfo w) {
    return layout.pathFor(w);
  }

  @Override
  public void write(ProfileView view, WindowInfo window) throws IOException {
    try {
      DurableFiles.writeAtomically(pathFor(window), view.toBytes());
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
