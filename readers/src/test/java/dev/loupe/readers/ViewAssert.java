package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.util.Set;
import java.util.TreeSet;

/**
 * "Equal up to what the sketches promise", as core's merge-law tests compare views: counts, types
 * and integer min/max exact; KLL n, min and max exact and ranks within both sketches' rank errors;
 * HLL composite estimates equal (registers are order-free) and estimates within each other's
 * 3-sigma bounds; frequent items within both sketches' maximum errors. Properties are not compared
 * (timestamps differ between runs).
 */
final class ViewAssert {
  private ViewAssert() {}

  static void assertViewsClose(ProfileView expected, ProfileView actual, String what) {
    assertEquals(expected.columns().keySet(), actual.columns().keySet(), what + ": columns");
    for (String name : expected.columns().keySet()) {
      assertColumnsClose(expected.columns().get(name), actual.columns().get(name), what + ", column '" + name + "'");
    }
  }

  static void assertColumnsClose(ColumnView a, ColumnView b, String where) {
    assertEquals(a.metrics().keySet(), b.metrics().keySet(), where + ": metric namespaces");
    assertEquals(a.counts(), b.counts(), where + ": counts");
    assertEquals(a.types(), b.types(), where + ": types");
    assertEquals(a.ints(), b.ints(), where + ": ints");
    if (a.distribution().isPresent()) {
      distribution(a.distribution().get(), b.distribution().orElseThrow(), where);
    }
    if (a.cardinality().isPresent()) {
      cardinality(a.cardinality().get(), b.cardinality().orElseThrow(), where);
    }
    if (a.frequentItems().isPresent()) {
      frequentItems(a.frequentItems().get(), b.frequentItems().orElseThrow(), where);
    }
  }

  static void distribution(DistributionMetric a, DistributionMetric b, String where) {
    assertEquals(a.n(), b.n(), where + ": distribution n");
    assertEquals(a.isEmpty(), b.isEmpty(), where + ": distribution emptiness");
    if (a.isEmpty()) {
      return;
    }
    assertTrue(a.min() == b.min(), where + ": min " + a.min() + " vs " + b.min());
    assertTrue(a.max() == b.max(), where + ": max " + a.max() + " vs " + b.max());
    double magnitude = Math.max(Math.abs(a.min()), Math.abs(a.max()));
    if (Double.isFinite(magnitude)) {
      double tol = 1e-9 * Math.abs(a.mean()) + 1e-12 * magnitude;
      assertTrue(Math.abs(a.mean() - b.mean()) <= tol, where + ": mean " + a.mean() + " vs " + b.mean());
    }
    double eps = (a.sketchCopy().isEstimationMode() ? a.normalizedRankError() : 0)
        + (b.sketchCopy().isEstimationMode() ? b.normalizedRankError() : 0);
    for (int i = 0; i <= 20; i++) {
      double p = a.quantile(i / 20.0);
      double ra = a.rank(p);
      double rb = b.rank(p);
      assertTrue(Math.abs(ra - rb) <= eps, where + ": rank(" + p + ") " + ra + " vs " + rb + ", bound " + eps);
    }
  }

  static void cardinality(CardinalityMetric a, CardinalityMetric b, String where) {
    assertEquals(a.isEmpty(), b.isEmpty(), where + ": HLL emptiness");
    if (a.isEmpty()) {
      return;
    }
    double ca = a.compositeEstimate();
    double cb = b.compositeEstimate();
    assertTrue(Math.abs(ca - cb) <= 1e-9 * Math.max(ca, cb), where + ": HLL composite " + ca + " vs " + cb);
    assertTrue(a.estimate() >= b.lowerBound(3) && a.estimate() <= b.upperBound(3),
        where + ": HLL " + a.estimate() + " outside [" + b.lowerBound(3) + ", " + b.upperBound(3) + "]");
  }

  static void frequentItems(FrequentItemsMetric a, FrequentItemsMetric b, String where) {
    assertEquals(a.streamLength(), b.streamLength(), where + ": frequent items stream length");
    long bound = a.maximumError() + b.maximumError();
    Set<String> items = new TreeSet<>();
    a.allItems().forEach(i -> items.add(i.value()));
    b.allItems().forEach(i -> items.add(i.value()));
    for (String item : items) {
      long ea = a.estimate(item);
      long eb = b.estimate(item);
      assertTrue(Math.abs(ea - eb) <= bound, where + ": item '" + item + "' " + ea + " vs " + eb + ", bound " + bound);
    }
  }
}
