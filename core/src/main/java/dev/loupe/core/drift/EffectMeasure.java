package dev.loupe.core.drift;

import java.util.Locale;

/**
 * The effect size reported beside every p-value: how far apart the two distributions are, a
 * number that does not grow with the sample size the way a test statistic does.
 */
public enum EffectMeasure {
  /**
   * Numeric columns: the Kolmogorov-Smirnov distance D = max_x |F_ref(x) - F_target(x)|, in [0, 1]:
   * the largest difference, over all thresholds x, in the share of values at or below x.
   */
  KS_DISTANCE,
  /**
   * Categorical columns: the total variation distance 1/2 sum_i |p_i - q_i| over the categories
   * tested, in [0, 1]: the largest difference in the probability of any set of categories, the
   * categorical counterpart of the KS distance (so one minimum effect means the same on both).
   */
  TOTAL_VARIATION,
  /** With the Hellinger test: the Hellinger distance itself, in [0, 1]. */
  HELLINGER;

  /** The JSON/table form: {@code ks_distance}, {@code total_variation}, {@code hellinger}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
