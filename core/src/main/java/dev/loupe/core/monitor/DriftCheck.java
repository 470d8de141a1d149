package dev.loupe.core.monitor;

import dev.loupe.core.ColumnView;
import dev.loupe.core.drift.ColumnDrift;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.DriftAlgorithm;
import dev.loupe.core.drift.DriftOptions;
import dev.loupe.core.metrics.DistributionMetric;
import java.util.Optional;

/**
 * The monitor's one door to the drift tests of {@link Drift}: a column of a window against the
 * same column of the baseline, as a p-value and an effect size. Replacing the drift API means
 * changing this class only.
 *
 * <p>Numeric columns: the KS test; its effect size is D itself (the largest distance between the
 * two CDFs), less the two sketches' rank errors, so that a sketch's own error never counts as a
 * shift. Categorical columns: the two-sample chi-square test of homogeneity (the baseline is
 * a sample too, not the truth), and the Hellinger distance of the category proportions as the
 * effect size.
 */
final class DriftCheck {
  private static final DriftOptions TEST = DriftOptions.builder().chiSquareHomogeneity(true).build();
  private static final DriftOptions DISTANCE = DriftOptions.builder().hellinger().build();

  /** A tested column: the test's statistic and p-value, and the effect size with its name. */
  record Finding(DriftAlgorithm test, double statistic, double pValue, String effectName, double effect,
      String note) {}

  private DriftCheck() {}

  /** The test of {@code window} against {@code baseline}; empty when no test applies (no values, other types). */
  static Optional<Finding> compare(String column, ColumnView baseline, ColumnView window) {
    ColumnDrift d = Drift.compareColumn(column, Optional.of(baseline), Optional.of(window), TEST);
    if (d.skipped() || d.pValue() == null || d.statistic() == null) {
      return Optional.empty();
    }
    if (d.algorithm() == DriftAlgorithm.KOLMOGOROV_SMIRNOV) {
      double err = rankError(baseline) + rankError(window);
      double effect = Math.max(0, d.statistic() - err);
      return Optional.of(new Finding(d.algorithm(), d.statistic(), d.pValue(), "KS D", effect, d.note()));
    }
    ColumnDrift h = Drift.compareColumn(column, Optional.of(baseline), Optional.of(window), DISTANCE);
    if (h.skipped() || h.statistic() == null) {
      return Optional.empty();
    }
    return Optional.of(new Finding(d.algorithm(), d.statistic(), d.pValue(), "Hellinger", h.statistic(), d.note()));
  }

  private static double rankError(ColumnView c) {
    return c.distribution().filter(d -> !d.isEmpty()).map(DistributionMetric::normalizedRankError).orElse(0.0);
  }
}
