package dev.loupe.core;

import static dev.loupe.core.Generators.PROPERTIES;
import static dev.loupe.core.Generators.SHRINK_CYCLES;
import static dev.loupe.core.Generators.arrowTables;
import static dev.loupe.core.Generators.cases;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.loupe.core.Generators.Table;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.IntsMetric;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

/** Tracking Arrow batches gives the profile that tracking the same rows one by one gives. */
class ArrowTrackingTest {
  static BufferAllocator allocator;

  @BeforeAll
  static void open() {
    allocator = new RootAllocator();
  }

  @AfterAll
  static void close() {
    assertEquals(0, allocator.getAllocatedMemory(), "Arrow memory leaked by the test");
    allocator.close();
  }

  static ProfileView trackArrow(List<Table> batches, ProfileProperties props) {
    DatasetProfile p = new DatasetProfile(props);
    for (Table t : batches) {
      try (VectorSchemaRoot root = Generators.toArrow(t, allocator)) {
        p.trackDataframe(root);
      }
    }
    return p.view();
  }

  /**
   * Counts, types and integer min/max are exact; the distribution's n, min, max, mean and m2 are
   * exact too (the values reach the sketch in the same order by both paths); HLL and frequent
   * items are compared as sketches (strings are pre-aggregated differently by the two paths, so
   * the update order differs). The metric sets may differ: an Arrow column declares its kind and
   * starts with that kind's metrics even when every value is null, so absent metrics are compared
   * as their zero.
   */
  @Test
  void arrowBatchTracksLikeRows() {
    qt().withExamples(cases()).withShrinkCycles(SHRINK_CYCLES).forAll(arrowTables(), PROPERTIES).checkAssert((t, props) -> {
      ProfileView rows = t.view(props);
      ProfileView arrow = trackArrow(List.of(t), props);
      assertEquals(rows.properties(), arrow.properties());
      assertEquals(t.columns().keySet(), arrow.columns().keySet(), "Arrow makes every column of the batch");
      for (String name : arrow.columns().keySet()) {
        ColumnView a = arrow.columns().get(name);
        String where = "column '" + name + "' (" + t.columns().get(name) + ")";
        if (!rows.columns().containsKey(name)) {
          assertEquals(0, a.counts().n(), where + ": only an empty batch makes a column the rows never saw");
          assertTrue(a.metrics().values().stream().allMatch(m -> m.isEmpty()), where + ": metrics of no rows");
          continue;
        }
        ColumnView r = rows.columns().get(name);
        assertEquals(r.counts(), a.counts(), where + ": counts");
        assertEquals(r.types(), a.types(), where + ": types");
        assertEquals(r.metricOrZero(IntsMetric.KIND), a.metricOrZero(IntsMetric.KIND), where + ": ints");
        DistributionMetric dr = r.metricOrZero(DistributionMetric.KIND);
        DistributionMetric da = a.metricOrZero(DistributionMetric.KIND);
        assertEquals(dr.n(), da.n(), where + ": distribution n");
        assertEquals(0, Double.compare(dr.min().orElse(Double.NaN), da.min().orElse(Double.NaN)), where + ": distribution min");
        assertEquals(0, Double.compare(dr.max().orElse(Double.NaN), da.max().orElse(Double.NaN)), where + ": distribution max");
        assertEquals(0, Double.compare(dr.mean().orElse(Double.NaN), da.mean().orElse(Double.NaN)), where + ": distribution mean " + dr.mean().orElse(Double.NaN) + " vs " + da.mean().orElse(Double.NaN));
        assertEquals(0, Double.compare(dr.m2(), da.m2()), where + ": distribution m2");
        Approx.kllRanks(dr, da, where);
        Approx.cardinality(r.metricOrZero(CardinalityMetric.KIND), a.metricOrZero(CardinalityMetric.KIND), where);
        Approx.frequentItems(r.metricOrZero(FrequentItemsMetric.KIND), a.metricOrZero(FrequentItemsMetric.KIND), where);
      }
    });
  }

  /** Non-string HLL updates happen in the same order by both paths, so the sketches are identical. */
  @Test
  void numericColumnsGiveIdenticalHllByBothPaths() {
    qt().withExamples(cases()).withShrinkCycles(SHRINK_CYCLES).forAll(arrowTables()).checkAssert(t -> {
      ProfileView rows = t.view(ProfileProperties.EMPTY);
      ProfileView arrow = trackArrow(List.of(t), ProfileProperties.EMPTY);
      t.columns().forEach((name, kind) -> {
        if ((kind == Generators.Kind.LONGS || kind == Generators.Kind.DOUBLES) && rows.columns().containsKey(name)) {
          assertEquals(rows.columns().get(name).metricOrZero(CardinalityMetric.KIND),
              arrow.columns().get(name).metricOrZero(CardinalityMetric.KIND), name + ": HLL bytes");
        }
      });
    });
  }

  @Test
  void manyBatchesTrackLikeOneBatch() {
    qt().withExamples(cases()).withShrinkCycles(SHRINK_CYCLES)
        .forAll(arrowTables(), Generate.range(1, 6), PROPERTIES).checkAssert((t, n, props) -> {
          List<Table> batches = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            batches.add(t.slice(t.size() * i / n, t.size() * (i + 1) / n));
          }
          Approx.assertViewsClose(trackArrow(List.of(t), props), trackArrow(batches, props), n + " batches vs 1");
        });
  }
}
