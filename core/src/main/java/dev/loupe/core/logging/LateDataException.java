package dev.loupe.core.logging;

import java.time.Instant;

/**
 * A row's timestamp falls in a window that was already written and is past the allowed
 * lateness. The row was not logged; nothing else was affected.
 */
public final class LateDataException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final Instant timestamp;
  private final Instant windowEnd;
  private final java.time.Duration lateness;

  public LateDataException(String datasetId, Instant timestamp, Instant windowEnd, java.time.Duration lateness) {
    super("dataset '" + datasetId + "': row timestamp " + timestamp + " belongs to the window ending " + windowEnd
        + ", which closed after the allowed lateness of " + lateness + "; raise the lateness or log the row "
        + "without a timestamp");
    this.timestamp = timestamp;
    this.windowEnd = windowEnd;
    this.lateness = lateness;
  }

  /** The row's timestamp. */
  public Instant timestamp() {
    return timestamp;
  }

  /** The end of the window the row belongs to (already written). */
  public Instant windowEnd() {
    return windowEnd;
  }

  /** The allowed lateness the row missed. */
  public java.time.Duration lateness() {
    return lateness;
  }
}
