package dev.loupe.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.loupe.core.ColumnView;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.drift.ColumnDrift;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.DriftOptions;
import dev.loupe.core.drift.SortedValues;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The trailing baseline's distribution as the union of its windows' retained items: the sliding
 * union equals the union built from scratch, and with exact windows its KS statistic is the exact
 * two-sample KS of the raw values.
 */
class DistributionUnionTest {
  /** Values with ties, signed zeros and infinities; entry i has weight 1 + (i / VALUES.length) % 4. */
  static final double[] VALUES = {Double.NEGATIVE_INFINITY, -1e300, -2.5, -0.0, 0.0, 1.0, 1.5, 3.0, 1e300,
      Double.POSITIVE_INFINITY};

  @Test
  void slidingUnionEqualsTheUnionBuiltFromScratch() {
    qt().withExamples(Integer.getInteger("loupe.props.cases", 300)).forAll(integers().between(1, 6),
        lists().of(lists().of(integers().between(0, 4 * VALUES.length - 1)).ofSizeBetween(0, 12)).ofSizeBetween(0, 30))
        .checkAssert((capacity, windows) -> {
          DistributionUnion union = new DistributionUnion(capacity);
          ArrayDeque<Map<String, SortedValues>> kept = new ArrayDeque<>();
          for (int w = 0; w < windows.size(); w++) {
            Map<String, SortedValues> window = new HashMap<>();
            List<Integer> items = windows.get(w);
            window.put("x", sortedValues(items, (w % 3) * 0.01));
            if (items.size() % 2 == 0) { // "y" comes and goes
              List<Integer> reversed = new ArrayList<>(items);
              java.util.Collections.reverse(reversed);
              window.put("y", sortedValues(reversed.subList(0, reversed.size() / 2), 0.02));
            }
            union.add(window);
            kept.addLast(window);
            if (kept.size() > capacity) {
              kept.pollFirst();
            }
            assertEquals(kept.size(), union.size());
            for (String column : List.of("x", "y", "absent")) {
              assertSameUnion(fromScratch(kept, column), union.values(column), "window " + w + " column " + column);
              double weighted = 0;
              long n = 0;
              for (Map<String, SortedValues> k : kept) {
                SortedValues s = k.get(column);
                if (s != null) {
                  weighted += s.n() * s.rankError();
                  n += s.n();
                }
              }
              assertEquals(n == 0 ? 0.0 : weighted / n, union.values(column).rankError(), 1e-12,
                  "window " + w + " column " + column + ": the weighted mean rank error");
            }
          }
        });
  }

  @Test
  void withExactWindowsTheUnionsKsIsTheExactTwoSampleKsOfTheRawValues() {
    DriftOptions calibrated = DriftOptions.builder().chiSquareHomogeneity(true).sketchErrorCorrection(true).build();
    for (int seed = 0; seed < 20; seed++) {
      Random r = new Random(seed);
      int capacity = 1 + r.nextInt(24);
      DistributionUnion union = new DistributionUnion(capacity);
      ArrayDeque<double[]> raw = new ArrayDeque<>();
      for (int w = 0; w < 40; w++) {
        double[] values = window(r, w);
        ColumnView target = column(values);
        if (union.size() > 0) {
          double[] base = raw.stream().flatMapToDouble(Arrays::stream).toArray();
          SortedValues u = union.values("x");
          assertEquals(base.length, u.n());
          assertEquals(0.0, u.rankError(), "exact windows, exact union");
          double exact = exactKs(base, values);
          SortedValues t = SortedValues.of(target.distribution().orElseThrow());
          assertEquals(exact, Drift.ksStatistic(u, t), 1e-15, "seed " + seed + " window " + w);
          // and the drift test reports it, with no sketch-error allowance
          ColumnDrift d = Drift.compareColumn("x", new Drift.Side(column(base), u, null),
              new Drift.Side(target, t, null), calibrated);
          assertEquals(exact, d.statistic().doubleValue(), 1e-15);
          assertEquals(0.0, d.sketchError().doubleValue());
          assertEquals(exact, d.testedStatistic().doubleValue(), 1e-15);
        }
        union.add(Map.of("x", SortedValues.of(target.distribution().orElseThrow())));
        raw.addLast(values);
        if (raw.size() > capacity) {
          raw.pollFirst();
        }
      }
    }
  }

