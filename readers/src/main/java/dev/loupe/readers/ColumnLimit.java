package dev.loupe.readers;

/**
 * The most columns a file may have: each column's sketches and batch vectors cost memory per
 * profiling thread, so a file with 100,000 distinct keys would take gigabytes before any error.
 * Reading stops at the first column over the limit with a one-line error naming it. The limit is
 * {@value #DEFAULT} unless the environment variable {@value #SETTING} (or the system property
 * {@code loupe.maxColumns}) says otherwise.
 */
final class ColumnLimit {
  static final String SETTING = "LOUPE_MAX_COLUMNS";
  static final int DEFAULT = 10_000;

  private ColumnLimit() {}

  static int max() {
    String v = System.getProperty("loupe.maxColumns", System.getenv(SETTING));
    if (v == null || v.isBlank()) {
      return DEFAULT;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(SETTING + " must be a whole number of columns of at least 1, got '" + v + "'");
    }
  }

  /** The error for {@code where} (file, line) having more than {@code limit} columns. */
  static DataFormatException exceeded(String where, String found, int limit) {
    return new DataFormatException(where + ": " + found + ", over the limit of " + limit + " columns ("
        + SETTING + "); each column costs memory, so profiling stops here. Profile fewer columns, or raise "
        + SETTING + " with the memory to match (about 0.25 MB per column)");
  }
}
