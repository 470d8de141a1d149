package dev.loupe.core.monitor;

import dev.loupe.core.ColumnView;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.TypesMetric;

/**
 * One column's numbers in one window, for its time series. Numbers a window cannot give (the mean
 * of a column without numbers) are NaN.
 *
 * @param type the inferred type
 * @param count counts/n
 * @param nullFraction counts/null over counts/n
 * @param mean distribution/mean
 * @param quantiles distribution q_05, q_25, median, q_75, q_95 (whylogs' exclusive quantiles)
 * @param distinct the HLL estimate of distinct values
 * @param topShare the most frequent item's estimated count over the frequent-items stream length
 * @param typeMix fractions of the non-null values by kind, in {@link #TYPE_NAMES} order
 */
public record ColumnPoint(String type, long count, double nullFraction, double mean, double[] quantiles,
    double distinct, double topShare, double[] typeMix) {
  public static final double[] RANKS = {0.05, 0.25, 0.5, 0.75, 0.95};
  public static final String[] QUANTILE_NAMES = {"q_05", "q_25", "median", "q_75", "q_95"};
  public static final String[] TYPE_NAMES = {"integral", "fractional", "boolean", "string", "object", "tensor"};

  static ColumnPoint of(ColumnView c) {
    long n = c.counts().n();
    double nulls = n == 0 ? Double.NaN : (double) c.counts().nulls() / n;
    DistributionMetric d = c.distribution().filter(x -> !x.isEmpty()).orElse(null);
    double mean = d == null ? Double.NaN : d.mean().getAsDouble();
    double[] q = d == null ? nan(RANKS.length) : d.quantiles(RANKS).orElseThrow();
    double distinct = c.cardinality().filter(x -> !x.isEmpty()).map(x -> x.estimate()).orElse(Double.NaN);
    double top = Double.NaN;
    FrequentItemsMetric fi = c.frequentItems().filter(x -> !x.isEmpty()).orElse(null);
    if (fi != null && fi.streamLength() > 0) {
      long best = 0;
      for (FrequentItemsMetric.Item it : fi.frequentItems()) {
        best = Math.max(best, it.est());
      }
      top = (double) best / fi.streamLength();
    }
    return new ColumnPoint(c.inferredType(), n, nulls, mean, q, distinct, top, mix(c.types()));
  }

  static double[] mix(TypesMetric t) {
    long[] k = {t.integral(), t.fractional(), t.bool(), t.string(), t.object(), t.tensor()};
    long total = 0;
    for (long x : k) {
      total += x;
    }
    double[] out = new double[k.length];
    for (int i = 0; i < k.length; i++) {
      out[i] = total == 0 ? 0 : (double) k[i] / total;
    }
    return out;
  }

  private static double[] nan(int n) {
    double[] out = new double[n];
    java.util.Arrays.fill(out, Double.NaN);
    return out;
  }
}
