package dev.loupe.core.logging;

import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.internal.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

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
    DurableFiles.writeAtomically(target, view.toBytes());
  }

  @Override
  public String toString() {
    return "LocalDirectoryWriter[" + root + "/" + template + "]";
  }
}
