package dev.loupe.core.drift;

import java.util.Objects;

/**
 * What {@link Drift#compare(dev.loupe.core.ProfileView, dev.loupe.core.ProfileView, DriftOptions)}
 * runs and how it reads the numbers. Defaults: Kolmogorov-Smirnov on the KLL sketches with their
 * rank error taken out of D, the two-sample chi-square test of homogeneity on the frequent items
 * (their error bounds taken out, rare categories pooled), whylogs' thresholds p &gt;= 0.15 no drift,
 * 0.05 &lt;= p &lt; 0.15 possible drift, p &lt; 0.05 drift, no minimum effect; Hellinger (30 buckets)
 * &lt; 0.15 no drift, 0.15..0.4 possible, &gt;= 0.4 drift. {@link Builder#whylogsCompatible()} gives
 * whylogs' own computations (goodness of fit, raw D at 100 quantiles) instead.
 *
 * <pre>{@code
 * DriftOptions o = DriftOptions.builder().minEffect(0.02).build();
 * }</pre>
 */
public final class DriftOptions {
  private static final DriftOptions DEFAULTS = builder().build();

  private final DriftAlgorithm numeric;
  private final DriftAlgorithm categorical;
  private final double pDrift;
  private final double pPossible;
  private final double hPossible;
  private final double hDrift;
  private final int ksQuantiles;
  private final int hellingerBuckets;
  private final boolean homogeneity;
  private final boolean sketchErrorCorrection;
  private final double minEffect;

  private DriftOptions(Builder b) {
    this.homogeneity = b.homogeneity;
    this.sketchErrorCorrection = b.sketchErrorCorrection;
    this.minEffect = b.minEffect;
    this.numeric = b.numeric;
    this.categorical = b.categorical;
    this.pDrift = b.pDrift;
    this.pPossible = b.pPossible;
    this.hPossible = b.hPossible;
    this.hDrift = b.hDrift;
    this.ksQuantiles = b.ksQuantiles;
    this.hellingerBuckets = b.hellingerBuckets;
  }

  public static DriftOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public DriftAlgorithm numericAlgorithm() {
    return numeric;
  }

  public DriftAlgorithm categoricalAlgorithm() {
    return categorical;
  }

  public int ksQuantiles() {
    return ksQuantiles;
  }

  public int hellingerBuckets() {
    return hellingerBuckets;
  }

  /** Whether the chi-square test is the two-sample test of homogeneity rather than goodness of fit. */
  public boolean chiSquareHomogeneity() {
    return homogeneity;
  }

  /**
   * Whether the tests take the sketches' own error out of their statistics (default true): KS
   * subtracts both KLL sketches' rank error from D and is evaluated at every retained item; the
   * chi-square test of homogeneity uses the frequent-items error bounds and pools categories with
   * expected counts below 5. False (whylogs compatible) tests the estimates as if they were exact.
   */
  public boolean sketchErrorCorrection() {
    return sketchErrorCorrection;
  }

  /**
   * The smallest effect size ({@link EffectMeasure}) worth calling drift; 0 (default) when any
   * significant change counts. A significant change with a smaller effect is reported as no drift,
   * flagged {@link ColumnDrift#negligible()}.
   */
  public double minEffect() {
    return minEffect;
  }

  /** The category of a p-value (KS, chi-square). */
  DriftCategory categoryOfPValue(double p) {
    if (p >= pPossible) {
      return DriftCategory.NO_DRIFT;
    }
    return p >= pDrift ? DriftCategory.POSSIBLE_DRIFT : DriftCategory.DRIFT;
  }

  /** The category of a Hellinger distance. */
  DriftCategory categoryOfDistance(double h) {
    if (h < hPossible) {
      return DriftCategory.NO_DRIFT;
    }
    return h < hDrift ? DriftCategory.POSSIBLE_DRIFT : DriftCategory.DRIFT;
  }

  public static final class Builder {
    private DriftAlgorithm numeric = DriftAlgorithm.KOLMOGOROV_SMIRNOV;
    private DriftAlgorithm categorical = DriftAlgorithm.CHI_SQUARE;
    private double pDrift = 0.05;
    private double pPossible = 0.15;
    private double hPossible = 0.15;
    private double hDrift = 0.4;
    private int ksQuantiles = 100;
    private int hellingerBuckets = 30;
    private boolean homogeneity = true;
    private boolean sketchErrorCorrection = true;
    private double minEffect;

    private Builder() {}

