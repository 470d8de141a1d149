package dev.loupe.core.drift;

/** How far a column's target distribution has moved from its reference, by the test's thresholds. */
public enum DriftCategory {
  NO_DRIFT, POSSIBLE_DRIFT, DRIFT;

  /** The JSON/table form: {@code no_drift}, {@code possible_drift}, {@code drift}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
