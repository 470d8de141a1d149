package dev.loupe.core.drift;

/**
 * One column's drift result. For a tested column, {@code algorithm}, {@code statistic},
 * {@code category} and the effect size are set; {@code pValue} is set for the KS and chi-square
 * tests and null for Hellinger. A column no test applies to (only in one profile, no values, a type
 * without a test) is <em>skipped</em>: those fields are null and {@code note} says why.
 *
 * @param column the column name
 * @param type the target's inferred type
 * @param algorithm the test, or null when skipped
 * @param statistic KS D, chi-square statistic or Hellinger distance, computed from the sketches'
 *     estimates; null when skipped
 * @param pValue the test's p-value (from {@code testedStatistic}), or null (Hellinger, skipped)
 * @param category the drift category, or null when skipped
 * @param note details: why skipped, a type change, categories absent from the reference, estimated
 *     counts, a negligible effect; "" when none
 * @param effectSize how large the change is, whatever the sample size ({@link EffectMeasure}); null when skipped
 * @param effectMeasure what {@code effectSize} measures; null when skipped
 * @param testedStatistic the statistic the p-value comes from, after the sketches' own error is
 *     taken out (KS: max(0, D - sketchError); chi-square: the smallest statistic the exact counts
 *     can give); equals {@code statistic} when the sketches are exact; null for Hellinger and skipped
 * @param sketchError the largest error the sketches can add, in probability units: KS, the sum of
 *     both KLL sketches' normalized rank errors (0 while a sketch is exact); chi-square, the larger
 *     frequent-items count error over its stream length (0 for exact counts); null otherwise
 * @param degreesOfFreedom chi-square degrees of freedom; null for other tests
 * @param countsEstimated categorical: true when a frequent-items sketch was past its exact range
 * @param negligible true when the p-value alone would say (possible) drift but the effect size is
 *     below {@link DriftOptions#minEffect()}: reported as no drift, with a note
 */
public record ColumnDrift(String column, String type, DriftAlgorithm algorithm, Double statistic, Double pValue,
    DriftCategory category, String note, Double effectSize, EffectMeasure effectMeasure, Double testedStatistic,
    Double sketchError, Integer degreesOfFreedom, boolean countsEstimated, boolean negligible) {

  /** A result without the effect and sketch-error fields (kept for callers of the first version). */
  public ColumnDrift(String column, String type, DriftAlgorithm algorithm, Double statistic, Double pValue,
      DriftCategory category, String note) {
    this(column, type, algorithm, statistic, pValue, category, note, null, null, statistic, null, null, false, false);
  }

  public boolean skipped() {
    return category == null;
  }

  static ColumnDrift skipped(String column, String type, String why) {
    return new ColumnDrift(column, type, null, null, null, null, why, null, null, null, null, null, false, false);
  }

  ColumnDrift withType(String newType) {
    return new ColumnDrift(column, newType, algorithm, statistic, pValue, category, note, effectSize, effectMeasure,
        testedStatistic, sketchError, degreesOfFreedom, countsEstimated, negligible);
  }

  ColumnDrift withNote(String newNote) {
    return new ColumnDrift(column, type, algorithm, statistic, pValue, category, newNote, effectSize, effectMeasure,
        testedStatistic, sketchError, degreesOfFreedom, countsEstimated, negligible);
  }
}
