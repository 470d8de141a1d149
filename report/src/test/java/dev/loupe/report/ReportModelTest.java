package dev.loupe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.DistributionMetric;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.junit.jupiter.api.Test;

/**
 * The report's numbers, checked number by number: against exact computations on the data the
 * profiles were made from, and against the sketch's own CDF.
 */
class ReportModelTest {
  /** Fewer values than the KLL sketch's k (1024): the sketch holds every value, so its answers are exact. */
  static final int SMALL = 800;
  static final List<Map<String, Object>> SMALL_ROWS = Profiles.orderRows(7, SMALL, 0.3);
  static final List<Map<String, Object>> SMALL_REF_ROWS = Profiles.orderRows(8, SMALL, 0);
  static final ReportModel SMALL_MODEL = ReportModel.of(Profiles.orders(7, SMALL, 0.3),
      Profiles.orders(8, SMALL, 0), "t");

  @Test
  void histogramMassesAreTheSketchsCdfDifferences() {
    ProfileView target = HtmlReportTest.TARGET;
    ProfileView reference = HtmlReportTest.REFERENCE;
    ReportModel model = ReportModel.of(target, reference, "t");
    for (String name : List.of("amount", "quantity")) {
      ReportModel.Histogram h = column(model, name).histogram();
      assertTrue(h.finite());
      DistributionMetric m = target.column(name).orElseThrow().distribution().orElseThrow();
      DistributionMetric r = reference.column(name).orElseThrow().distribution().orElseThrow();
      assertTrue(m.isEstimationMode(), "3000 values: the sketch has compacted");
      assertMassesAreCdfDifferences(h.edges(), h.masses(), m.sketchCopy(), name);
      assertMassesAreCdfDifferences(h.edges(), h.referenceMasses(), r.sketchCopy(), name + " (reference)");
      assertEquals(1.0, Arrays.stream(h.masses()).sum(), 1e-9, "the masses of " + name + " sum to 1");
      // the range: the 0.5% and 99.5% quantiles of both sides, split into 30 equal buckets
      assertEquals(Math.min(m.quantile(0.005).orElseThrow(), r.quantile(0.005).orElseThrow()), h.lo());
      assertEquals(Math.max(m.quantile(0.995).orElseThrow(), r.quantile(0.995).orElseThrow()), h.hi());
      assertEquals(ReportModel.BUCKETS + 1, h.edges().length);
      for (int i = 0; i <= ReportModel.BUCKETS; i++) {
        assertEquals(h.lo() + (h.hi() - h.lo()) * i / ReportModel.BUCKETS, h.edges()[i], 1e-12 * h.hi());
      }
    }
  }

  /** mass[i] = F(edges[i+1]) - F(edges[i]) with F the sketch's inclusive CDF; the end buckets are open. */
  private static void assertMassesAreCdfDifferences(double[] edges, double[] masses, KllDoublesSketch s, String what) {
    int b = masses.length;
    for (int i = 0; i < b; i++) {
      double below = i == 0 ? 0 : s.getRank(edges[i], QuantileSearchCriteria.INCLUSIVE);
      double upTo = i == b - 1 ? 1 : s.getRank(edges[i + 1], QuantileSearchCriteria.INCLUSIVE);
      assertEquals(upTo - below, masses[i], 1e-12, what + " bucket " + i);
    }
  }

  @Test
  void onExactSketchesTheHistogramIsTheDatasCounts() {
    ReportModel.Histogram h = column(SMALL_MODEL, "amount").histogram();
    double[] exact = exactMasses(values(SMALL_ROWS, "amount"), h.edges());
    double[] exactRef = exactMasses(values(SMALL_REF_ROWS, "amount"), h.edges());
    for (int i = 0; i < exact.length; i++) {
      assertEquals(exact[i], h.masses()[i], 1e-12, "bucket " + i);
      assertEquals(exactRef[i], h.referenceMasses()[i], 1e-12, "reference bucket " + i);
    }
    // the range's ends are the exact order statistics: EXCLUSIVE quantile r is the value at index floor(r * n)
    double[] t = sorted(values(SMALL_ROWS, "amount"));
    double[] r = sorted(values(SMALL_REF_ROWS, "amount"));
    assertEquals(Math.min(t[(int) (0.005 * SMALL)], r[(int) (0.005 * SMALL)]), h.lo());
    assertEquals(Math.max(t[(int) (0.995 * SMALL)], r[(int) (0.995 * SMALL)]), h.hi());
    assertEquals(t[0], h.min());
    assertEquals(t[SMALL - 1], h.max());
    assertTrue(h.clipped(), "values lie beyond the 0.5% and 99.5% quantiles");
  }

