package dev.loupe.core.monitor;

/** What a monitor alert is about. */
public enum Check {
  /** The window's distribution differs from the baseline's (KS or chi-square, with an effect size). */
  DRIFT("drift"),
  /** The window's null fraction jumped against the baseline's. */
  NULLS("nulls"),
  /** The window's row count is far from its like windows (same hour of day for hourly windows). */
  ROWS("rows"),
  /** A column appeared, disappeared, or changed its type mix. */
  SCHEMA("schema"),
  /** Windows are missing between two written windows. */
  GAP("gap"),
  /** A window was written again later (parts 1, 2, ...: rows that arrived after it was written). */
  LATE("late"),
  /** A constraint from the constraints file failed on the window. */
  CONSTRAINT("constraint");

  private final String label;

  Check(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
