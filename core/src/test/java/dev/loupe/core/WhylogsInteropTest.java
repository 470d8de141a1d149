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
    assertEquals(1.5, dd.mean().orElse(Double.NaN), 1e-12);
    assertEquals(0.5, dd.m2(), 1e-12);
    assertEquals(1.0, dd.min().getAsDouble());
    assertEquals(2.0, dd.max().getAsDouble());
    assertEquals(1024, dd.k());
    assertEquals(2.0, d.cardinality().orElseThrow().estimate(), 1e-6);
    assertTrue(d.frequentItems().map(FrequentItemsMetric::isEmpty).orElse(true));
    assertTrue(d.ints().map(m -> m.isEmpty()).orElse(true));
    assertEquals("fractional", d.inferredType());

    ColumnView i = v.column("ints").orElseThrow();
    assertEquals(2, i.counts().n());
    assertEquals(2, i.types().integral());
    assertEquals(1.5, i.distribution().orElseThrow().mean().orElse(Double.NaN), 1e-12);
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

  /**
   * whylogs v1's v0 converter writes KLL doubles (k = 1024) in whylogs' preamble-6 layout into
   * numbers.histogram. No such file is in the repository, so this one is made here: v0_small.bin
   * with feature_3's histogram replaced by the whylogs bytes of a 5-value doubles sketch.
   */
  @Test
  void readsV0FilesWhoseHistogramIsAWhylogsKllDoublesSketch() throws Exception {
    byte[] original = java.nio.file.Files.readAllBytes(testdata("v0_small.bin"));
    com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(original);
    int len = in.readRawVarint32();
    dev.loupe.proto.v0.DatasetProfileMessageV0 msg = dev.loupe.proto.v0.DatasetProfileMessageV0.parseFrom(
        in.readRawBytes(len));
    org.apache.datasketches.kll.KllDoublesSketch kll = org.apache.datasketches.kll.KllDoublesSketch.newHeapInstance(1024);
    for (double d : new double[] {0.5, 1.5, 2.5, 3.5, 4.5}) {
      kll.update(d);
    }
    byte[] whylogs = dev.loupe.core.internal.MetricCodec.encode(dev.loupe.core.metrics.DistributionMetric.of(kll, 2.5, 10)).get("kll")
        .getKll().getSketch().toByteArray();
    assertEquals(6, whylogs[0], "the fixture holds whylogs' preamble-6 layout");
    dev.loupe.proto.v0.ColumnMessageV0 f3 = msg.getColumnsOrThrow("feature_3");
    dev.loupe.proto.v0.DatasetProfileMessageV0 converted = msg.toBuilder().putColumns("feature_3", f3.toBuilder()
        .setNumbers(f3.getNumbers().toBuilder().setHistogram(com.google.protobuf.ByteString.copyFrom(whylogs)))
        .build()).build();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    converted.writeDelimitedTo(out);

    ProfileView v = ProfileView.read(out.toByteArray(), "converted-v0.bin");
    DistributionMetric d = v.column("feature_3").orElseThrow().distribution().orElseThrow();
    assertEquals(5, d.n());
    assertEquals(0.5, d.min().getAsDouble());
    assertEquals(4.5, d.max().getAsDouble());
    assertEquals(2.5, d.quantile(0.5).getAsDouble());
  }
}
