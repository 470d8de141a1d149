package dev.loupe.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * "Equal by the merge laws": the profile of split data merged equals the profile of the whole
 * exactly for counts, types and integer min/max, and within each sketch's published error for
 * KLL ranks, HLL estimates and frequent items.
 */
final class ViewAssert {
  private ViewAssert() {}

  static void assertViewsClose(ProfileView expected, ProfileView actual) {
    assertEquals(expected.columns().keySet(), actual.columns().keySet(), "columns");
    for (String col : expected.columns().keySet()) {
      assertColumnsClose(expected.columns().get(col), actual.columns().get(col), "column '" + col + "'");
    }
  }

  static void assertColumnsClose(ColumnView e, ColumnView a, String where) {
    assertEquals(e.metrics().keySet(), a.metrics().keySet(), where + ": metric namespaces");
    assertEquals(e.counts(), a.counts(), where + ": counts");
    assertEquals(e.types(), a.types(), where + ": types");
    assertEquals(e.ints(), a.ints(), where + ": ints");
    distribution(e.distribution(), a.distribution(), where);
    cardinality(e.cardinality(), a.cardinality(), where);
    frequentItems(e.frequentItems(), a.frequentItems(), where);
  }

  static void distribution(Optional<DistributionMetric> oe, Optional<DistributionMetric> oa, String where) {
    assertEquals(oe.isPresent(), oa.isPresent(), where + ": distribution presence");
    if (oe.isEmpty()) {
      return;
    }
    DistributionMetric e = oe.get();
    DistributionMetric a = oa.get();
    assertEquals(e.n(), a.n(), where + ": distribution n");
    assertEquals(e.isEmpty(), a.isEmpty(), where + ": distribution emptiness");
    if (e.isEmpty()) {
      return;
    }
    assertTrue(e.min() == a.min(), where + ": min " + e.min() + " vs " + a.min());
    assertTrue(e.max() == a.max(), where + ": max " + e.max() + " vs " + a.max());
    double magnitude = Math.max(Math.abs(e.min()), Math.abs(e.max()));
    if (Double.isInfinite(magnitude)) {
      // an infinity in the data: both means are +inf, -inf or NaN depending on the summation order
      assertTrue(!Double.isFinite(e.mean()) && !Double.isFinite(a.mean()), where + ": mean " + e.mean() + " vs "
          + a.mean() + " with an infinity in the data");
    } else {
      assertTrue(Math.abs(e.mean() - a.mean()) <= 1e-9 * Math.abs(e.mean()) + 1e-12 * magnitude,
          where + ": mean " + e.mean() + " vs " + a.mean());
    }
    double bound = (e.sketchCopy().isEstimationMode() ? e.normalizedRankError() : 0)
        + (a.sketchCopy().isEstimationMode() ? a.normalizedRankError() : 0);
    for (int i = 0; i <= 100; i++) {
      double q = e.quantile(i / 100.0);
      double re = e.rank(q);
      double ra = a.rank(q);
      assertTrue(Math.abs(re - ra) <= bound, where + ": rank(" + q + ") " + re + " vs " + ra + ", bound " + bound);
    }
  }

  static void cardinality(Optional<CardinalityMetric> oe, Optional<CardinalityMetric> oa, String where) {
    assertEquals(oe.isPresent(), oa.isPresent(), where + ": cardinality presence");
    if (oe.isEmpty()) {
      return;
    }
    CardinalityMetric e = oe.get();
    CardinalityMetric a = oa.get();
    assertEquals(e.isEmpty(), a.isEmpty(), where + ": HLL emptiness");
    if (e.isEmpty()) {
      return;
    }
    // the registers are order-free: the composite estimate agrees whatever the merge order
    assertEquals(e.compositeEstimate(), a.compositeEstimate(), 1e-9 * e.compositeEstimate(), where + ": HLL composite");
    assertTrue(a.estimate() >= e.lowerBound(3) && a.estimate() <= e.upperBound(3),
        where + ": HLL estimate " + a.estimate() + " outside [" + e.lowerBound(3) + ", " + e.upperBound(3) + "]");
  }

  static void frequentItems(Optional<FrequentItemsMetric> oe, Optional<FrequentItemsMetric> oa, String where) {
    assertEquals(oe.isPresent(), oa.isPresent(), where + ": frequent items presence");
    if (oe.isEmpty()) {
      return;
    }
    FrequentItemsMetric e = oe.get();
    FrequentItemsMetric a = oa.get();
    assertEquals(e.streamLength(), a.streamLength(), where + ": frequent items stream length");
    long bound = e.maximumError() + a.maximumError();
    Set<String> items = new TreeSet<>();
    e.allItems().forEach(i -> items.add(i.value()));
    a.allItems().forEach(i -> items.add(i.value()));
    for (String item : items) {
      assertTrue(Math.abs(e.estimate(item) - a.estimate(item)) <= bound, where + ": item '" + item + "' "
          + e.estimate(item) + " vs " + a.estimate(item) + ", bound " + bound);
    }
  }
}
