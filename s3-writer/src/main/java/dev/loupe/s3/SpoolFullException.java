package dev.loupe.s3;

import java.io.IOException;

/**
 * The upload spool is at its size limit: the store has been unreachable long enough for that
 * many windows to pile up. Nothing was deleted; the window being written was not accepted, and
 * a {@link dev.loupe.core.logging.RollingLogger} keeps it and tries again later.
 */
public final class SpoolFullException extends IOException {
  private static final long serialVersionUID = 1L;

  SpoolFullException(String message) {
    super(message);
  }
}
