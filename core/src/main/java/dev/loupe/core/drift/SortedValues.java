package dev.loupe.core.drift;

import dev.loupe.core.metrics.DistributionMetric;
import java.util.Objects;
import org.apache.datasketches.quantilescommon.DoublesSortedView;

/**
 * A numeric sample's distribution as the KS test reads it: values in increasing order, each with the
 * cumulative weight of the values up to and including it (so the CDF at the i-th value is
 * {@code cumulativeWeight(i) / n()}, a step function that changes only at the values), and the bound
 * {@link #rankError()} on how far that CDF may be from the sample's own empirical CDF at any point.
 *
 * <p>A KLL sketch's sorted view is one ({@link #of(DistributionMetric)}); so is any weighted union of
 * such views, for instance a monitor's baseline kept as the union of its windows' retained items,
 * which needs no sketch merge. Values may repeat; the KS walk treats equal values (and -0.0 and 0.0)
 * as one point. No value is NaN.
 */
public final class SortedValues {
  /** No values. */
  public static final SortedValues EMPTY = new SortedValues(new double[0], new long[0], 0, 0.0);

  private final double[] values;
  private final long[] cumulative;
  private final int size;
  private final double rankError;

  /**
   * The first {@code size} entries of the arrays, which are not copied: the caller hands them over
   * and does not change them while this object is in use.
   *
   * @param values in increasing order (numerically; equal values allowed), no NaN
   * @param cumulativeWeights non-decreasing, the last one the sample's size
   * @param rankError the largest distance of this CDF from the sample's empirical CDF (0 when exact)
   */
  public SortedValues(double[] values, long[] cumulativeWeights, int size, double rankError) {
    this.values = Objects.requireNonNull(values, "values");
    this.cumulative = Objects.requireNonNull(cumulativeWeights, "cumulativeWeights");
    if (size < 0 || size > values.length || size > cumulativeWeights.length) {
      throw new IllegalArgumentException("size " + size + " does not fit arrays of " + values.length + " and "
          + cumulativeWeights.length);
    }
    if (!(rankError >= 0)) {
      throw new IllegalArgumentException("rank error must be at least 0, got " + rankError);
    }
    this.size = size;
    this.rankError = rankError;
  }

  /**
   * The retained items of a distribution's KLL sketch with their cumulative weights, and the sketch's
   * rank error allowance (DataSketches' double-sided normalized rank error at its k; 0 while the
   * sketch still holds every value). Empty for an empty sketch.
   */
  public static SortedValues of(DistributionMetric m) {
    if (m.isEmpty()) {
      return EMPTY;
    }
    return of(m.sortedView(), Drift.rankError(m));
  }

  /** A sorted view's items and cumulative weights (copied by the view), with the given rank error. */
  public static SortedValues of(DoublesSortedView view, double rankError) {
    double[] q = view.getQuantiles();
    long[] w = view.getCumulativeWeights();
    return new SortedValues(q, w, q.length, rankError);
  }

  /** How many entries (retained items). */
  public int size() {
    return size;
  }

  /** The {@code i}-th value in increasing order. */
  public double value(int i) {
    return values[i];
  }

  /** The total weight of entries 0 to {@code i}. */
  public long cumulativeWeight(int i) {
    return cumulative[i];
  }

  /** The weight of entry {@code i} alone. */
  public long weight(int i) {
    return i == 0 ? cumulative[0] : cumulative[i] - cumulative[i - 1];
  }

  /** The sample's size: the total weight. */
  public long n() {
    return size == 0 ? 0 : cumulative[size - 1];
  }

  /** The bound on |this CDF - the sample's empirical CDF| at every point. */
  public double rankError() {
    return rankError;
  }

  @Override
  public String toString() {
    return "SortedValues[" + size + " entries, n=" + n() + ", rankError=" + rankError + "]";
  }
}