  @Test
  void onALargeProfileTheHistogramIsTheDatasCountsWithinTheSketchsError() {
    ProfileView target = HtmlReportTest.TARGET;
    ReportModel.Histogram h = column(ReportModel.of(target, null, "t"), "amount").histogram();
    double[] exact = exactMasses(values(Profiles.orderRows(2, 3000, 0.6), "amount"), h.edges());
    DistributionMetric m = target.column("amount").orElseThrow().distribution().orElseThrow();
    // a bucket's mass is a difference of two ranks: at most the double-sided rank error (99% confidence) off
    double eps = m.normalizedRankError(true);
    for (int i = 0; i < exact.length; i++) {
      assertEquals(exact[i], h.masses()[i], eps, "bucket " + i + " (eps " + eps + ")");
    }
    assertNull(h.referenceMasses(), "no reference");
  }

  @Test
  void summaryStatisticsAreTheDatas() {
    ReportModel.Column amount = column(SMALL_MODEL, "amount");
    double[] v = sorted(values(SMALL_ROWS, "amount"));
    double mean = Arrays.stream(v).sum() / v.length;
    double ss = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
    assertEquals(SMALL, amount.count());
    assertEquals(SMALL, amount.values());
    assertEquals(0, amount.nulls());
    assertEquals(mean, amount.mean(), 1e-12 * mean);
    assertEquals(Math.sqrt(ss / (v.length - 1)), amount.stddev(), 1e-9 * amount.stddev(), "sample stddev");
    assertEquals(v[0], amount.min());
    assertEquals(v[v.length - 1], amount.max());
    assertEquals(v[(int) (0.05 * SMALL)], amount.q05());
    assertEquals(v[(int) (0.25 * SMALL)], amount.q25());
    assertEquals(v[(int) (0.5 * SMALL)], amount.median());
    assertEquals(v[(int) (0.75 * SMALL)], amount.q75());
    assertEquals(v[(int) (0.95 * SMALL)], amount.q95());
    double[] ref = sorted(values(SMALL_REF_ROWS, "amount"));
    double refMean = Arrays.stream(ref).sum() / ref.length;
    assertEquals(refMean, amount.refMean(), 1e-12 * refMean);
    assertEquals(ref[(int) (0.5 * SMALL)], amount.refMedian());
    assertEquals(amount.nullShare(), 0.0);

    // note: a null every fourth row; three distinct values
    ReportModel.Column note = column(SMALL_MODEL, "note");
    long nulls = SMALL_ROWS.stream().filter(row -> row.get("note") == null).count();
    assertEquals(nulls, note.nulls());
    assertEquals(SMALL, note.count());
    assertEquals((double) nulls / SMALL, note.nullShare(), 1e-15);
    assertEquals(3, note.distinct(), "HLL on three values");
    assertTrue(Double.isNaN(note.mean()) && note.values() == 0 && note.histogram() == null, "no numbers");
  }

  @Test
  void barSharesAreTheDatasShares() {
    ReportModel.Bars countries = column(SMALL_MODEL, "country").bars();
    assertNotNull(countries);
    assertFalse(countries.booleans());
    assertTrue(countries.referenced());
    Map<String, Long> exact = counts(SMALL_ROWS, "country");
    Map<String, Long> exactRef = counts(SMALL_REF_ROWS, "country");
    assertEquals(exact.size(), countries.held(), "the sketch holds every country");
    assertEquals(Math.min(ReportModel.TOP_ITEMS, exact.size()), countries.bars().size());
    long previous = Long.MAX_VALUE;
    for (ReportModel.Bar b : countries.bars()) {
      long n = exact.get(b.label());
      assertTrue(n <= previous, "most frequent first");
      previous = n;
      assertEquals((double) n / SMALL, b.share(), 1e-15, b.label());
      assertEquals((double) exactRef.getOrDefault(b.label(), 0L) / SMALL, b.referenceShare(), 1e-15, b.label());
    }
    ReportModel.Bars express = column(SMALL_MODEL, "express").bars();
    assertTrue(express.booleans());
    long trues = SMALL_ROWS.stream().filter(row -> Boolean.TRUE.equals(row.get("express"))).count();
    long refTrues = SMALL_REF_ROWS.stream().filter(row -> Boolean.TRUE.equals(row.get("express"))).count();
    assertEquals(List.of(new ReportModel.Bar("True", (double) trues / SMALL, (double) refTrues / SMALL),
        new ReportModel.Bar("False", (double) (SMALL - trues) / SMALL, (double) (SMALL - refTrues) / SMALL)),
        express.bars());
    assertEquals(trues, column(SMALL_MODEL, "express").trues());
    assertEquals(Math.max(express.bars().get(0).share(), Math.max(express.bars().get(1).share(),
        Math.max(express.bars().get(0).referenceShare(), express.bars().get(1).referenceShare()))), express.top());
  }

