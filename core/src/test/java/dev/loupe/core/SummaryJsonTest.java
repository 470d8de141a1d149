package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.metrics.DistributionMetric;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/** The JSON summary parses, has the documented shape and keys, and never shows sentinels. */
class SummaryJsonTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static ProfileView sample() {
    DatasetProfile p = new DatasetProfile(ProfileProperties.of(Instant.ofEpochMilli(1000), Instant.ofEpochMilli(2000),
        Map.of("env", "prod"), Map.of("run", "\u540d")));
    Object[] ints = {1L, 2L, 3L, null};
    Object[] inf = {1.0, Double.POSITIVE_INFINITY, Double.NaN, 2.0};
    Object[] strs = {"a", "a", "b", "\uD83D\uDE00"};
    for (int i = 0; i < 4; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("ints", ints[i]);
      row.put("inf", inf[i]);
      row.put("strings", strs[i]);
      row.put("nulls", null);
      row.put("one", i == 0 ? 5.0 : null);
      p.track(row);
    }
    return p.view();
  }

  @Test
  void summaryJsonHasPropertiesAndColumnsWithWhylogsKeys() throws Exception {
    JsonNode root = JSON.readTree(sample().toJson());
    assertEquals(Set.of("properties", "columns"), fieldNames(root));
    JsonNode props = root.get("properties");
    assertEquals(1000, props.get("dataset_timestamp").asLong());
    assertEquals(2000, props.get("creation_timestamp").asLong());
    assertEquals("prod", props.get("tags").get("env").asText());
    assertEquals("\u540d", props.get("metadata").get("run").asText());

    JsonNode ints = root.get("columns").get("ints");
    assertEquals("integral", ints.get("type").asText());
    assertEquals(4, ints.get("counts/n").asLong());
    assertEquals(1, ints.get("counts/null").asLong());
    for (String k : List.of("counts/nan", "counts/inf", "counts/true", "types/integral", "types/fractional",
        "types/boolean", "types/string", "types/object", "types/tensor", "distribution/mean", "distribution/stddev",
        "distribution/n", "distribution/max", "distribution/min", "ints/max", "ints/min", "cardinality/est",
        "cardinality/upper_1", "cardinality/lower_1", "frequent_items/frequent_strings")) {
      assertTrue(ints.has(k), "ints column lacks '" + k + "'");
    }
    for (String q : DistributionMetric.summaryNames()) {
      assertTrue(ints.has("distribution/" + q), "ints column lacks 'distribution/" + q + "'");
    }
    assertEquals(2.0, ints.get("distribution/mean").asDouble(), 1e-12);
    assertEquals(1.0, ints.get("distribution/stddev").asDouble(), 1e-12);
    assertEquals(2.0, ints.get("distribution/median").asDouble());
    assertEquals(3, ints.get("ints/max").asLong());
    assertEquals(1, ints.get("ints/min").asLong());
    assertEquals(3.0, ints.get("cardinality/est").asDouble(), 1e-6);

    JsonNode fi = root.get("columns").get("strings").get("frequent_items/frequent_strings");
    assertTrue(fi.isArray());
    JsonNode first = fi.get(0);
    assertEquals(Set.of("value", "est", "upper", "lower"), fieldNames(first));
    assertEquals("a", first.get("value").asText());
    assertEquals(2, first.get("est").asLong());
    assertTrue(first.get("upper").asLong() >= 2 && first.get("lower").asLong() <= 2);
    List<String> values = new ArrayList<>();
    fi.forEach(n -> values.add(n.get("value").asText()));
    assertTrue(values.contains("\uD83D\uDE00"), "unicode items survive: " + values);
  }

  @Test
  void nonFiniteNumbersAreStrings() throws Exception {
    JsonNode inf = JSON.readTree(sample().toJson()).get("columns").get("inf");
    assertTrue(inf.get("distribution/mean").isTextual(), "mean of data with +inf: " + inf.get("distribution/mean"));
    assertEquals("Infinity", inf.get("distribution/mean").asText());
    assertEquals("Infinity", inf.get("distribution/max").asText());
    assertEquals(1, inf.get("counts/inf").asLong());
    assertEquals(1, inf.get("counts/nan").asLong());
    assertEquals(1, inf.get("counts/null").asLong(), "NaN counts as null too");
  }

  @Test
  void emptyMetricsAreNullNeverSentinels() throws Exception {
    JsonNode cols = JSON.readTree(sample().toJson()).get("columns");
    JsonNode strings = cols.get("strings");
    assertTrue(strings.get("distribution/mean").isNull());
    assertTrue(strings.get("distribution/max").isNull());
    assertTrue(strings.get("distribution/min").isNull());
    assertTrue(strings.get("distribution/median").isNull());
    assertTrue(strings.get("distribution/stddev").isNull());
    assertEquals(0, strings.get("distribution/n").asLong());
    JsonNode one = cols.get("one");
    assertTrue(one.get("distribution/stddev").isNull(), "stddev of one value");
    assertEquals(5.0, one.get("distribution/mean").asDouble());
    JsonNode nulls = cols.get("nulls");
    assertEquals("null", nulls.get("type").asText());
    assertFalse(nulls.has("distribution/mean"), "an all-null row column has no distribution");

    try (RootAllocator alloc = new RootAllocator(); BigIntVector v = new BigIntVector("n", alloc)) {
      v.allocateNew(2);
      v.setNull(0);
      v.setNull(1);
      v.setValueCount(2);
      try (VectorSchemaRoot root = VectorSchemaRoot.of(v)) {
        ProfileView view = new DatasetProfile().trackDataframe(root).view();
        JsonNode n = JSON.readTree(view.toJson()).get("columns").get("n");
        assertTrue(n.get("ints/max").isNull(), "empty ints: " + n.get("ints/max"));
        assertTrue(n.get("ints/min").isNull());
        assertTrue(n.get("distribution/mean").isNull());
        assertEquals(0.0, n.get("cardinality/est").asDouble());
        assertTrue(n.get("frequent_items/frequent_strings").isArray());
        assertEquals(0, n.get("frequent_items/frequent_strings").size());
        assertNoSentinels(n, "n");
      }
    }
    cols.fields().forEachRemaining(e -> assertNoSentinels(e.getValue(), e.getKey()));
  }

  /** The summary of a file read back (whylogs' sentinels on disk) still says null. */
  @Test
  void emptyIntsReadFromAFileSummarizeAsNull() throws Exception {
    ProfileView v = ProfileView.of(ProfileProperties.EMPTY.withCreationTimestamp(Instant.ofEpochMilli(1)),
        Map.of("e", ColumnView.of(List.of(dev.loupe.core.metrics.IntsMetric.EMPTY, DistributionMetric.EMPTY))));
    JsonNode e = JSON.readTree(ProfileView.read(v.toBytes(), "x").toJson()).get("columns").get("e");
    assertTrue(e.get("ints/max").isNull());
    assertTrue(e.get("ints/min").isNull());
    assertTrue(e.get("distribution/max").isNull());
    assertNoSentinels(e, "e");
  }

  static void assertNoSentinels(JsonNode col, String name) {
    col.fields().forEachRemaining(f -> {
      JsonNode v = f.getValue();
      if (v.isNumber()) {
        double d = v.asDouble();
        long l = v.asLong();
        assertFalse(v.isIntegralNumber() && (l == Long.MAX_VALUE || l == Long.MIN_VALUE || l == -Long.MAX_VALUE),
            name + "/" + f.getKey() + " is a sentinel: " + v);
        assertFalse(d == Double.MAX_VALUE || d == -Double.MAX_VALUE, name + "/" + f.getKey() + " is a sentinel: " + v);
      }
    });
  }

  static Set<String> fieldNames(JsonNode n) {
    Set<String> out = new java.util.TreeSet<>();
    Iterator<String> it = n.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }

  /**
   * A column as whylogs writes an image column (a compound metric) plus a condition-count metric
   * and a unicode_range multi metric: made here from whylogs' component naming
   * ({@code <namespace>/<sub>:<metric>/<component>}), as no such file is in the repository. The
   * file keeps every component, and the summary shows each submetric under whylogs' keys.
   */
  @Test
  void compoundAndMultiMetricsAreSummarizedUnderWhylogsKeys() throws Exception {
    DatasetProfile brightness = new DatasetProfile();
    for (double d : new double[] {10, 20, 30, 40}) {
      brightness.track(Map.of("b", d));
    }
    ColumnView b = brightness.view().column("b").orElseThrow();
    Map<String, dev.loupe.proto.v1.MetricComponentMessage> comps = new java.util.TreeMap<>();
    b.toComponents().forEach((path, c) -> {
      if (path.startsWith("counts/") || path.startsWith("distribution/")) {
        comps.put("image/Brightness.mean:" + path, c);
      }
    });
    comps.put("unicode_range/basic-latin:counts/n", dev.loupe.proto.v1.MetricComponentMessage.newBuilder().setN(7).build());
    comps.put("condition_count/total", dev.loupe.proto.v1.MetricComponentMessage.newBuilder().setN(4).build());
    comps.put("condition_count/is_bright", dev.loupe.proto.v1.MetricComponentMessage.newBuilder().setN(2).build());
    ColumnView image = ColumnView.fromComponents(comps, "fixture");
    ProfileView v = ProfileView.read(ProfileView.of(ProfileProperties.EMPTY, Map.of("image", image)).toBytes(), "f.bin");
    assertEquals(comps.keySet(), v.column("image").orElseThrow().unknownComponents().keySet(), "every component kept");

    JsonNode col = JSON.readTree(v.toJson()).get("columns").get("image");
    assertEquals(4, col.get("image/Brightness.mean:counts/n").asLong());
    assertEquals(25.0, col.get("image/Brightness.mean:distribution/mean").asDouble(), 1e-12);
    assertEquals(10.0, col.get("image/Brightness.mean:distribution/min").asDouble());
    assertEquals(40.0, col.get("image/Brightness.mean:distribution/max").asDouble());
    assertEquals(Math.sqrt(500.0 / 3), col.get("image/Brightness.mean:distribution/stddev").asDouble(), 1e-9);
    assertEquals(7, col.get("unicode_range/basic-latin:counts/n").asLong());
    assertEquals(4, col.get("condition_count/total").asLong());
    assertEquals(2, col.get("condition_count/is_bright").asLong());
  }
}
