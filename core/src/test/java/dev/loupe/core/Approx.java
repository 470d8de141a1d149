package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.CountsMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.IntsMetric;
import dev.loupe.core.metrics.Metric;
import dev.loupe.core.metrics.MetricKind;
import dev.loupe.core.metrics.MetricRegistry;
import dev.loupe.core.metrics.TypesMetric;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * "Equal up to what the sketches promise": one comparator per metric namespace. The merge-law,
 * Arrow and round-trip tests compare views through {@link #assertViewsClose}, which walks
 * {@link MetricRegistry#standard()}: a metric kind registered without a comparator here fails
 * every one of those tests, so registering a metric puts it under test.
 */
public final class Approx {
  private Approx() {}

  /** Asserts that two metrics of one namespace are "the same" as far as the metric can promise. */
  interface MetricComparator {
    void assertClose(Metric<?> a, Metric<?> b, String where);
  }

  static final Map<String, MetricComparator> COMPARATORS = Map.of(
      CountsMetric.NAMESPACE, Approx::exact,
      TypesMetric.NAMESPACE, Approx::exact,
      IntsMetric.NAMESPACE, Approx::exact,
      DistributionMetric.NAMESPACE, (a, b, w) -> distribution((DistributionMetric) a, (DistributionMetric) b, w),
      CardinalityMetric.NAMESPACE, (a, b, w) -> cardinality((CardinalityMetric) a, (CardinalityMetric) b, w),
      FrequentItemsMetric.NAMESPACE, (a, b, w) -> frequentItems((FrequentItemsMetric) a, (FrequentItemsMetric) b, w));

  static MetricComparator comparatorFor(MetricKind<?> kind) {
    MetricComparator c = COMPARATORS.get(kind.namespace());
    if (c == null) {
      fail("metric kind '" + kind.namespace() + "' is registered in MetricRegistry.standard() but has no merge-law "
          + "comparator; add one to Approx.COMPARATORS so the property suites cover it");
    }
    return c;
  }

  /** Counts, types and integer min/max are exact state: merges must agree exactly. */
  static void exact(Metric<?> a, Metric<?> b, String where) {
    assertEquals(a, b, where);
  }

  // ---- distribution ----

  /** Values below this magnitude cannot overflow mean or m2 for the table sizes generated here. */
  static final double SAFE_MAGNITUDE = 1e150;

  /**
   * n, min and max are exact (min/max compared with ==, so -0.0 equals 0.0: which zero a sketch
   * keeps depends on update order). mean and m2 are sums in a different order, so they agree up to
   * rounding relative to the magnitude of the data: |mean| within 1e-9 relative plus 1e-12 of the
   * largest |value|, m2 within 1e-9 relative plus 1e-12 * n * magnitude^2 (cancellation in the sum
   * of squared deviations is relative to the sum of squares, not to m2). When an infinity is in the
   * data both means are non-finite (+inf, -inf or NaN, depending on merge order). When finite
   * values exceed {@link #SAFE_MAGNITUDE}, sums may overflow in one order and not in another, so
   * mean and m2 are only compared when both are finite. KLL ranks: identical when both sketches
   * are exact; otherwise within the sum of both sketches' published single-sided rank errors.
   */
  static void distribution(DistributionMetric a, DistributionMetric b, String where) {
    assertEquals(a.n(), b.n(), where + ": distribution n");
    assertEquals(a.isEmpty(), b.isEmpty(), where + ": distribution emptiness");
    if (a.isEmpty()) {
      return;
    }
    assertTrue(a.min().orElse(Double.NaN) == b.min().orElse(Double.NaN), where + ": distribution min " + a.min().orElse(Double.NaN) + " vs " + b.min().orElse(Double.NaN));
    assertTrue(a.max().orElse(Double.NaN) == b.max().orElse(Double.NaN), where + ": distribution max " + a.max().orElse(Double.NaN) + " vs " + b.max().orElse(Double.NaN));
    assertEquals(a.k(), b.k(), where + ": KLL k");

    boolean infinite = Double.isInfinite(a.min().orElse(Double.NaN)) || Double.isInfinite(a.max().orElse(Double.NaN));
    double magnitude = Math.max(Math.abs(a.min().orElse(Double.NaN)), Math.abs(a.max().orElse(Double.NaN)));
    if (infinite) {
      assertTrue(!Double.isFinite(a.mean().orElse(Double.NaN)) && !Double.isFinite(b.mean().orElse(Double.NaN)),
          where + ": an infinity is in the data, so both means must be non-finite: " + a.mean() + " vs " + b.mean());
      assertTrue(!Double.isFinite(a.m2()) && !Double.isFinite(b.m2()),
          where + ": an infinity is in the data, so both m2 must be non-finite: " + a.m2() + " vs " + b.m2());
    } else if (magnitude <= SAFE_MAGNITUDE) {
      assertClose(a.mean().orElse(Double.NaN), b.mean().orElse(Double.NaN), 1e-9, 1e-12 * magnitude, where + ": distribution mean");
      assertClose(a.m2(), b.m2(), 1e-9, 1e-12 * a.n() * magnitude * magnitude, where + ": distribution m2");
    } else {
      if (Double.isFinite(a.mean().orElse(Double.NaN)) && Double.isFinite(b.mean().orElse(Double.NaN))) {
        assertClose(a.mean().orElse(Double.NaN), b.mean().orElse(Double.NaN), 1e-9, 1e-12 * magnitude, where + ": distribution mean (huge values)");
      }
      if (Double.isFinite(a.m2()) && Double.isFinite(b.m2())) {
        assertClose(a.m2(), b.m2(), 1e-9, 1e-12 * a.n() * magnitude * magnitude, where + ": distribution m2 (huge values)");
      }
    }
    kllRanks(a, b, where);
  }

  static void kllRanks(DistributionMetric a, DistributionMetric b, String where) {
    assertEquals(a.isEmpty(), b.isEmpty(), where + ": KLL emptiness");
    if (a.isEmpty()) {
      return;
    }
    KllDoublesSketch sa = a.sketchCopy();
    KllDoublesSketch sb = b.sketchCopy();
    double epsA = sa.isEstimationMode() ? a.normalizedRankError() : 0;
    double epsB = sb.isEstimationMode() ? b.normalizedRankError() : 0;
    double bound = epsA + epsB;
    if (bound > 0) {
      EXERCISED.merge("distribution:estimation-mode", 1, Integer::sum);
    }
    TreeSet<Double> probes = new TreeSet<>();
    for (int i = 0; i <= 100; i++) {
      probes.add(a.quantile(i / 100.0).orElse(Double.NaN));
      probes.add(b.quantile(i / 100.0).orElse(Double.NaN));
    }
    probes.add(a.min().orElse(Double.NaN));
    probes.add(a.max().orElse(Double.NaN));
    for (double p : probes) {
      double ra = a.rank(p).orElse(Double.NaN);
      double rb = b.rank(p).orElse(Double.NaN);
      if (bound == 0) {
        assertTrue(ra == rb, where + ": exact KLL sketches disagree on rank(" + p + "): " + ra + " vs " + rb);
      } else {
        assertTrue(Math.abs(ra - rb) <= bound, where + ": KLL rank(" + p + ") " + ra + " vs " + rb
            + " differs by more than " + bound + " (n=" + a.n() + ")");
      }
    }
  }

  static void assertClose(double x, double y, double rel, double abs, String what) {
    if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x) || Double.isInfinite(y)) {
      assertEquals(0, Double.compare(x, y), what + ": " + x + " vs " + y);
      return;
    }
    // a few units in the last place as a floor: near zero (subnormals) the relative and absolute
    // terms underflow, and merge order may round the last bit differently
    double tol = Math.max(rel * Math.max(Math.abs(x), Math.abs(y)) + abs, 4 * Math.ulp(Math.max(Math.abs(x), Math.abs(y))));
    assertTrue(Math.abs(x - y) <= tol, what + ": " + x + " vs " + y + " (tolerance " + tol + ")");
  }

  // ---- cardinality ----

  /** The HLL mode from the compact bytes' mode byte (offset 7, low two bits): 0 LIST, 1 SET, 2 HLL. */
  static int hllMode(CardinalityMetric m) {
    return m.sketchBytes()[7] & 3;
  }

  /**
   * What holds for HLL (found by experiment, DataSketches 6.2, lgK 12): the registers (and coupon
   * lists) are order-free, so {@link CardinalityMetric#compositeEstimate()}, which reads only
   * those, agrees to 1e-9 relative whatever the merge order, and both sides are in the same mode.
   * While the sketches are in coupon (LIST/SET) mode, below the exact-mode size, estimate() is
   * the coupon count estimate and also agrees to 1e-9. Once in HLL mode, estimate() is the HIP
   * estimator of an unmerged sketch, or the composite estimator of a union result, and a union's
   * estimate depends on operand order: there only the 3-sigma bounds hold, each estimate inside
   * the other's [lowerBound(3), upperBound(3)].
   */
  static void cardinality(CardinalityMetric a, CardinalityMetric b, String where) {
    assertEquals(a.isEmpty(), b.isEmpty(), where + ": HLL emptiness");
    if (a.isEmpty()) {
      return;
    }
    assertEquals(a.lgK(), b.lgK(), where + ": HLL lgK");
    assertClose(a.compositeEstimate(), b.compositeEstimate(), 1e-9, 0, where + ": HLL composite estimate");
    assertEquals(hllMode(a), hllMode(b), where + ": HLL mode");
    if (hllMode(a) != 2) {
      assertClose(a.estimate(), b.estimate(), 1e-9, 0, where + ": HLL estimate in coupon mode");
    } else {
      EXERCISED.merge("cardinality:hll-mode", 1, Integer::sum);
      assertTrue(a.estimate() >= b.lowerBound(3) && a.estimate() <= b.upperBound(3),
          where + ": HLL estimate " + a.estimate() + " outside the other's 3-sigma bounds [" + b.lowerBound(3)
              + ", " + b.upperBound(3) + "]");
      assertTrue(b.estimate() >= a.lowerBound(3) && b.estimate() <= a.upperBound(3),
          where + ": HLL estimate " + b.estimate() + " outside the other's 3-sigma bounds [" + a.lowerBound(3)
              + ", " + a.upperBound(3) + "]");
    }
  }

  /**
   * The state of an HLL sketch in a form that does not depend on update history: in coupon
   * (LIST/SET) mode the compact bytes hold the coupons in hash-table order, which depends on the
   * order they were inserted, so the coupons are sorted; in HLL mode the compact bytes are used
   * as they are. Layout: byte 0 preamble ints (2 LIST, 3 SET, 10 HLL), 3 lgK, 6 list count,
   * 7 mode; LIST coupons from byte 8, SET count at 8..11 and coupons from byte 12.
   */
  static String canonicalHll(CardinalityMetric m) {
    byte[] b = m.sketchBytes();
    int mode = b[7] & 3;
    if (mode == 2) {
      return "HLL " + java.util.Arrays.toString(b);
    }
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int start = (b[0] & 0x3f) * 4;
    int count = mode == 0 ? b[6] & 0xff : buf.getInt(8);
    int[] coupons = new int[count];
    for (int i = 0; i < count; i++) {
      coupons[i] = buf.getInt(start + 4 * i);
    }
    java.util.Arrays.sort(coupons);
    return (mode == 0 ? "LIST" : "SET") + " lgK=" + b[3] + " " + java.util.Arrays.toString(coupons);
  }

  // ---- frequent items ----

  /**
   * Stream lengths are exact; every item either sketch holds has estimates within the sum of both
   * sketches' maximum errors (so two exact sketches hold the same items with the same counts).
   */
  static void frequentItems(FrequentItemsMetric a, FrequentItemsMetric b, String where) {
    assertEquals(a.streamLength(), b.streamLength(), where + ": frequent items stream length");
    assertEquals(a.lgMaxMapSize(), b.lgMaxMapSize(), where + ": frequent items lgMaxMapSize");
    long bound = a.maximumError() + b.maximumError();
    if (bound > 0) {
      EXERCISED.merge("frequent_items:with-error", 1, Integer::sum);
    }
    Set<String> items = new TreeSet<>();
    a.allItems().forEach(i -> items.add(i.value()));
    b.allItems().forEach(i -> items.add(i.value()));
    for (String item : items) {
      long ea = a.estimate(item);
      long eb = b.estimate(item);
      assertTrue(Math.abs(ea - eb) <= bound, where + ": frequent item '" + item + "' estimated " + ea + " vs " + eb
          + ", more apart than the error bound " + bound);
    }
  }

  // ---- coverage: which namespaces the comparisons actually exercised ----

  private static final Map<String, Integer> EXERCISED = new java.util.concurrent.ConcurrentHashMap<>();

  static void resetCoverage() {
    EXERCISED.clear();
  }

  /**
   * Fails when a registered kind was never compared non-empty during a property run: a metric
   * the generators cannot produce is a metric the laws do not test.
   */
  static void assertEveryKindExercised(String law) {
    System.out.println(law + ": comparisons per namespace and sketch regime " + new java.util.TreeMap<>(EXERCISED));
    if (Generators.cases() >= 100) {
      // the approximate branches must be reached, or the sketch bounds are never tested
      for (String regime : List.of("distribution:estimation-mode", "cardinality:hll-mode", "frequent_items:with-error")) {
        assertTrue(EXERCISED.getOrDefault(regime, 0) > 0, law + ": no generated case reached " + regime);
      }
    }
    for (MetricKind<?> kind : MetricRegistry.standard().kinds()) {
      assertTrue(EXERCISED.getOrDefault(kind.namespace(), 0) > 0, law + ": no generated profile exercised metric '"
          + kind.namespace() + "' with a non-empty value; extend Generators so the laws cover it");
    }
  }

  // ---- views ----

  /**
   * Properties, column set and per-column namespace sets exact; unknown components exact; each
   * registered metric through its comparator.
   */
  public static void assertViewsClose(ProfileView a, ProfileView b, String what) {
    assertEquals(a.properties(), b.properties(), what + ": properties");
    assertColumnsOfViewsClose(a, b, what);
  }

  /**
   * As {@link #assertViewsClose} without the properties: for profiles of the same data made at
   * different times or by different paths (threads, formats, Spark), whose timestamps differ.
   * Other modules' tests use it through core's test jar.
   */
  public static void assertColumnsOfViewsClose(ProfileView a, ProfileView b, String what) {
    assertEquals(a.columns().keySet(), b.columns().keySet(), what + ": columns");
    for (String col : a.columns().keySet()) {
      assertColumnsClose(a.columns().get(col), b.columns().get(col), what + ", column '" + col + "'");
    }
  }

  public static void assertColumnsClose(ColumnView a, ColumnView b, String where) {
    assertEquals(a.metrics().keySet(), b.metrics().keySet(), where + ": metric namespaces");
    assertEquals(a.unknownComponents(), b.unknownComponents(), where + ": unknown components");
    for (MetricKind<?> kind : MetricRegistry.standard().kinds()) {
      MetricComparator c = comparatorFor(kind);
      Optional<? extends Metric<?>> ma = a.metric(kind);
      Optional<? extends Metric<?>> mb = b.metric(kind);
      assertEquals(ma.isPresent(), mb.isPresent(), where + ": presence of metric '" + kind.namespace() + "'");
      if (ma.isPresent()) {
        c.assertClose(ma.get(), mb.get(), where + ", metric '" + kind.namespace() + "'");
        if (!ma.get().isEmpty()) {
          EXERCISED.merge(kind.namespace(), 1, Integer::sum);
        }
      }
    }
  }
}