  @Test
  void headerCountsAndDrift() {
    assertEquals(SMALL, SMALL_MODEL.rows());
    assertEquals(6, SMALL_MODEL.columnCount());
    assertEquals(6, SMALL_MODEL.referenceColumns());
    assertEquals(SMALL, SMALL_MODEL.referenceRows());
    assertNotNull(SMALL_MODEL.drift());
    for (ReportModel.Column c : SMALL_MODEL.columns()) {
      assertEquals(SMALL_MODEL.drift().column(c.name()).orElseThrow(), c.drift(), c.name());
    }
    ReportModel alone = ReportModel.of(Profiles.orders(7, SMALL, 0.3), null, "t");
    assertFalse(alone.hasReference());
    assertNull(alone.drift());
    assertTrue(Double.isNaN(column(alone, "amount").refMean()));
  }

  @Test
  void aBucketHoldsItsUpperEdgeAndNotItsLowerOne() {
    // 0..1000: the range is 5..995 (the exclusive 0.5% and 99.5% quantiles), the edges 5 + 33 i are values
    dev.loupe.core.DatasetProfile p = new dev.loupe.core.DatasetProfile();
    double[] values = new double[1001];
    for (int i = 0; i <= 1000; i++) {
      values[i] = i;
      p.track(Map.of("x", (double) i));
    }
    ReportModel.Histogram h = column(ReportModel.of(p.view(), null, "t"), "x").histogram();
    assertEquals(5, h.lo());
    assertEquals(995, h.hi());
    assertEquals(38, h.edges()[1]);
    double[] exact = exactMasses(values, h.edges());
    assertEquals(39.0 / 1001, exact[0], 1e-15, "0..38: the first bucket is open below and holds its upper edge");
    assertEquals(33.0 / 1001, exact[1], 1e-15, "39..71");
    assertEquals(38.0 / 1001, exact[ReportModel.BUCKETS - 1], 1e-15, "963..1000");
    for (int i = 0; i < exact.length; i++) {
      assertEquals(exact[i], h.masses()[i], 1e-12, "bucket " + i);
    }
  }

  @Test
  void aSingleValuePutsAllMassInTheMiddleBucket() {
    dev.loupe.core.DatasetProfile p = new dev.loupe.core.DatasetProfile();
    for (int i = 0; i < 10; i++) {
      p.track(Map.of("x", 4.5));
    }
    ReportModel.Histogram h = column(ReportModel.of(p.view(), null, "t"), "x").histogram();
    double[] expected = new double[ReportModel.BUCKETS];
    expected[ReportModel.BUCKETS / 2] = 1;
    assertEquals(Arrays.toString(expected), Arrays.toString(h.masses()));
    assertFalse(h.clipped());
  }

  static ReportModel.Column column(ReportModel m, String name) {
    return m.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  static double[] values(List<Map<String, Object>> rows, String col) {
    return rows.stream().map(r -> r.get(col)).filter(Objects::nonNull).mapToDouble(o -> ((Number) o).doubleValue())
        .toArray();
  }

  static double[] sorted(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s;
  }

  /** Shares of values in (edges[i], edges[i+1]], the first bucket open below and the last open above. */
  static double[] exactMasses(double[] values, double[] edges) {
    int b = edges.length - 1;
    double[] out = new double[b];
    for (double x : values) {
      int i = 0;
      while (i < b - 1 && x > edges[i + 1]) {
        i++;
      }
      out[i]++;
    }
    for (int i = 0; i < b; i++) {
      out[i] /= values.length;
    }
    return out;
  }

  static Map<String, Long> counts(List<Map<String, Object>> rows, String col) {
    return rows.stream().map(r -> r.get(col)).filter(Objects::nonNull).collect(
        java.util.stream.Collectors.groupingBy(Object::toString, java.util.stream.Collectors.counting()));
  }
}
