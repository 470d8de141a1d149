package dev.loupe.core.metrics;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.core.internal.Moments;
import dev.loupe.proto.v1.KllSketchMessage;
import dev.loupe.proto.v1.MetricComponentMessage;
import dev.loupe.proto.v1.MetricComponentMessage.ValueCase;
import com.google.protobuf.ByteString;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.DoublesSortedView;
import org.apache.datasketches.kll.KllSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The distribution of a column's numeric values: a KLL doubles sketch (k = 1024) for quantiles,
 * min and max, plus the exact mean and m2 (sum of squared deviations) for mean and stddev. The
 * count is the sketch's n. mean/m2 merge with Chan et al.'s parallel formula (one place: internal.Moments).
 *
 * <p>Quantiles are EXCLUSIVE, as whylogs reports them. Their rank error is
 * {@link #normalizedRankError()}: 0.27% of the ranks for k = 1024, at 99% confidence, for a
 * single quantile or rank (0.35% for a whole CDF).
 */
public final class DistributionMetric implements Metric<DistributionMetric> {
  public static final String NAMESPACE = "distribution";
  public static final int DEFAULT_K = 1024;
  public static final DistributionMetric EMPTY = new DistributionMetric(KllDoublesSketch.newHeapInstance(DEFAULT_K), 0, 0);
  public static final MetricKind<DistributionMetric> KIND =
      MetricKind.of(NAMESPACE, DistributionMetric.class, () -> EMPTY, Set.of("kll", "mean", "m2"), DistributionMetric::decode);

  /** The quantiles the summary reports, with their summary names (see {@link #summaryRanks()}). */
  private static final double[] SUMMARY_RANKS = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
  private static final List<String> SUMMARY_NAMES =
      List.of("q_01", "q_05", "q_10", "q_25", "median", "q_75", "q_90", "q_95", "q_99");

  private final KllDoublesSketch kll; // owned: never handed out, never updated after construction
  private final double mean;
  private final double m2;

  private DistributionMetric(KllDoublesSketch kll, double mean, double m2) {
    this.kll = kll;
    this.mean = mean;
    this.m2 = m2;
  }

  /** A metric from a sketch (copied) and the mean and m2 of the same values. */
  public static DistributionMetric of(KllDoublesSketch sketch, double mean, double m2) {
    if (sketch.isEmpty()) {
      return EMPTY;
    }
    return new DistributionMetric(KllDoublesSketch.heapify(Memory.wrap(sketch.toByteArray())), mean, m2);
  }

  /** The ranks of the quantiles the summary reports (a fresh copy), in the order of {@link #summaryNames()}. */
  public static double[] summaryRanks() {
    return SUMMARY_RANKS.clone();
  }

  /** The summary names of the quantiles at {@link #summaryRanks()}: {@code q_01} ... {@code median} ... {@code q_99}. */
  public static List<String> summaryNames() {
    return SUMMARY_NAMES;
  }

  public long n() {
    return kll.getN();
  }

  /** Mean of the values; empty when the metric is. */
  public OptionalDouble mean() {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(mean);
  }

  public double m2() {
    return m2;
  }

  /** Sample standard deviation sqrt(m2 / (n - 1)); empty for fewer than two values. */
  public OptionalDouble stddev() {
    long n = n();
    return n < 2 ? OptionalDouble.empty() : OptionalDouble.of(Math.sqrt(m2 / (n - 1)));
  }

  /** The smallest value; empty when the metric is. */
  public OptionalDouble min() {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(kll.getMinItem());
  }

  /** The largest value; empty when the metric is. */
  public OptionalDouble max() {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(kll.getMaxItem());
  }

  /** The EXCLUSIVE quantile at normalized rank {@code rank}; empty when the metric is. */
  public OptionalDouble quantile(double rank) {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(kll.getQuantile(rank, QuantileSearchCriteria.EXCLUSIVE));
  }

  /** EXCLUSIVE quantiles at the given ranks; empty when the metric is. */
  public Optional<double[]> quantiles(double[] ranks) {
    return isEmpty() ? Optional.empty() : Optional.of(kll.getQuantiles(ranks, QuantileSearchCriteria.EXCLUSIVE));
  }

  /** The normalized rank of {@code value} (fraction of values below it, EXCLUSIVE); empty when the metric is. */
  public OptionalDouble rank(double value) {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(kll.getRank(value, QuantileSearchCriteria.EXCLUSIVE));
  }

  /**
   * Cumulative fractions at the split points (EXCLUSIVE); one more entry than splits, the last 1.0. Empty when the
   * metric is.
   */
  public Optional<double[]> cdf(double[] splitPoints) {
    return isEmpty() ? Optional.empty() : Optional.of(kll.getCDF(splitPoints, QuantileSearchCriteria.EXCLUSIVE));
  }

  /** Single-sided normalized rank error of this sketch at 99% confidence. */
  public double normalizedRankError() {
    return kll.getNormalizedRankError(false);
  }

  /** The sketch's k. */
  public int k() {
    return kll.getK();
  }

  /**
   * The sketch's retained items in order with their cumulative weights, without copying the sketch
   * (the view's arrays are handed out as copies). For rank walks over all items, such as the KS test.
   */
  public DoublesSortedView sortedView() {
    synchronized (kll) { // DataSketches caches the view inside the sketch; the metric may be shared
      return kll.getSortedView();
    }
  }

  /** Whether the sketch has compacted (no longer holds every value). */
  public boolean isEstimationMode() {
    return kll.isEstimationMode();
  }

  /** DataSketches' normalized rank error at 99% confidence, double- or single-sided, at this sketch's k. */
  public double normalizedRankError(boolean doubleSided) {
    return kll.getNormalizedRankError(doubleSided);
  }

  /** A copy of the sketch, for callers that need DataSketches' own API. */
  public KllDoublesSketch sketchCopy() {
    return KllDoublesSketch.heapify(Memory.wrap(kll.toByteArray()));
  }

  @Override
  public String namespace() {
    return NAMESPACE;
  }

  @Override
  public boolean isEmpty() {
    return kll.isEmpty();
  }

  @Override
  public DistributionMetric merge(DistributionMetric o) {
    if (o.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return o;
    }
    KllDoublesSketch merged = mergedSketch(kll, o.kll);
    double na = kll.getN();
    double nb = o.kll.getN();
    return new DistributionMetric(merged, Moments.mergedMean(na, mean, nb, o.mean),
        Moments.mergedM2(na, mean, m2, nb, o.mean, o.m2));
  }

  /**
   * The merge of two sketches as a new sketch, leaving both untouched. The larger sketch (more items seen) is
   * copied and the smaller merged into the copy: one DataSketches merge instead of two into an empty sketch
   * (merging into an empty sketch replays the whole level 0 and compacts every level again). The result is a
   * KLL sketch of the larger k, as before; when the larger sketch has the smaller k it cannot be the base, and
   * both are merged into a new sketch of the larger k.
   */
  static KllDoublesSketch mergedSketch(KllDoublesSketch a, KllDoublesSketch b) {
    KllDoublesSketch big = a.getN() >= b.getN() ? a : b;
    KllDoublesSketch small = big == a ? b : a;
    if (big.getK() >= small.getK()) {
      KllDoublesSketch merged = KllDoublesSketch.heapify(Memory.wrap(big.toByteArray()));
      merged.merge(small);
      return merged;
    }
    KllDoublesSketch merged = KllDoublesSketch.newHeapInstance(small.getK());
    merged.merge(a);
    merged.merge(b);
    return merged;
  }

  /** This metric's state as named components (names without the namespace). */
  Map<String, MetricComponentMessage> toComponents() {
    Map<String, MetricComponentMessage> c = new LinkedHashMap<>();
    byte[] bytes = KllWhylogsLayout.toWhylogs(kll.toByteArray());
    c.put("kll", MetricComponentMessage.newBuilder()
        .setKll(KllSketchMessage.newBuilder().setSketch(ByteString.copyFrom(bytes))).build());
    c.put("mean", Components.d(isEmpty() ? 0.0 : mean));
    c.put("m2", Components.d(isEmpty() ? 0.0 : m2));
    return c;
  }

  @Override
  public void summarize(Map<String, Object> out) {
    boolean empty = isEmpty();
    out.put("mean", empty ? null : mean);
    out.put("stddev", n() < 2 ? null : Math.sqrt(m2 / (n() - 1)));
    out.put("n", n());
    out.put("max", empty ? null : kll.getMaxItem());
    out.put("min", empty ? null : kll.getMinItem());
    double[] q = empty ? null : kll.getQuantiles(SUMMARY_RANKS, QuantileSearchCriteria.EXCLUSIVE);
    for (int i = 0; i < SUMMARY_NAMES.size(); i++) {
      out.put(SUMMARY_NAMES.get(i), empty ? null : q[i]);
    }
  }

  /** Bytes of the sketch in DataSketches' own layout, for equality checks in tests and tools. */
  public byte[] sketchBytes() {
    return kll.toByteArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DistributionMetric other
        && mean().equals(other.mean())
        && Double.compare(m2, other.m2) == 0
        && java.util.Arrays.equals(kll.toByteArray(), other.kll.toByteArray());
  }

  @Override
  public int hashCode() {
    return Long.hashCode(n()) * 31 + mean().hashCode();
  }

  @Override
  public String toString() {
    return isEmpty() ? "DistributionMetric[empty]"
        : "DistributionMetric[n=" + n() + ", mean=" + mean + ", min=" + kll.getMinItem() + ", max=" + kll.getMaxItem() + "]";
  }

  private static DistributionMetric decode(Map<String, MetricComponentMessage> c, String where)
      throws ProfileFormatException {
    byte[] bytes = Components.readSketch(c, "kll", ValueCase.KLL, where);
    double mean = Components.readD(c, "mean", 0, where);
    double m2 = Components.readD(c, "m2", 0, where);
    if (bytes == null || bytes.length == 0) {
      return EMPTY;
    }
    KllDoublesSketch sketch = heapifyKll(bytes, where);
    if (sketch.isEmpty()) {
      return EMPTY;
    }
    return new DistributionMetric(sketch, mean, m2);
  }

  /**
   * Reads KLL doubles bytes in either whylogs layout (preamble 6 with its 4 pad bytes, or the
   * standard preamble 5), with checks that keep garbage from allocating. {@code context} names
   * the file and component for errors.
   */
  static KllDoublesSketch heapifyKll(byte[] bytes, String context) throws ProfileFormatException {
    String where = context + ", component 'kll'";
    byte[] java = KllWhylogsLayout.toJava(bytes);
    if (java.length < 8) {
      throw new ProfileFormatException(where + ": KLL sketch of " + java.length
          + " bytes is shorter than its 8-byte preamble; the file is corrupt or truncated");
    }
    int family = java[2] & 0xff;
    if (family != 15) {
      throw new ProfileFormatException(where + ": expected a KLL sketch (family id 15) but found family id "
          + family + "; the file is corrupt");
    }
    int k = (java[4] & 0xff) | ((java[5] & 0xff) << 8);
    if (k < 8 || k > KllSketch.MAX_K) {
      throw new ProfileFormatException(where + ": KLL k = " + k + " is outside 8.." + KllSketch.MAX_K
          + "; the file is corrupt");
    }
    try {
      KllDoublesSketch sketch = KllDoublesSketch.heapify(Memory.wrap(java));
      if (!sketch.isEmpty() && sketch.getSerializedSizeBytes() != java.length) {
        throw new ProfileFormatException(where + ": KLL sketch declares " + sketch.getSerializedSizeBytes()
            + " bytes but " + java.length + " are stored; the file is corrupt or truncated");
      }
      return sketch;
    } catch (RuntimeException e) {
      throw Components.badSketch(context, "kll", "KLL", e);
    }
  }
}
