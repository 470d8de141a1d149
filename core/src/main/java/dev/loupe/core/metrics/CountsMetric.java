package dev.loupe.core.metrics;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Exact value counts: every value seen ({@code n}), nulls (null and NaN), NaNs, infinities and
 * boolean trues. Merged by sum.
 */
public record CountsMetric(long n, long nulls, long nan, long inf, long trueCount)
    implements Metric<CountsMetric> {
  public static final String NAMESPACE = "counts";
  public static final CountsMetric ZERO = new CountsMetric(0, 0, 0, 0, 0);
  public static final MetricKind<CountsMetric> KIND =
      MetricKind.of(NAMESPACE, CountsMetric.class, () -> ZERO, Set.of("n", "null", "nan", "inf", "true"), CountsMetric::decode);

  @Override
  public String namespace() {
    return NAMESPACE;
  }

  @Override
  public boolean isEmpty() {
    return n == 0 && nulls == 0 && nan == 0 && inf == 0 && trueCount == 0;
  }

  @Override
  public CountsMetric merge(CountsMetric o) {
    return new CountsMetric(n + o.n, nulls + o.nulls, nan + o.nan, inf + o.inf, trueCount + o.trueCount);
  }

  /** This metric's state as named components (names without the namespace). */
  Map<String, MetricComponentMessage> toComponents() {
    Map<String, MetricComponentMessage> c = new LinkedHashMap<>();
    c.put("n", Components.n(n));
    c.put("null", Components.n(nulls));
    c.put("nan", Components.n(nan));
    c.put("inf", Components.n(inf));
    c.put("true", Components.n(trueCount));
    return c;
  }

  @Override
  public void summarize(Map<String, Object> out) {
    out.put("n", n);
    out.put("null", nulls);
    out.put("nan", nan);
    out.put("inf", inf);
    out.put("true", trueCount);
  }

  private static CountsMetric decode(Map<String, MetricComponentMessage> c, String where) throws ProfileFormatException {
    // older whylogs files lack nan, inf and true: they default to 0
    return new CountsMetric(
        Components.readN(c, "n", 0, where),
        Components.readN(c, "null", 0, where),
        Components.readN(c, "nan", 0, where),
        Components.readN(c, "inf", 0, where),
        Components.readN(c, "true", 0, where));
  }
}
