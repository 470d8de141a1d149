package dev.loupe.core.logging;

import dev.loupe.core.ProfileView;
import java.io.IOException;

/**
 * Where finished windows go: a local directory ({@link LocalDirectoryWriter}), S3 (module
 * loupe-s3-writer), or your own. A writer that returns normally has taken responsibility for
 * the view (it is on disk, or spooled on disk for upload); one that throws has not, and the
 * {@link RollingLogger} keeps the view and tries again later.
 */
public interface Writer extends AutoCloseable {

  void write(ProfileView view, WindowInfo window) throws IOException;

  /** Finishes pending work; the default does nothing. */
  @Override
  default void close() throws IOException {}
}
