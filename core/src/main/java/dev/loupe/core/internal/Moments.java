package dev.loupe.core.internal;

/**
 * Chan et al.'s parallel combination of means and m2 (sums of squared deviations from the mean): the one place
 * for it, used by the distribution metric's merge and by the column tracker when it folds a batch into its running
 * moments. With delta = meanB - meanA and n = nA + nB: mean = meanA + delta * nB / n,
 * m2 = m2A + m2B + delta^2 * nA * nB / n. Both parts must hold at least one value.
 */
public final class Moments {
  private Moments() {}

  /** The mean of the union of part A ({@code na} values, mean {@code meanA}) and part B. */
  public static double mergedMean(double na, double meanA, double nb, double meanB) {
    double delta = meanB - meanA;
    return meanA + delta * (nb / (na + nb));
  }

  /** The m2 of the union of part A ({@code na} values, mean {@code meanA}, m2 {@code m2A}) and part B. */
  public static double mergedM2(double na, double meanA, double m2A, double nb, double meanB, double m2B) {
    double delta = meanB - meanA;
    return m2A + m2B + delta * delta * (na * nb / (na + nb));
  }
}
