package dev.loupe.core.drift;

/** The tests {@link Drift} runs. */
public enum DriftAlgorithm {
  /** Two-sample Kolmogorov-Smirnov on the KLL sketches (numeric columns); gives a p-value. */
  KOLMOGOROV_SMIRNOV,
  /** Pearson chi-square on frequent items or boolean counts (categorical columns); gives a p-value. */
  CHI_SQUARE,
  /** Hellinger distance (0 = same, 1 = disjoint) on bucketed distributions or category proportions. */
  HELLINGER;

  /** The JSON/table form: {@code kolmogorov_smirnov}, {@code chi_square}, {@code hellinger}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