  @Test
  void windowsInEstimationModeGiveTheWeightedMeanOfTheirRankErrors() {
    Random r = new Random(7);
    DistributionUnion union = new DistributionUnion(4);
    List<SortedValues> all = new ArrayList<>();
    List<double[]> raws = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      double[] values = new double[2_000 + 3_000 * w];
      for (int i = 0; i < values.length; i++) {
        values[i] = r.nextGaussian() + w * 0.01;
      }
      SortedValues s = SortedValues.of(column(values).distribution().orElseThrow());
      all.add(s);
      raws.add(values);
      union.add(Map.of("x", s));
    }
    double weighted = 0;
    long n = 0;
    for (SortedValues s : all) {
      weighted += s.n() * s.rankError();
      n += s.n();
    }
    SortedValues u = union.values("x");
    assertTrue(all.get(3).rankError() > 0, "the largest window is in estimation mode");
    assertEquals(weighted / n, u.rankError(), 1e-15);
    assertEquals(n, u.n());
    // the union's CDF is within its allowance of the exact baseline's (at every retained value)
    double[] base = raws.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
    for (int i = 0; i < u.size(); i++) {
      double exact = upperBound(base, u.value(i)) / (double) base.length;
      double sketched = u.cumulativeWeight(i) / (double) n;
      assertTrue(Math.abs(exact - sketched) <= u.rankError(), "at " + u.value(i) + ": " + sketched + " vs " + exact);
    }
  }

  // ---- helpers ----

  /** Window w: continuous values, then rounded ones (ties), with a few signed zeros. */
  private static double[] window(Random r, int w) {
    double[] v = new double[50 + r.nextInt(150)];
    for (int i = 0; i < v.length; i++) {
      double x = r.nextGaussian() * 3 + (w > 30 ? 0.5 : 0);
      v[i] = w % 2 == 0 ? x : Math.rint(x);
      if (v[i] == 0) {
        v[i] = r.nextBoolean() ? -0.0 : 0.0;
      }
    }
    return v;
  }

  private static ColumnView column(double[] values) {
    DatasetProfile p = new DatasetProfile();
    for (double v : values) {
      p.track(Map.of("x", v));
    }
    return p.view().column("x").orElseThrow();
  }

  /** The exact two-sample KS statistic: max over the pooled values of |F1 - F2| (empirical CDFs, right-continuous). */
  static double exactKs(double[] a, double[] b) {
    double[] sa = a.clone();
    double[] sb = b.clone();
    sortNumerically(sa);
    sortNumerically(sb);
    double d = 0;
    for (double[] side : List.of(sa, sb)) {
      for (double x : side) {
        d = Math.max(d, Math.abs(upperBound(sa, x) / (double) sa.length - upperBound(sb, x) / (double) sb.length));
      }
    }
    return d;
  }

  private static void sortNumerically(double[] v) {
    for (int i = 0; i < v.length; i++) {
      if (v[i] == 0) {
        v[i] = 0.0; // -0.0 and 0.0 are one value
      }
    }
    Arrays.sort(v);
  }

  /** How many entries of sorted {@code v} are at most {@code x}. */
  private static int upperBound(double[] v, double x) {
    int lo = 0;
    int hi = v.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (v[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Entries as sorted values: value VALUES[i % 10], weight 1 + (i / 10) % 4; duplicates kept as separate entries. */
  private static SortedValues sortedValues(List<Integer> items, double rankError) {
    Integer[] sorted = items.toArray(new Integer[0]);
    Arrays.sort(sorted, (p, q) -> Double.compare(VALUES[p % VALUES.length], VALUES[q % VALUES.length]));
    double[] v = new double[sorted.length];
    long[] c = new long[sorted.length];
    long total = 0;
    for (int i = 0; i < sorted.length; i++) {
      v[i] = VALUES[sorted[i] % VALUES.length];
      total += weight(sorted[i]);
      c[i] = total;
    }
    return new SortedValues(v, c, v.length, rankError);
  }

  private static long weight(int item) {
    return 1 + (item / VALUES.length) % 4;
  }

  /** The union of the kept windows' entries of {@code column}: value (signed zeros as one) to total weight. */
  private static TreeMap<Double, Long> fromScratch(ArrayDeque<Map<String, SortedValues>> kept, String column) {
    TreeMap<Double, Long> out = new TreeMap<>();
    for (Map<String, SortedValues> w : kept) {
      SortedValues s = w.get(column);
      for (int i = 0; s != null && i < s.size(); i++) {
        double v = s.value(i) == 0 ? 0.0 : s.value(i);
        out.merge(v, s.weight(i), Long::sum);
      }
    }
    return out;
  }

  private static void assertSameUnion(TreeMap<Double, Long> expected, SortedValues actual, String where) {
    assertEquals(expected.size(), actual.size(), where + ": entries");
    int i = 0;
    long total = 0;
    for (Map.Entry<Double, Long> e : expected.entrySet()) {
      total += e.getValue();
      assertTrue(e.getKey() == actual.value(i), where + ": value " + i + " " + actual.value(i) + " != " + e.getKey());
      assertEquals(total, actual.cumulativeWeight(i), where + ": cumulative weight at " + e.getKey());
      i++;
    }
    assertEquals(total, actual.n());
  }
}
