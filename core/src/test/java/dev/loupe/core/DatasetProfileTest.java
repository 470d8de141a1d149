package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.metrics.FrequentItemsMetric;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetProfileTest {

  @Test
  void rowsOfMixedKindsCountAsWhylogsDoes() {
    DatasetProfile p = new DatasetProfile();
    for (Object v : new Object[] {1, 2L, 3.5, Double.NaN, Double.POSITIVE_INFINITY, null, "a", "a", true, false}) {
      Map<String, Object> row = new HashMap<>();
      row.put("x", v);
      p.track(row);
    }
    ColumnView x = p.view().column("x").orElseThrow();
    assertEquals(10, x.counts().n());
    assertEquals(2, x.counts().nulls()); // null and NaN
    assertEquals(1, x.counts().nan());
    assertEquals(1, x.counts().inf());
    assertEquals(1, x.counts().trueCount());
    assertEquals(2, x.types().integral());
    assertEquals(2, x.types().fractional());
    assertEquals(2, x.types().string());
    assertEquals(2, x.types().bool());
    assertEquals(4, x.distribution().orElseThrow().n()); // 1, 2, 3.5, +inf
    assertEquals(1L, x.ints().orElseThrow().min().getAsLong());
    assertEquals(2L, x.ints().orElseThrow().max().getAsLong());
    List<FrequentItemsMetric.Item> items = x.frequentItems().orElseThrow().frequentItems();
    assertEquals("a", items.get(0).value());
    assertEquals(2, items.get(0).est());
  }

  @Test
  void emptyColumnSummarizesAsNullsNotSentinels() {
    DatasetProfile p = new DatasetProfile();
    Map<String, Object> row = new HashMap<>();
    row.put("e", null);
    p.track(row);
    p.track(Map.of("s", "x"));
    Map<String, Object> s = p.view().column("s").orElseThrow().summary();
    assertNull(s.get("distribution/mean"));
    assertNull(s.get("distribution/min"));
    assertEquals(0L, s.get("distribution/n"));
    assertEquals("string", s.get("type"));
    Map<String, Object> e = p.view().column("e").orElseThrow().summary();
    assertEquals("null", e.get("type"));
    assertFalse(e.containsKey("distribution/mean"));
  }

  record Person(String name, int age) {}

  @Test
  void recordsAreTrackedByComponent() {
    DatasetProfile p = new DatasetProfile();
    p.track(new Person("Ada", 36));
    p.track(new Person("Alan", 41));
    ProfileView v = p.view();
    assertEquals(2, v.column("age").orElseThrow().types().integral());
    assertEquals(2, v.column("name").orElseThrow().types().string());
    assertTrue(v.column("age").orElseThrow().distribution().isPresent());
  }
}
