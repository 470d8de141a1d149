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
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Compares a target profile with a reference, column by column.
 *
 * <pre>{@code
 * DriftReport report = Drift.compare(reference, target);
 * report.columns().forEach(c -> System.out.println(c.column() + " " + c.category()));
 * }</pre>
 *
 * <h2>Which test</h2>
 * By the target column's inferred type: integral and fractional columns get the numeric test
 * (KS by default), string and boolean columns the categorical test (chi-square by default); other
 * types, columns in one profile only and columns without values on one side are skipped, with a
 * note saying why.
 *
 * <h2>Kolmogorov-Smirnov on KLL sketches</h2>
 * D = max |F_ref(x) - F_target(x)| over x in the {@code ksQuantiles} (100) evenly ranked quantiles
 * of each sketch (plus their minimum and maximum), with F evaluated both inclusive and exclusive so
 * that steps at repeated values count. The p-value is the asymptotic Kolmogorov distribution's
 * P(K &gt; sqrt(n_eff) D), n_eff = n_ref n_target / (n_ref + n_target). The sketches' own rank error
 * (0.35% of n for a whole CDF at k = 1024) adds to D: with millions of rows on both sides, tiny
 * differences become "significant", as with an exact KS test; use Hellinger there.
 *
 * <h2>Chi-square on frequent items</h2>
 * Categories are the union of the items held by both frequent-items sketches, plus "other" for the
 * stream weight no listed item accounts for (non-zero only once a column has more than ~768
 * distinct values). Boolean columns use their exact true/false counts. The test is Pearson's
 * goodness of fit of the target counts to the reference proportions: expected_i = n_target *
 * ref_i / n_ref, statistic = sum (observed_i - expected_i)^2 / expected_i over categories with
 * expected_i &gt; 0, degrees of freedom = that number of categories - 1. A target category the
 * reference never saw has expected 0: the statistic is infinite and p = 0 (as in whylogs), and the
 * note names the new categories. Goodness of fit treats the reference proportions as exact; when
 * the reference is not much larger than the target, choose the two-sample test of homogeneity
 * ({@link DriftOptions.Builder#chiSquareHomogeneity}), whose expected counts come from the pooled
 * proportions of a 2 x k contingency table.
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
      out.add(compareColumn(name, reference.column(name), target.column(name), options));
    }
    return new DriftReport(out, options);
  }

  /** One column; either side may be absent. */
  public static ColumnDrift compareColumn(String name, Optional<ColumnView> ref, Optional<ColumnView> tgt,
      DriftOptions options) {
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
      case "integral", "fractional" -> numeric(name, type, r, t, options);
      case "string" -> categorical(name, type, frequentCounts(r), frequentCounts(t), options);
      case "boolean" -> categorical(name, type, booleanCounts(r), booleanCounts(t), options);
      case "null" -> ColumnDrift.skipped(name, type, "the target column holds only nulls");
      default -> ColumnDrift.skipped(name, type, "no drift test for " + type + " columns");
    };
    if (typeNote.isEmpty()) {
      return result;
    }
    String note = result.note().isEmpty() ? typeNote : typeNote + "; " + result.note();
    return new ColumnDrift(result.column(), result.type(), result.algorithm(), result.statistic(), result.pValue(),
        result.category(), note);
  }

  // ---- numeric ----

  private static ColumnDrift numeric(String name, String type, ColumnView r, ColumnView t, DriftOptions o) {
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
      return new ColumnDrift(name, type, DriftAlgorithm.HELLINGER, h, null, o.categoryOfDistance(h), "");
    }
    double d = ksStatistic(a, b, o.ksQuantiles());
    double p = ksPValue(d, a.getN(), b.getN());
    return new ColumnDrift(name, type, DriftAlgorithm.KOLMOGOROV_SMIRNOV, d, p, o.categoryOfPValue(p), "");
  }

  /** The KS statistic D of two sketches, at their evenly ranked quantiles. */
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
  public static double ksPValue(double d, long n1, long n2) {
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

  /** Counts per category; "(other)" for weight no listed item accounts for. Empty when the column has none. */
  static Map<String, Long> frequentCounts(ColumnView c) {
    Map<String, Long> out = new TreeMap<>();
    Optional<FrequentItemsMetric> fi = c.frequentItems().filter(f -> !f.isEmpty());
    if (fi.isEmpty()) {
      return out;
    }
    long listed = 0;
    for (FrequentItemsMetric.Item it : fi.get().allItems()) {
      out.put(it.value(), it.est());
      listed += it.est();
    }
    long other = fi.get().streamLength() - listed;
    if (other > 0) {
      out.merge(OTHER, other, Long::sum);
    }
    return out;
  }

  static Map<String, Long> booleanCounts(ColumnView c) {
    Map<String, Long> out = new TreeMap<>();
    long trues = c.counts().trueCount();
    long falses = c.types().bool() - trues;
    if (trues + falses > 0) {
      out.put("True", trues);
      out.put("False", Math.max(0, falses));
    }
    return out;
  }

  private static ColumnDrift categorical(String name, String type, Map<String, Long> ref, Map<String, Long> tgt,
      DriftOptions o) {
    if (ref.isEmpty() || tgt.isEmpty()) {
      return ColumnDrift.skipped(name, type, "no " + type + " values counted in the "
          + (ref.isEmpty() ? "reference" : "target"));
    }
    TreeSet<String> cats = new TreeSet<>(ref.keySet());
    cats.addAll(tgt.keySet());
    double nr = ref.values().stream().mapToLong(Long::longValue).sum();
    double nt = tgt.values().stream().mapToLong(Long::longValue).sum();
    if (o.categoricalAlgorithm() == DriftAlgorithm.HELLINGER) {
      double[] p = new double[cats.size()];
      double[] q = new double[cats.size()];
      int i = 0;
      for (String c : cats) {
        p[i] = ref.getOrDefault(c, 0L) / nr;
        q[i] = tgt.getOrDefault(c, 0L) / nt;
        i++;
      }
      double h = hellinger(p, q);
      return new ColumnDrift(name, type, DriftAlgorithm.HELLINGER, h, null, o.categoryOfDistance(h), "");
    }
    if (o.chiSquareHomogeneity()) {
      double stat = 0;
      int used = 0;
      double total = nr + nt;
      for (String c : cats) {
        double a = ref.getOrDefault(c, 0L);
        double b = tgt.getOrDefault(c, 0L);
        double pooled = (a + b) / total;
        if (pooled == 0) {
          continue;
        }
        double ea = nr * pooled;
        double eb = nt * pooled;
        stat += (a - ea) * (a - ea) / ea + (b - eb) * (b - eb) / eb;
        used++;
      }
      if (used < 2) {
        return new ColumnDrift(name, type, DriftAlgorithm.CHI_SQUARE, 0.0, 1.0, o.categoryOfPValue(1.0),
            "one category on both sides");
      }
      double p = Statistics.chiSquareSurvival(stat, used - 1);
      return new ColumnDrift(name, type, DriftAlgorithm.CHI_SQUARE, stat, p, o.categoryOfPValue(p), "");
    }
    double stat = 0;
    int used = 0;
    List<String> unseen = new ArrayList<>();
    for (String c : cats) {
      double expected = ref.getOrDefault(c, 0L) / nr * nt;
      long observed = tgt.getOrDefault(c, 0L);
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
      String list = unseen.size() <= 5 ? String.join(", ", quoteAll(unseen))
          : String.join(", ", quoteAll(unseen.subList(0, 5))) + " and " + (unseen.size() - 5) + " more";
      return new ColumnDrift(name, type, DriftAlgorithm.CHI_SQUARE, Double.POSITIVE_INFINITY, 0.0,
          o.categoryOfPValue(0.0), "target values absent from the reference: " + list);
    }
    if (used < 2) {
      return new ColumnDrift(name, type, DriftAlgorithm.CHI_SQUARE, 0.0, 1.0, o.categoryOfPValue(1.0),
          "one category on both sides");
    }
    double p = Statistics.chiSquareSurvival(stat, used - 1);
    return new ColumnDrift(name, type, DriftAlgorithm.CHI_SQUARE, stat, p, o.categoryOfPValue(p), "");
  }

  private static List<String> quoteAll(List<String> s) {
    List<String> out = new ArrayList<>();
    s.forEach(x -> out.add("'" + x + "'"));
    return out;
  }
}
