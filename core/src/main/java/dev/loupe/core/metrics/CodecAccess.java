package dev.loupe.core.metrics;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.core.internal.MetricCodec;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.Map;
import java.util.Set;
import org.apache.datasketches.kll.KllDoublesSketch;

/** The metrics' package-private file codec, handed to {@link MetricCodec} (see there) by {@link MetricRegistry}. */
final class CodecAccess implements MetricCodec.Access {

  @Override
  public Map<String, MetricComponentMessage> encode(Metric<?> m) {
    // Metric is sealed: these are all of them
    if (m instanceof CountsMetric c) {
      return c.toComponents();
    } else if (m instanceof TypesMetric t) {
      return t.toComponents();
    } else if (m instanceof DistributionMetric d) {
      return d.toComponents();
    } else if (m instanceof IntsMetric i) {
      return i.toComponents();
    } else if (m instanceof CardinalityMetric c) {
      return c.toComponents();
    } else if (m instanceof FrequentItemsMetric f) {
      return f.toComponents();
    }
    throw new IllegalArgumentException("no codec for metric " + m.getClass().getName());
  }

  @Override
  public Metric<?> decode(MetricKind<?> kind, Map<String, MetricComponentMessage> components, String where)
      throws ProfileFormatException {
    return kind.decode(components, where);
  }

  @Override
  public Set<String> componentNames(MetricKind<?> kind) {
    return kind.componentNames();
  }

  @Override
  public Map<String, MetricComponentMessage> mergeUnknown(Map<String, MetricComponentMessage> a,
      Map<String, MetricComponentMessage> b) {
    return UnknownComponents.merge(a, b);
  }

  @Override
  public KllDoublesSketch heapifyKll(byte[] bytes, String where) throws ProfileFormatException {
    return DistributionMetric.heapifyKll(bytes, where);
  }
}