    /**
     * Chi-square as the two-sample test of homogeneity (a 2 x k contingency table, expected counts
     * from the pooled proportions; the default) or, with false, whylogs' goodness of fit to the
     * reference proportions. Goodness of fit treats the reference as exact, which inflates the
     * statistic by about 1 + n_target / n_ref: right only when the reference is much larger than
     * the target, too eager to flag drift when both are samples of similar size. Homogeneity also
     * gives categories new in the target a finite contribution.
     */
    public Builder chiSquareHomogeneity(boolean on) {
      this.homogeneity = on;
      return this;
    }

    /** See {@link DriftOptions#sketchErrorCorrection()}; default true. */
    public Builder sketchErrorCorrection(boolean on) {
      this.sketchErrorCorrection = on;
      return this;
    }

    /**
     * whylogs' computations, for comparing numbers with whylogs: chi-square goodness of fit to the
     * reference proportions (a category the reference never saw gives p = 0), KS D at 100 evenly
     * ranked quantiles with no allowance for the sketches' error. Not calibrated: on two samples of
     * one distribution it says "drift" far more often than alpha (see docs/drift.md).
     */
    public Builder whylogsCompatible() {
      this.homogeneity = false;
      this.sketchErrorCorrection = false;
      this.ksQuantiles = 100;
      return this;
    }

    /**
     * The smallest effect size worth calling drift (KS distance for numeric columns, total
     * variation distance for categorical ones, both in [0, 1]); default 0. With 0.02, a change that
     * moves less than 2% of the probability mass is "significant but negligible" and reported as
     * no drift.
     */
    public Builder minEffect(double effect) {
      if (!(effect >= 0 && effect < 1)) {
        throw new IllegalArgumentException("minEffect must be in [0, 1), got " + effect);
      }
      this.minEffect = effect;
      return this;
    }

    /** KOLMOGOROV_SMIRNOV (default) or HELLINGER. */
    public Builder numericAlgorithm(DriftAlgorithm a) {
      if (Objects.requireNonNull(a) == DriftAlgorithm.CHI_SQUARE) {
        throw new IllegalArgumentException("numeric columns take KOLMOGOROV_SMIRNOV or HELLINGER, not CHI_SQUARE");
      }
      this.numeric = a;
      return this;
    }

    /** CHI_SQUARE (default) or HELLINGER. */
    public Builder categoricalAlgorithm(DriftAlgorithm a) {
      if (Objects.requireNonNull(a) == DriftAlgorithm.KOLMOGOROV_SMIRNOV) {
        throw new IllegalArgumentException("categorical columns take CHI_SQUARE or HELLINGER, not KOLMOGOROV_SMIRNOV");
      }
      this.categorical = a;
      return this;
    }

    /** Hellinger for both kinds of column. */
    public Builder hellinger() {
      this.numeric = DriftAlgorithm.HELLINGER;
      this.categorical = DriftAlgorithm.HELLINGER;
      return this;
    }

    /** p below {@code drift} is drift; p below {@code possible} possible drift (defaults 0.05, 0.15). */
    public Builder pValueThresholds(double drift, double possible) {
      if (!(0 < drift && drift <= possible && possible < 1)) {
        throw new IllegalArgumentException("need 0 < drift <= possible < 1, got drift=" + drift + ", possible=" + possible);
      }
      this.pDrift = drift;
      this.pPossible = possible;
      return this;
    }

    /** Hellinger at or above {@code possible} is possible drift, at or above {@code drift} drift (defaults 0.15, 0.4). */
    public Builder hellingerThresholds(double possible, double drift) {
      if (!(0 < possible && possible <= drift && drift <= 1)) {
        throw new IllegalArgumentException("need 0 < possible <= drift <= 1, got possible=" + possible + ", drift=" + drift);
      }
      this.hPossible = possible;
      this.hDrift = drift;
      return this;
    }

    /**
     * Quantiles of each sketch at which the KS test compares the two CDFs when the sketch error
     * correction is off (default 100); with it on, D is taken over every retained item.
     */
    public Builder ksQuantiles(int n) {
      if (n < 2) {
        throw new IllegalArgumentException("ksQuantiles must be at least 2, got " + n);
      }
      this.ksQuantiles = n;
      return this;
    }

    /** Equal-width buckets of the numeric Hellinger distance (default 30). */
    public Builder hellingerBuckets(int n) {
      if (n < 2) {
        throw new IllegalArgumentException("hellingerBuckets must be at least 2, got " + n);
      }
      this.hellingerBuckets = n;
      return this;
    }

    public DriftOptions build() {
      return new DriftOptions(this);
    }
  }
}
