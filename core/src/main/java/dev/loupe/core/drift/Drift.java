package dev.loupe.core.drift;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.DoublesSortedView;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Compares a target profile with a reference, column by column. This is the library entry for
 * anything that compares two windows (the CLI, the HTML report, monitors):
 *
 * <pre>{@code
 * DriftReport report = Drift.compare(reference, target);            // or compare(ref, tgt, options)
 * for (ColumnDrift c : report.columns()) {
 *   c.pValue(); c.effectSize(); c.category();                      // per column
 * }
 * }</pre>
 *
 * <h2>Which test</h2>
 * By the target column's inferred type: integral and fractional columns get the numeric test
 * (KS by default), string and boolean columns the categorical test (chi-square by default); other
 * types, columns in one profile only and columns without values on one side are skipped, with a
 * note saying why.
 *
 * <h2>Kolmogorov-Smirnov on KLL sketches</h2>
 * D = max |F_ref(x) - F_target(x)| over every item either sketch retains (the sketches' CDFs are
 * step functions that change only there), F evaluated inclusive and exclusive so that steps at
 * repeated values count: the exact largest gap between the two sketched CDFs. Each sketch's CDF
 * is within eps_i = its normalized rank error (DataSketches' double-sided bound at its actual k,
 * after merges; 0 while the sketch is still exact) of its sample's empirical CDF at every point,
 * so D is within eps_ref + eps_target of the exact two-sample D. The p-value is computed from the
 * conservative D' = max(0, D - eps_ref - eps_target), which is at most the exact D: the sketches'
 * error can make the test less sensitive, never make it say "drift". The p-value is the asymptotic
 * Kolmogorov distribution's P(K &gt; sqrt(n_eff) D'), n_eff = n_ref n_target / (n_ref + n_target)
 * (conservative with ties). The effect size is D.
 *
 * <h2>Chi-square on frequent items</h2>
 * Categories are the union of the items held by both frequent-items sketches, plus "other" for the
 * stream weight no listed item accounts for (non-zero only once a column has more than ~768
 * distinct values). Boolean columns use their exact true/false counts. The default is the
 * two-sample test of homogeneity of the 2 x k table: with pooled proportion p_i, the statistic is
 * sum_i (n_ref n_tgt / N) (a_i/n_ref - b_i/n_tgt)^2 / p_i on (cells - 1) degrees of freedom. Cells
 * whose expected count (smaller side) is below 5 are pooled into one (Cochran's rule; pooling by
 * the pooled counts keeps the test valid). Past the sketch's exact range every count is known only
 * within [lower bound, upper bound] (deterministic bounds of the Misra-Gries sketch; the "other"
 * cell's bounds follow from them): the tested statistic takes, per cell, the smallest difference of
 * proportions those bounds allow and the largest pooled proportion, so it is at most the statistic
 * of the exact counts and estimation error cannot manufacture significance. The effect size is the
 * total variation distance over the tested cells.
 *
 * <p>whylogs' form ({@link DriftOptions.Builder#whylogsCompatible()}) is Pearson's goodness of fit
 * of the target counts to the reference proportions, expected_i = n_target ref_i / n_ref; a target
 * category the reference never saw gives an infinite statistic and p = 0.
 *
 * <h2>Minimum effect</h2>
 * With {@link DriftOptions#minEffect()} &gt; 0, a (possible) drift whose effect size is below it is
 * reported as no drift, flagged negligible, with a note giving the p-value and effect.
 *
 * <h2>Hellinger distance</h2>
 * H = sqrt(1 - sum sqrt(p_i q_i)), in [0, 1]. Numeric: p and q are the two sketches' masses in
 * {@code hellingerBuckets} (30) equal-width buckets over the joint [min, max]; categorical: the
 * category proportions above.
 */
public final class Drift {
  static final String OTHER = "(other)";

  private Drift() {}

  /** Compares with the default options (whylogs' tests and thresholds). */
  public static DriftReport compare(ProfileView reference, ProfileView target) {
    return compare(reference, target, DriftOptions.defaults());
  }

  public static DriftReport compare(ProfileView reference, ProfileView target, DriftOptions options) {
    TreeSet<String> names = new TreeSet<>(reference.columns().keySet());
    names.addAll(target.columns().keySet());
    List<ColumnDrift> out = new ArrayList<>();
    for (String name : names) {
      ColumnDrift c = compareColumn(name, reference.column(name), target.column(name), options);
      // a time column (epoch milliseconds, marked in the metadata) is tested as the numbers it holds and
      // shown with the summary's type for it
      if ((target.isTime(name) || reference.isTime(name)) && c.type().equals("integral")) {
        c = c.withType("time");
      }
      out.add(c);
    }
    return new DriftReport(out, options);
  }

  /** One column; either side may be absent. */
  public static ColumnDrift compareColumn(String name, Optional<ColumnView> ref, Optional<ColumnView> tgt,
      DriftOptions options) {
    return compareColumn(name, ref, tgt, options, null, null);
  }

  /**
   * One side of a comparison: a column, and optionally its distribution and its category counts
   * given apart from the column's own sketches ({@code null}: the column's own). For callers that
   * hold a distribution or counts that are no single sketch, such as a monitor's trailing baseline
   * kept as the union of its windows' retained items ({@link SortedValues}) and the sums of their
   * frequent-item counts and bounds ({@link Counts}), or that already hold a sketch's sorted values.
   * The values are read only by the calibrated KS test ({@link DriftOptions#sketchErrorCorrection()},
   * numeric algorithm KS), whose allowance for sketch error is their {@link SortedValues#rankError()};
   * the counts by every test of string columns.
   */
  public record Side(ColumnView column, SortedValues values, Counts counts) {
    public Side {
      java.util.Objects.requireNonNull(column, "column");
    }
  }

  /**
   * One column, both sides present, with the given distributions and counts in place of the
   * columns' own sketches (see {@link Side}).
   *
   * @throws IllegalArgumentException when values are given and the options choose another numeric test
   */
  public static ColumnDrift compareColumn(String name, Side ref, Side tgt, DriftOptions options) {
    if ((ref.values() != null || tgt.values() != null)
        && (options.numericAlgorithm() == DriftAlgorithm.HELLINGER || !options.sketchErrorCorrection())) {
      throw new IllegalArgumentException("given sorted values are tested only by the calibrated KS test "
          + "(sketch error correction on, numeric algorithm KS)");
    }
    return compareColumn(name, Optional.of(ref.column()), Optional.of(tgt.column()), options, ref, tgt);
  }

  private static ColumnDrift compareColumn(String name, Optional<ColumnView> ref, Optional<ColumnView> tgt,
      DriftOptions options, Side refSide, Side tgtSide) {
    if (ref.isEmpty()) {
      return ColumnDrift.skipped(name, tgt.map(ColumnView::inferredType).orElse("null"), "only in the target profile");
    }
    if (tgt.isEmpty()) {
      return ColumnDrift.skipped(name, ref.get().inferredType(), "only in the reference profile");
    }
    ColumnView r = ref.get();
    ColumnView t = tgt.get();
    String type = t.inferredType();
    String refType = r.inferredType();
    String typeNote = refType.equals(type) || refType.equals("null") || type.equals("null") ? ""
        : "type changed from " + refType + " to " + type;
    ColumnDrift result = switch (type) {
      case "integral", "fractional" -> numeric(name, type, r, t, options,
          refSide == null ? null : refSide.values(), tgtSide == null ? null : tgtSide.values());
      case "string" -> categorical(name, type,
          refSide != null && refSide.counts() != null ? refSide.counts() : frequentCounts(r),
          tgtSide != null && tgtSide.counts() != null ? tgtSide.counts() : frequentCounts(t), options);
      case "boolean" -> categorical(name, type, booleanCounts(r), booleanCounts(t), options);
      case "null" -> ColumnDrift.skipped(name, type, "the target column holds only nulls");
      default -> ColumnDrift.skipped(name, type, "no drift test for " + type + " columns");
    };
    if (typeNote.isEmpty()) {
      return result;
    }
    return result.withNote(result.note().isEmpty() ? typeNote : typeNote + "; " + result.note());
  }

  /** Applies the p-value thresholds and the minimum effect. */
  private static ColumnDrift verdict(String name, String type, DriftAlgorithm algorithm, double statistic,
      double tested, double p, double effect, EffectMeasure measure, Double sketchError, Integer df,
      boolean estimated, String note, DriftOptions o) {
    DriftCategory category = o.categoryOfPValue(p);
    boolean negligible = false;
    if (category != DriftCategory.NO_DRIFT && effect < o.minEffect()) {
      negligible = true;
      String why = (category == DriftCategory.DRIFT ? "significant" : "possibly significant") + " (p = "
          + DriftReport.format(p) + ") but negligible: " + measure.label() + " " + DriftReport.format(effect)
          + " is below the minimum effect " + DriftReport.format(o.minEffect());
      note = note.isEmpty() ? why : note + "; " + why;
      category = DriftCategory.NO_DRIFT;
    }
    return new ColumnDrift(name, type, algorithm, statistic, p, category, note, effect, measure, tested,
        sketchError, df, estimated, negligible);
  }

  private static ColumnDrift hellingerResult(String name, String type, double h, String note, DriftOptions o) {
    return new ColumnDrift(name, type, DriftAlgorithm.HELLINGER, h, null, o.categoryOfDistance(h), note, h,
        EffectMeasure.HELLINGER, null, null, null, false, false);
  }

  // ---- numeric ----

  private static ColumnDrift numeric(String name, String type, ColumnView r, ColumnView t, DriftOptions o,
      SortedValues refValues, SortedValues tgtValues) {
    if (o.numericAlgorithm() != DriftAlgorithm.HELLINGER && o.sketchErrorCorrection()) {
      // the default (calibrated) test: one walk over both sorted views, no sketch copies
      SortedValues va = refValues != null ? refValues : r.distribution().map(SortedValues::of).orElse(SortedValues.EMPTY);
      SortedValues vb = tgtValues != null ? tgtValues : t.distribution().map(SortedValues::of).orElse(SortedValues.EMPTY);
      if (va.n() == 0 || vb.n() == 0) {
        return ColumnDrift.skipped(name, type, "no numeric values in the " + (va.n() == 0 ? "reference" : "target"));
      }
      double d = ksStatistic(va, vb);
      double err = va.rankError() + vb.rankError();
      double tested = Math.max(0, d - err);
      double p = ksPValue(tested, va.n(), vb.n());
      return verdict(name, type, DriftAlgorithm.KOLMOGOROV_SMIRNOV, d, tested, p, d, EffectMeasure.KS_DISTANCE, err,
          null, false, "", o);
    }
    Optional<DistributionMetric> rd = r.distribution().filter(d -> !d.isEmpty());
    Optional<DistributionMetric> td = t.distribution().filter(d -> !d.isEmpty());
    if (rd.isEmpty() || td.isEmpty()) {
      return ColumnDrift.skipped(name, type, "no numeric values in the " + (rd.isEmpty() ? "reference" : "target"));
    }
    KllDoublesSketch a = rd.get().sketchCopy();
    KllDoublesSketch b = td.get().sketchCopy();
    if (o.numericAlgorithm() == DriftAlgorithm.HELLINGER) {
      double h = hellingerNumeric(a, b, o.hellingerBuckets());
      if (Double.isNaN(h)) {
        return ColumnDrift.skipped(name, type, "values are not finite; no buckets to compare");
      }
      return hellingerResult(name, type, h, "", o);
    }
    double d = ksStatistic(a, b, o.ksQuantiles());
    double p = ksPValue(d, a.getN(), b.getN());
    return verdict(name, type, DriftAlgorithm.KOLMOGOROV_SMIRNOV, d, d, p, d, EffectMeasure.KS_DISTANCE, 0.0, null,
        false, "", o);
  }

  /**
   * The bound on |F_sketch(x) - F_sample(x)| of one KLL sketch: DataSketches' double-sided
   * normalized rank error at the sketch's k (after merges, the smallest k merged in), 0 while the
   * sketch still holds every value.
   */
  static double rankError(KllDoublesSketch s) {
    return rankError(s.isEstimationMode(), s.getNormalizedRankError(true));
  }

  static double rankError(DistributionMetric m) {
    return rankError(m.isEstimationMode(), m.normalizedRankError(true));
  }

  private static double rankError(boolean estimationMode, double doubleSidedError) {
    return estimationMode ? doubleSidedError : 0.0;
  }

  /**
   * The largest gap between the two sketches' CDFs: evaluated, inclusive and exclusive, at every
   * finite item either sketch retains, where the step functions change.
   */
  static double ksStatistic(KllDoublesSketch a, KllDoublesSketch b) {
    return ksStatistic(a.getSortedView(), b.getSortedView());
  }

  /**
   * The same from the sorted views, in one merged walk over both item arrays (O(m), no searches):
   * at each distinct finite item v of either side, each side's CDF inclusive (weight of items
   * &lt;= v) and exclusive (&lt; v) over its n, exactly as DataSketches' getRank computes them.
   * -0.0 and 0.0 are one point (numeric comparison).
   */
  static double ksStatistic(DoublesSortedView a, DoublesSortedView b) {
    return ksStatistic(SortedValues.of(a, 0), SortedValues.of(b, 0));
  }

  /**
   * The KS statistic D of two distributions given as sorted values with cumulative weights (a
   * sketch's sorted view, or a weighted union of several), by the walk described at
   * {@link #ksStatistic(DoublesSortedView, DoublesSortedView)}.
   */
  public static double ksStatistic(SortedValues a, SortedValues b) {
    SortedValues small = a.size() <= b.size() ? a : b;
    SortedValues large = small == a ? b : a;
    int ms = small.size();
    if (ms > 0 && Double.isFinite(small.value(0)) && Double.isFinite(small.value(ms - 1))
        && 4L * ms < large.size()) {
      return ksSearch(small, large);
    }
    return ksWalk(a, b);
  }

  /**
   * The same D when one side has far fewer entries (a window against a long baseline), in
   * O(m_small log m_large): between two consecutive values of the small side its CDF is constant and
   * the large side's is non-decreasing, so |F_large - F_small| is largest at the ends of the
   * interval, which are the small side's values, exclusive and inclusive; the walk evaluates those
   * same points, so the result is the walk's to the last bit. Before the small side's first value
   * and after its last the same holds against 0 and 1, so it needs both of them finite (the walk
   * does not evaluate at infinite values).
   */
  static double ksSearch(SortedValues small, SortedValues large) {
    int ms = small.size();
    int ml = large.size();
    double ns = small.n();
    double nl = large.n();
    int i = 0;
    int lo = 0; // large entries before lo are < the current value
    double d = 0;
    while (i < ms) {
      double v = small.value(i);
      double ltS = i == 0 ? 0 : small.cumulativeWeight(i - 1);
      while (i < ms && small.value(i) <= v) {
        i++;
      }
      double leS = small.cumulativeWeight(i - 1);
      lo = firstAtLeast(large, v, lo, ml, false);
      int hi = firstAtLeast(large, v, lo, ml, true);
      double ltL = lo == 0 ? 0 : large.cumulativeWeight(lo - 1);
      double leL = hi == 0 ? 0 : large.cumulativeWeight(hi - 1);
      if (Double.isFinite(v)) {
        d = Math.max(d, Math.abs(ltS / ns - ltL / nl));
        d = Math.max(d, Math.abs(leS / ns - leL / nl));
      }
      lo = hi;
    }
    return d;
  }

  /** The first index in [from, to) whose value is &gt;= v (strictly &gt; v when {@code after}), by galloping then bisecting. */
  private static int firstAtLeast(SortedValues s, double v, int from, int to, boolean after) {
    int step = 1;
    int lo = from;
    int hi = from;
    while (hi < to && (after ? s.value(hi) <= v : s.value(hi) < v)) {
      lo = hi + 1;
      hi = from + step;
      step <<= 1;
    }
    hi = Math.min(hi, to);
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (after ? s.value(mid) <= v : s.value(mid) < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The merged walk over both sides (see {@link #ksStatistic(DoublesSortedView, DoublesSortedView)}). */
  static double ksWalk(SortedValues a, SortedValues b) {
    int ma = a.size();
    int mb = b.size();
    double na = a.n();
    double nb = b.n();
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < ma || j < mb) {
      double v = i >= ma ? b.value(j) : j >= mb ? a.value(i) : Math.min(a.value(i), b.value(j));
      // exclusive: items < v lie before i and j (every item before them is < v)
      double ltA = i == 0 ? 0 : a.cumulativeWeight(i - 1);
      double ltB = j == 0 ? 0 : b.cumulativeWeight(j - 1);
      while (i < ma && a.value(i) <= v) {
        i++;
      }
      while (j < mb && b.value(j) <= v) {
        j++;
      }
      if (Double.isFinite(v)) {
        double leA = i == 0 ? 0 : a.cumulativeWeight(i - 1);
        double leB = j == 0 ? 0 : b.cumulativeWeight(j - 1);
        d = Math.max(d, Math.abs(ltA / na - ltB / nb));
        d = Math.max(d, Math.abs(leA / na - leB / nb));
      }
    }
    return d;
  }

  /** The KS statistic D of two sketches at their evenly ranked quantiles (whylogs' way). */
  static double ksStatistic(KllDoublesSketch a, KllDoublesSketch b, int quantiles) {
    double[] ranks = new double[quantiles + 1];
    for (int i = 0; i <= quantiles; i++) {
      ranks[i] = (double) i / quantiles;
    }
    TreeSet<Double> points = new TreeSet<>();
    for (KllDoublesSketch s : List.of(a, b)) {
      for (double q : s.getQuantiles(ranks, QuantileSearchCriteria.INCLUSIVE)) {
        addFinite(points, q);
      }
      addFinite(points, s.getMinItem());
      addFinite(points, s.getMaxItem());
    }
    if (points.isEmpty()) {
      return 0;
    }
    double[] split = points.stream().mapToDouble(Double::doubleValue).toArray();
    double d = 0;
    for (QuantileSearchCriteria c : QuantileSearchCriteria.values()) {
      double[] fa = a.getCDF(split, c);
      double[] fb = b.getCDF(split, c);
      for (int i = 0; i < split.length; i++) {
        d = Math.max(d, Math.abs(fa[i] - fb[i]));
      }
    }
    return d;
  }

  private static void addFinite(TreeSet<Double> points, double v) {
    if (Double.isFinite(v)) {
      points.add(v == 0.0 ? 0.0 : v); // -0.0 and 0.0 are one split point
    }
  }

  /** The asymptotic p-value of KS statistic {@code d} for samples of {@code n1} and {@code n2} values. */
  static double ksPValue(double d, long n1, long n2) {
    double ne = (double) n1 * n2 / ((double) n1 + n2);
    return Statistics.kolmogorovSurvival(Math.sqrt(ne) * d);
  }

  /** P(X &gt; x) for X chi-square distributed with {@code df} degrees of freedom. */
  public static double chiSquarePValue(double x, int df) {
    return Statistics.chiSquareSurvival(x, df);
  }

  static double hellingerNumeric(KllDoublesSketch a, KllDoublesSketch b, int buckets) {
    double lo = Math.min(a.getMinItem(), b.getMinItem());
    double hi = Math.max(a.getMaxItem(), b.getMaxItem());
    if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
      return Double.NaN;
    }
    if (lo == hi) {
      return 0;
    }
    double[] split = new double[buckets - 1];
    int n = 0;
    for (int i = 1; i < buckets; i++) {
      double edge = lo + (hi - lo) * i / buckets;
      if (n == 0 || edge > split[n - 1]) {
        split[n++] = edge;
      }
    }
    split = Arrays.copyOf(split, n);
    double[] p = a.getPMF(split, QuantileSearchCriteria.INCLUSIVE);
    double[] q = b.getPMF(split, QuantileSearchCriteria.INCLUSIVE);
    return hellinger(p, q);
  }

  static double hellinger(double[] p, double[] q) {
    double bc = 0;
    for (int i = 0; i < p.length; i++) {
      bc += Math.sqrt(Math.max(0, p[i]) * Math.max(0, q[i]));
    }
    return Math.sqrt(Math.max(0, 1 - Math.min(1, bc)));
  }

  // ---- categorical ----

  /**
   * A category's count on one side: the estimate and bounds that hold for the true count (equal
   * while the sketch is exact).
   */
  public record Count(long est, long lower, long upper) {
    static Count exact(long n) {
      return new Count(n, n, n);
    }
  }

  /**
   * One side's counts: per listed category, plus the stream length and the count error of a category
   * not listed (its count is in [0, maxError]).
   */
  public record Counts(Map<String, Count> items, long n, long maxError) {
    boolean isEmpty() {
      return n == 0;
    }

    Count get(String category) {
      Count c = items.get(category);
      // an item the sketch does not hold: its count is at most the sketch's error
      return c != null ? c : new Count(0, 0, maxError);
    }
  }

  /** The frequent items with their bounds; empty when the column has none. */
  public static Counts frequentCounts(ColumnView c) {
    Map<String, Count> out = new TreeMap<>();
    Optional<FrequentItemsMetric> fi = c.frequentItems().filter(f -> !f.isEmpty());
    if (fi.isEmpty()) {
      return new Counts(out, 0, 0);
    }
    for (FrequentItemsMetric.Item it : fi.get().allItems()) {
      out.put(it.value(), new Count(it.est(), Math.max(0, it.lower()), it.upper()));
    }
    return new Counts(out, fi.get().streamLength(), fi.get().maximumError());
  }

  static Counts booleanCounts(ColumnView c) {
    Map<String, Count> out = new TreeMap<>();
    long trues = c.counts().trueCount();
    long falses = Math.max(0, c.types().bool() - trues);
    if (trues + falses > 0) {
      out.put("True", Count.exact(trues));
      out.put("False", Count.exact(falses));
    }
    return new Counts(out, trues + falses, 0);
  }

  /** A cell of the tested table: estimates and bounds of both sides' counts. */
  private static final class Cell {
    final List<String> names = new ArrayList<>();
    double a;
    double aLo;
    double aHi;
    double b;
    double bLo;
    double bHi;

    void add(String name, double ea, double la, double ha, double eb, double lb, double hb) {
      names.add(name);
      a += ea;
      aLo += la;
      aHi += ha;
      b += eb;
      bLo += lb;
      bHi += hb;
    }
  }

  private static ColumnDrift categorical(String name, String type, Counts ref, Counts tgt, DriftOptions o) {
    if (ref.isEmpty() || tgt.isEmpty()) {
      return ColumnDrift.skipped(name, type, "no " + type + " values counted in the "
          + (ref.isEmpty() ? "reference" : "target"));
    }
    TreeSet<String> cats = new TreeSet<>(ref.items().keySet());
    cats.addAll(tgt.items().keySet());
    double nr = ref.n();
    double nt = tgt.n();
    if (o.categoricalAlgorithm() == DriftAlgorithm.HELLINGER) {
      Map<String, Long> r = estimatesWithOther(ref, cats);
      Map<String, Long> t = estimatesWithOther(tgt, cats);
      double[] p = new double[cats.size() + 1];
      double[] q = new double[cats.size() + 1];
      int i = 0;
      for (String c : r.keySet()) {
        p[i] = r.get(c) / nr;
        q[i] = t.getOrDefault(c, 0L) / nt;
        i++;
      }
      return hellingerResult(name, type, hellinger(p, q), "", o);
    }
    if (!o.chiSquareHomogeneity()) {
      return whylogsGoodnessOfFit(name, type, estimatesWithOther(ref, cats), estimatesWithOther(tgt, cats), o);
    }
    boolean estimated = ref.maxError() > 0 || tgt.maxError() > 0;
    boolean correct = o.sketchErrorCorrection();
    // the table: one cell per listed category, then "other" (weight no listed item accounts for)
    List<Cell> cells = new ArrayList<>();
    double[] sum = new double[6];
    List<String> unseen = new ArrayList<>();
    for (String c : cats) {
      Count x = ref.get(c);
      Count y = tgt.get(c);
      Cell cell = new Cell();
      cell.add(c, x.est(), x.lower(), x.upper(), y.est(), y.lower(), y.upper());
      cells.add(cell);
      double[] v = {x.est(), x.lower(), x.upper(), y.est(), y.lower(), y.upper()};
      for (int i = 0; i < 6; i++) {
        sum[i] += v[i];
      }
      if (x.upper() == 0 && y.est() > 0) {
        unseen.add(c);
      }
    }
    Cell other = new Cell();
    other.add(OTHER, Math.max(0, nr - sum[0]), Math.max(0, nr - sum[2]), Math.max(0, nr - sum[1]),
        Math.max(0, nt - sum[3]), Math.max(0, nt - sum[5]), Math.max(0, nt - sum[4]));
    if (other.aHi > 0 || other.bHi > 0) {
      cells.add(other);
    }
    // Cochran: pool cells whose expected count on the smaller side is below 5
    double total = nr + nt;
    double small = Math.min(nr, nt);
    List<Cell> tested = new ArrayList<>();
    Cell rare = new Cell();
    for (Cell cell : cells) {
      double expected = small * (cell.a + cell.b) / total;
      if (correct && expected < 5) {
        for (String n : cell.names) {
          rare.add(n, 0, 0, 0, 0, 0, 0);
        }
        rare.a += cell.a;
        rare.aLo += cell.aLo;
        rare.aHi += cell.aHi;
        rare.b += cell.b;
        rare.bLo += cell.bLo;
        rare.bHi += cell.bHi;
      } else {
        tested.add(cell);
      }
    }
    if (!rare.names.isEmpty()) {
      if (small * (rare.a + rare.b) / total >= 5 || tested.isEmpty()) {
        tested.add(rare);
      } else {
        // still too small: join the smallest tested cell
        Cell smallest = tested.stream().min((x, y) -> Double.compare(x.a + x.b, y.a + y.b)).orElseThrow();
        smallest.names.addAll(rare.names);
        smallest.a += rare.a;
        smallest.aLo += rare.aLo;
        smallest.aHi += rare.aHi;
        smallest.b += rare.b;
        smallest.bLo += rare.bLo;
        smallest.bHi += rare.bHi;
      }
    }
    double scale = nr * nt / total;
    double stat = 0;
    double lowStat = 0;
    double tv = 0;
    for (Cell cell : tested) {
      double pooled = (cell.a + cell.b) / total;
      double diff = cell.a / nr - cell.b / nt;
      tv += Math.abs(diff) / 2;
      if (pooled > 0) {
        stat += scale * diff * diff / pooled;
      }
      // the smallest |difference of proportions| and the largest pooled proportion the bounds allow
      double lo = cell.aLo / nr - cell.bHi / nt;
      double hi = cell.aHi / nr - cell.bLo / nt;
      double least = lo > 0 ? lo : (hi < 0 ? -hi : 0);
      double pooledHi = (cell.aHi + cell.bHi) / total;
      if (pooledHi > 0) {
        lowStat += scale * least * least / pooledHi;
      }
    }
    List<String> notes = new ArrayList<>();
    if (!unseen.isEmpty()) {
      notes.add("target values absent from the reference: " + listOf(unseen));
    }
    double err = Math.max(ref.maxError() / nr, tgt.maxError() / nt);
    if (estimated) {
      notes.add("counts are frequent-items estimates (error up to " + ref.maxError() + " in the reference, "
          + tgt.maxError() + " in the target); the test uses their bounds");
    }
    if (tested.size() < 2) {
      notes.add(cells.size() < 2 ? "one category on both sides" : "too few values per category to test");
      return verdict(name, type, DriftAlgorithm.CHI_SQUARE, 0.0, 0.0, 1.0, tv, EffectMeasure.TOTAL_VARIATION, err, 0,
          estimated, String.join("; ", notes), o);
    }
    double testedStat = estimated && correct ? Math.min(lowStat, stat) : stat;
    int df = tested.size() - 1;
    double p = Statistics.chiSquareSurvival(testedStat, df);
    return verdict(name, type, DriftAlgorithm.CHI_SQUARE, stat, testedStat, p, tv, EffectMeasure.TOTAL_VARIATION,
        err, df, estimated, String.join("; ", notes), o);
  }

  /** Estimated counts per category, plus "(other)" for the weight no listed item accounts for. */
  private static Map<String, Long> estimatesWithOther(Counts side, TreeSet<String> cats) {
    Map<String, Long> out = new TreeMap<>();
    long listed = 0;
    for (String c : cats) {
      long e = side.items().containsKey(c) ? side.items().get(c).est() : 0;
      out.put(c, e);
      listed += e;
    }
    long other = side.n() - listed;
    out.put(OTHER, Math.max(0, other) + out.getOrDefault(OTHER, 0L));
    return out;
  }

  /** whylogs' Pearson goodness of fit of the target counts to the reference proportions. */
  private static ColumnDrift whylogsGoodnessOfFit(String name, String type, Map<String, Long> ref,
      Map<String, Long> tgt, DriftOptions o) {
    double nr = ref.values().stream().mapToLong(Long::longValue).sum();
    double nt = tgt.values().stream().mapToLong(Long::longValue).sum();
    double stat = 0;
    double tv = 0;
    int used = 0;
    List<String> unseen = new ArrayList<>();
    for (String c : ref.keySet()) {
      double expected = ref.get(c) / nr * nt;
      long observed = tgt.getOrDefault(c, 0L);
      tv += Math.abs(ref.get(c) / nr - observed / nt) / 2;
      if (expected == 0) {
        if (observed > 0) {
          unseen.add(c);
        }
        continue;
      }
      stat += (observed - expected) * (observed - expected) / expected;
      used++;
    }
    if (!unseen.isEmpty()) {
      return verdict(name, type, DriftAlgorithm.CHI_SQUARE, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0.0,
          tv, EffectMeasure.TOTAL_VARIATION, 0.0, Math.max(0, used - 1), false,
          "target values absent from the reference: " + listOf(unseen), o);
    }
    if (used < 2) {
      return verdict(name, type, DriftAlgorithm.CHI_SQUARE, 0.0, 0.0, 1.0, tv, EffectMeasure.TOTAL_VARIATION, 0.0, 0,
          false, "one category on both sides", o);
    }
    double p = Statistics.chiSquareSurvival(stat, used - 1);
    return verdict(name, type, DriftAlgorithm.CHI_SQUARE, stat, stat, p, tv, EffectMeasure.TOTAL_VARIATION, 0.0,
        used - 1, false, "", o);
  }

  private static String listOf(List<String> unseen) {
    return unseen.size() <= 5 ? String.join(", ", quoteAll(unseen))
        : String.join(", ", quoteAll(unseen.subList(0, 5))) + " and " + (unseen.size() - 5) + " more";
  }

  private static List<String> quoteAll(List<String> s) {
    List<String> out = new ArrayList<>();
    s.forEach(x -> out.add("'" + x + "'"));
    return out;
  }
}
