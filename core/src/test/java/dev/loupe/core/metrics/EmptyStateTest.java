package dev.loupe.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

/**
 * One convention for a number an empty metric does not have: the public accessor answers an empty Optional
 * (OptionalLong, OptionalDouble, Optional), never NaN or a sentinel; the summary map says null.
 */
class EmptyStateTest {

  @Test
  void anEmptyDistributionAnswersEmptyOptionals() {
    DistributionMetric d = DistributionMetric.EMPTY;
    assertTrue(d.isEmpty());
    assertTrue(d.mean().isEmpty());
    assertTrue(d.stddev().isEmpty());
    assertTrue(d.min().isEmpty());
    assertTrue(d.max().isEmpty());
    assertTrue(d.quantile(0.5).isEmpty());
    assertTrue(d.quantiles(new double[] {0.1, 0.9}).isEmpty());
    assertTrue(d.rank(1.0).isEmpty());
    assertTrue(d.cdf(new double[] {1.0}).isEmpty());
    assertEquals(0, d.n());
    Map<String, Object> summary = new LinkedHashMap<>();
    d.summarize(summary);
    assertNull(summary.get("mean"));
    assertNull(summary.get("median"));
    assertEquals(0L, summary.get("n"));
  }

  @Test
  void anEmptyIntsMetricAnswersEmptyOptionals() {
    assertTrue(IntsMetric.EMPTY.min().isEmpty());
    assertTrue(IntsMetric.EMPTY.max().isEmpty());
  }

  @Test
  void oneValueHasEveryStatisticButTheStandardDeviation() {
    KllDoublesSketch s = KllDoublesSketch.newHeapInstance(DistributionMetric.DEFAULT_K);
    s.update(4.5);
    DistributionMetric d = DistributionMetric.of(s, 4.5, 0);
    assertEquals(4.5, d.mean().getAsDouble());
    assertEquals(4.5, d.min().getAsDouble());
    assertEquals(4.5, d.max().getAsDouble());
    assertEquals(4.5, d.quantile(0.5).getAsDouble());
    assertEquals(1.0, d.rank(5.0).getAsDouble());
    assertTrue(d.stddev().isEmpty(), "a sample standard deviation needs two values");
    s.update(6.5);
    DistributionMetric two = DistributionMetric.of(s, 5.5, 2.0);
    assertEquals(Math.sqrt(2.0), two.stddev().getAsDouble(), 1e-15);
    assertFalse(two.quantiles(new double[] {0.5}).isEmpty());
    assertEquals(3, two.cdf(new double[] {5.0, 7.0}).orElseThrow().length);
  }
}
