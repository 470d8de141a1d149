package dev.loupe.report;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.drift.ColumnDrift;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.DriftReport;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The numbers {@link HtmlReport} shows, computed from the profiles with no HTML in sight: per column
 * the counts, the summary statistics, the histogram's bucket edges and masses and the bars' shares.
 * The page ({@link HtmlReport}) and its charts ({@link Svg}) only format and draw these.
 *
 * @param rows the profile's row count (the largest column count)
 * @param referenceColumns the reference's column count, -1 without a reference
 * @param drift drift against the reference, null without one
 */
record ReportModel(String title, int columnCount, long rows, Optional<Instant> datasetTimestamp,
    Optional<Instant> creationTimestamp, Map<String, String> tags, int referenceColumns, long referenceRows,
    DriftReport drift, List<Column> columns) {

  static final int BUCKETS = 30;
  static final int TOP_ITEMS = 10;
  /** The histogram's range is the TAIL to 1 - TAIL quantiles of both sides. */
  static final double TAIL = 0.005;

  boolean hasReference() {
    return referenceColumns >= 0;
  }

  static ReportModel of(ProfileView profile, ProfileView reference, String title) {
    DriftReport drift = reference == null ? null : Drift.compare(reference, profile);
    List<Column> columns = new ArrayList<>();
    for (Map.Entry<String, ColumnView> e : profile.columns().entrySet()) {
      ColumnView ref = reference == null ? null : reference.column(e.getKey()).orElse(null);
      columns.add(Column.of(e.getKey(), e.getValue(), ref,
          drift == null ? null : drift.column(e.getKey()).orElse(null), profile.isTime(e.getKey())));
    }
    return new ReportModel(title, profile.columns().size(), rows(profile),
        profile.properties().datasetTimestamp(), profile.properties().creationTimestamp(),
        profile.properties().tags(), reference == null ? -1 : reference.columns().size(),
        reference == null ? 0 : rows(reference), drift, columns);
  }

  private static long rows(ProfileView p) {
    return p.columns().values().stream().mapToLong(c -> c.counts().n()).max().orElse(0);
  }

  /**
   * One column. Statistics a column does not have are NaN; {@code distinct} is -1 without a
   * cardinality sketch; {@code ref*} are the reference's (NaN without one).
   *
   * @param values the distribution's value count (0: no numeric values, no statistics, no histogram)
   * @param histogram null without numeric values
   * @param bars the frequent items' (or, for booleans, true and false) shares; null when neither
   * @param drift the column's drift, null without a reference
   * @param time a time column (epoch milliseconds, {@link ProfileView#isTime}): its values are shown as instants
   */
  record Column(String name, String type, boolean time, long count, long nulls, long infinities, long booleans, long trues,
      long distinct, long values, double mean, double stddev, double min, double q05, double q25, double median,
      double q75, double q95, double max, double refMean, double refStddev, double refMedian, Histogram histogram,
      Bars bars, ColumnDrift drift) {

    /** A value of this column as text: an instant in a time column, else a number (the one rule of each). */
    String valueText(double v) {
      return time ? ProfileView.instantText(v).orElseGet(() -> Html.numText(v)) : Html.numText(v);
    }

    double nullShare() {
      return (double) nulls / Math.max(1, count);
    }

    static Column of(String name, ColumnView c, ColumnView ref, ColumnDrift drift, boolean time) {
      Optional<DistributionMetric> d = c.distribution().filter(m -> !m.isEmpty());
      Optional<DistributionMetric> rd = ref == null ? Optional.empty() : ref.distribution().filter(m -> !m.isEmpty());
      long distinct = c.cardinality().filter(m -> !m.isEmpty()).map(CardinalityMetric::estimate)
          .map(Math::round).orElse(-1L);
      Bars bars = null;
      Optional<FrequentItemsMetric> fi = c.frequentItems().filter(m -> !m.isEmpty());
      if (fi.isPresent()) {
        bars = Bars.frequentItems(fi.get(),
            ref == null ? Optional.empty() : ref.frequentItems().filter(m -> !m.isEmpty()), time);
      } else if (c.types().bool() > 0) {
        bars = Bars.booleans(c, ref == null || ref.types().bool() == 0 ? null : ref);
      }
      return new Column(name, time && (c.types().integral() > 0 || c.counts().n() == c.counts().nulls()) ? "time"
          : c.inferredType(), time, c.counts().n(), c.counts().nulls(), c.counts().inf(),
          c.types().bool(), c.counts().trueCount(), distinct, d.map(DistributionMetric::n).orElse(0L),
          stat(d, DistributionMetric::mean), stat(d.filter(m -> m.n() > 1), DistributionMetric::stddev),
          stat(d, DistributionMetric::min), stat(d, m -> m.quantile(0.05)), stat(d, m -> m.quantile(0.25)),
          stat(d, m -> m.quantile(0.5)), stat(d, m -> m.quantile(0.75)), stat(d, m -> m.quantile(0.95)),
          stat(d, DistributionMetric::max), stat(rd, DistributionMetric::mean),
          stat(rd.filter(m -> m.n() > 1), DistributionMetric::stddev), stat(rd, m -> m.quantile(0.5)),
          d.map(m -> Histogram.of(m, rd)).orElse(null), bars, drift);
    }

    private static double stat(Optional<DistributionMetric> d,
        java.util.function.Function<DistributionMetric, java.util.OptionalDouble> f) {
      return d.isPresent() ? f.apply(d.get()).orElse(Double.NaN) : Double.NaN;
    }
  }

  /**
   * A histogram over BUCKETS equal-width buckets from {@code lo} to {@code hi}: {@code masses[i]}
   * is the sketch's share of values in {@code (edges[i], edges[i + 1]]}, the first bucket open
   * below and the last open above (so values outside the range land in the end buckets).
   * {@code finite} false: the range is not finite and there is nothing to draw.
   *
   * @param referenceMasses the reference's masses over the same buckets, null without one
   * @param clipped values of either side lie outside [lo, hi]
   */
  record Histogram(boolean finite, double lo, double hi, double[] edges, double[] masses, double[] referenceMasses,
      boolean clipped, double min, double max) {

    /** The tallest bar of either side (1 when all are 0): the chart's full height. */
    double top() {
      double top = 0;
      for (int i = 0; i < masses.length; i++) {
        top = Math.max(top, masses[i]);
        if (referenceMasses != null) {
          top = Math.max(top, referenceMasses[i]);
        }
      }
      return top <= 0 ? 1 : top;
    }

    static Histogram of(DistributionMetric m, Optional<DistributionMetric> ref) {
      // the range is the 0.5% to 99.5% quantiles of both sides, so one outlier cannot squash the
      // chart; values beyond it fall into the end buckets (the PMF's first and last buckets are open)
      double lo = nan(m.quantile(TAIL));
      double hi = nan(m.quantile(1 - TAIL));
      if (ref.isPresent()) {
        lo = Math.min(lo, nan(ref.get().quantile(TAIL)));
        hi = Math.max(hi, nan(ref.get().quantile(1 - TAIL)));
      }
      boolean clipped = lo > nan(m.min()) || hi < nan(m.max())
          || ref.map(r -> nan(r.min()) < nan(m.quantile(TAIL)) || nan(r.max()) > nan(m.quantile(1 - TAIL))).orElse(false);
      if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
        return new Histogram(false, lo, hi, new double[0], new double[0], null, clipped, nan(m.min()), nan(m.max()));
      }
      double[] edges = new double[BUCKETS + 1];
      for (int i = 0; i <= BUCKETS; i++) {
        edges[i] = lo + (hi - lo) * i / BUCKETS;
      }
      final double from = lo;
      final double to = hi;
      return new Histogram(true, lo, hi, edges, masses(m, lo, hi),
          ref.map(r -> masses(r, from, to)).orElse(null), clipped, nan(m.min()), nan(m.max()));
    }

    /** A statistic of a non-empty sketch; NaN stands for "none" only inside this drawing model. */
    private static double nan(java.util.OptionalDouble v) {
      return v.orElse(Double.NaN);
    }

    /** Mass per equal-width bucket over [lo, hi]; a single value puts all mass in the middle bucket. */
    static double[] masses(DistributionMetric m, double lo, double hi) {
      double[] out = new double[BUCKETS];
      if (hi <= lo) {
        out[BUCKETS / 2] = 1;
        return out;
      }
      // the inner edges, strictly increasing (two could coincide when lo and hi are adjacent doubles)
      double[] split = java.util.stream.IntStream.range(1, BUCKETS).mapToDouble(i -> lo + (hi - lo) * i / BUCKETS)
          .distinct().sorted().toArray();
      KllDoublesSketch s = m.sketchCopy();
      double[] pmf = s.getPMF(split, QuantileSearchCriteria.INCLUSIVE);
      System.arraycopy(pmf, 0, out, 0, Math.min(pmf.length, BUCKETS));
      return out;
    }
  }

  /**
   * Horizontal share bars: per label the profile's share and (with a reference) the reference's
   * share of the same label.
   *
   * @param held how many items the frequent-items sketch holds (more than {@code bars.size()} when cut
   *     to TOP_ITEMS); for booleans, 2
   * @param referenced whether reference shares are drawn
   */
  record Bars(boolean booleans, List<Bar> bars, int held, boolean referenced) {

    static Bars frequentItems(FrequentItemsMetric fi, Optional<FrequentItemsMetric> rfi, boolean time) {
      List<FrequentItemsMetric.Item> all = fi.allItems();
      double total = Math.max(1, fi.streamLength());
      List<Bar> bars = new ArrayList<>();
      for (FrequentItemsMetric.Item it : all.subList(0, Math.min(TOP_ITEMS, all.size()))) {
        double ref = rfi.map(r -> r.estimate(it.value()) / (double) Math.max(1, r.streamLength())).orElse(Double.NaN);
        bars.add(new Bar(time ? ProfileView.timeItemText(it.value()) : it.value(), it.est() / total, ref));
      }
      return new Bars(false, bars, all.size(), rfi.isPresent());
    }

    static Bars booleans(ColumnView c, ColumnView ref) {
      double[] s = booleanShares(c);
      double[] r = ref == null ? new double[] {Double.NaN, Double.NaN} : booleanShares(ref);
      return new Bars(true, List.of(new Bar("True", s[0], r[0]), new Bar("False", s[1], r[1])), 2, ref != null);
    }

    private static double[] booleanShares(ColumnView c) {
      double n = Math.max(1, c.types().bool());
      return new double[] {c.counts().trueCount() / n, (c.types().bool() - c.counts().trueCount()) / n};
    }

    /** The longest bar of either side (1 when all are 0): the chart's full width. */
    double top() {
      double max = 0;
      for (Bar b : bars) {
        max = Math.max(max, b.share());
        if (referenced) {
          max = Math.max(max, b.referenceShare());
        }
      }
      return max <= 0 ? 1 : max;
    }
  }

  /** One bar: a label, its share of the profile's values and of the reference's (NaN without one). */
  record Bar(String label, double share, double referenceShare) {}
}
