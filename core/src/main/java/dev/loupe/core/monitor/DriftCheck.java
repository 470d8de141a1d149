package dev.loupe.core.monitor;

import dev.loupe.core.drift.ColumnDrift;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.DriftAlgorithm;
import dev.loupe.core.drift.DriftOptions;
import java.util.Optional;

/**
 * The monitor's one door to the drift tests of {@link Drift}: a column of a window against the
 * same column of the baseline, as a p-value and an effect size. Replacing the drift API means
 * changing this class only.
 *
 * <p>The calibrated tests (docs/drift.md): KS on the KLL sketches for numeric columns, the
 * two-sample chi-square test of homogeneity for categorical ones (the baseline is a sample too, not
 * the truth), both with the sketches' own error taken out of the tested statistic, so a sketch's
 * error never makes a p-value small. The effect size is the KS distance or the total variation
 * distance; the monitor applies its own alpha and minimum effect to them.
 */
final class DriftCheck {
  private static final DriftOptions OPTIONS = DriftOptions.builder().chiSquareHomogeneity(true)
      .sketchErrorCorrection(true).build();

  /** A tested column: the test's statistic and p-value, and the effect size with its name. */
  record Finding(DriftAlgorithm test, double statistic, double pValue, String effectName, double effect,
      String note) {}

  private DriftCheck() {}

  /**
   * The test of {@code window} against {@code baseline}; empty when no test applies (no values, other
   * types). The tests read the sides' given sorted values and category counts in place of the
   * columns' own sketches ({@code null}: the column's own): the trailing baseline's
   * {@link DistributionUnion} and {@link CategoryUnion}, and the window's, built once.
   */
  static Optional<Finding> compare(String column, Drift.Side baseline, Drift.Side window) {
    ColumnDrift d = Drift.compareColumn(column, baseline, window, OPTIONS);
    if (d.skipped() || d.pValue() == null || d.statistic() == null || d.effectSize() == null) {
      return Optional.empty();
    }
    return Optional.of(new Finding(d.algorithm(), d.statistic(), d.pValue(), d.effectMeasure().label(),
        d.effectSize(), d.note()));
  }
}
