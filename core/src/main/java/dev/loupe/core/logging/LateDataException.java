package dev.loupe.core.logging;

import java.time.Instant;

/**
 * A row's timestamp falls in a window that was already written and is past the allowed
 * lateness. The row was not logged; nothing else was affected.
 */
public final class LateDataException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  LateDataException(String datasetId, Instant timestamp, Instant windowEnd, java.time.Duration lateness) {
    super("dataset '" + datasetId + "': row timestamp " + timestamp + " belongs to the window ending " + windowEnd
        + ", which closed after the allowed lateness of " + lateness + "; raise the lateness or log the row "
        + "without a timestamp");
  }
}
