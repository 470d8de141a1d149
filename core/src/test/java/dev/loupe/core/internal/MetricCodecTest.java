package dev.loupe.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.metrics.CountsMetric;
import dev.loupe.core.metrics.IntsMetric;
import dev.loupe.core.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

/** The bridge to the metrics' package-private codec: installed once, by the metrics package, and working. */
class MetricCodecTest {

  @Test
  void theMetricsPackageInstallsTheCodecOnceAndASecondInstallIsRefused() {
    MetricRegistry.standard();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> MetricCodec.install(null));
    assertEquals("the metric codec is installed already", e.getMessage());
  }

  @Test
  void encodeThenDecodeGivesTheMetricBack() throws Exception {
    IntsMetric ints = IntsMetric.of(-3, 7);
    assertEquals(ints, MetricCodec.decode(IntsMetric.KIND, MetricCodec.encode(ints), "test"));
    assertEquals(-3, MetricCodec.encode(ints).get("min").getN());
    CountsMetric counts = new CountsMetric(10, 2, 1, 0, 4);
    assertEquals(counts, MetricCodec.decode(CountsMetric.KIND, MetricCodec.encode(counts), "test"));
    assertTrue(MetricCodec.componentNames(CountsMetric.KIND).containsAll(MetricCodec.encode(counts).keySet()));
  }
}
