package dev.loupe.core.drift;

/**
 * One column's drift result. For a tested column, {@code algorithm}, {@code statistic} and
 * {@code category} are set; {@code pValue} is set for the KS and chi-square tests and null for
 * Hellinger. A column no test applies to (only in one profile, no values, a type without a test)
 * is <em>skipped</em>: those fields are null and {@code note} says why.
 *
 * @param column the column name
 * @param type the target's inferred type
 * @param algorithm the test, or null when skipped
 * @param statistic KS D, chi-square statistic or Hellinger distance; null when skipped
 * @param pValue the test's p-value, or null (Hellinger, skipped)
 * @param category the drift category, or null when skipped
 * @param note details: why skipped, a type change, categories absent from the reference; "" when none
 */
public record ColumnDrift(String column, String type, DriftAlgorithm algorithm, Double statistic, Double pValue,
    DriftCategory category, String note) {

  public boolean skipped() {
    return category == null;
  }

  static ColumnDrift skipped(String column, String type, String why) {
    return new ColumnDrift(column, type, null, null, null, null, why);
  }
}
