package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reads profiles written by whylogs itself (src/test/resources/whylogs, values from its README). */
class WhylogsInteropTest {

  /** A whylogs-written fixture from core/src/test/resources/whylogs (source and license in its README.md). */
  static Path testdata(String name) {
    java.net.URL url = WhylogsInteropTest.class.getResource("/whylogs/" + name);
    assertTrue(url != null, "missing fixture whylogs/" + name + " on the test classpath");
    try {
      return Path.of(url.toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void readsWhylogsV1IntsAndDoubles() throws Exception {
    ProfileView v = ProfileView.read(testdata("v1_ints_doubles.bin"));
    assertEquals(Instant.ofEpochMilli(1686760766131L), v.properties().datasetTimestamp().orElseThrow());
    assertEquals(Instant.ofEpochMilli(1686760766131L), v.properties().creationTimestamp().orElseThrow());
    assertEquals(Set.of("doubles", "ints"), v.columns().keySet());

    ColumnView d = v.column("doubles").orElseThrow();
    assertEquals(2, d.counts().n());
    assertEquals(0, d.counts().nulls());
    assertEquals(2, d.types().fractional());
    DistributionMetric dd = d.distribution().orElseThrow();
    assertEquals(2, dd.n());
    assertEquals(1.5, dd.mean(), 1e-12);
    assertEquals(0.5, dd.m2(), 1e-12);
    assertEquals(1.0, dd.min());
    assertEquals(2.0, dd.max());
    assertEquals(1024, dd.k());
    assertEquals(2.0, d.cardinality().orElseThrow().estimate(), 1e-6);
    assertTrue(d.frequentItems().map(FrequentItemsMetric::isEmpty).orElse(true));
    assertTrue(d.ints().map(m -> m.isEmpty()).orElse(true));
    assertEquals("fractional", d.inferredType());

    ColumnView i = v.column("ints").orElseThrow();
    assertEquals(2, i.counts().n());
    assertEquals(2, i.types().integral());
    assertEquals(1.5, i.distribution().orElseThrow().mean(), 1e-12);
    assertEquals(0.5, i.distribution().orElseThrow().m2(), 1e-12);
    assertEquals(1L, i.ints().orElseThrow().min().getAsLong());
    assertEquals(2L, i.ints().orElseThrow().max().getAsLong());
    assertEquals(2.0, i.cardinality().orElseThrow().estimate(), 1e-6);
    List<FrequentItemsMetric.Item> items = i.frequentItems().orElseThrow().frequentItems();
    assertEquals(List.of(new FrequentItemsMetric.Item("1", 1, 1, 1), new FrequentItemsMetric.Item("2", 1, 1, 1)), items);
  }

  @Test
  void rewrittenWhylogsFileReadsBackEqual() throws Exception {
    ProfileView v = ProfileView.read(testdata("v1_ints_doubles.bin"));
    ProfileView again = ProfileView.read(v.toBytes(), "rewritten");
    assertEquals(v, again);
  }

  @Test
  void readsWhylogsV0ForMigration() throws Exception {
    ProfileView v = ProfileView.read(testdata("v0_small.bin"));
    assertEquals(Instant.ofEpochMilli(1621730385817L), v.properties().datasetTimestamp().orElseThrow());
    assertEquals(Instant.ofEpochMilli(1621730384895L), v.properties().creationTimestamp().orElseThrow());
    assertEquals("model-1", v.properties().tags().get("datasetId"));
    assertEquals("org-1", v.properties().tags().get("orgId"));
    assertEquals("tagValue", v.properties().tags().get("tag"));
    assertEquals("test-session", v.properties().metadata().get("v0.session_id"));
    assertEquals(Set.of("feature_1", "feature_2", "feature_3"), v.columns().keySet());

    ColumnView f1 = v.column("feature_1").orElseThrow();
    assertEquals(1, f1.counts().n());
    assertEquals(0, f1.counts().nulls());
    assertEquals(1, f1.types().integral());
    assertEquals("integral", f1.inferredType());
    assertEquals(1, f1.distribution().orElseThrow().n());
    assertEquals(1.0, f1.cardinality().orElseThrow().estimate(), 1e-6);

    ColumnView f2 = v.column("feature_2").orElseThrow();
    assertEquals(1, f2.types().string());
    assertEquals("string", f2.inferredType());
    assertEquals(1, f2.frequentItems().orElseThrow().frequentItems().size());

    ColumnView f3 = v.column("feature_3").orElseThrow();
    assertEquals(1, f3.types().fractional());
    assertEquals("fractional", f3.inferredType());

    // a migrated profile is an ordinary v1 profile from then on
    assertEquals(v, ProfileView.read(v.toBytes(), "migrated"));
  }
}
