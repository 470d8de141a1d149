package dev.loupe.core.metrics;

import com.google.protobuf.ByteString;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * Components Loupe does not know (other tools' metrics, newer whylogs components) are kept and
 * written back. Merging two of them under one path follows what the value says about itself:
 * <ul>
 *   <li>type_id 1 (min) and 2 (max) integrals: min and max;</li>
 *   <li>other integrals (type_id 0): sum, whylogs' rule for plain integral components;</li>
 *   <li>KLL, HLL and frequent-items sketches: merged as sketches;</li>
 *   <li>anything else (doubles, opaque bytes, structs, components of differing kinds, sketches
 *       that do not decode): no rule can know the right answer, so the one whose serialized
 *       bytes are lexicographically smaller is kept: an arbitrary but order-free choice, which
 *       keeps merging associative and commutative.</li>
 * </ul>
 * A component only one side holds is kept as it is.
 */
final class UnknownComponents {
  private UnknownComponents() {}

  static Map<String, MetricComponentMessage> merge(Map<String, MetricComponentMessage> a,
      Map<String, MetricComponentMessage> b) {
    if (b.isEmpty()) {
      return a;
    }
    if (a.isEmpty()) {
      return b;
    }
    Map<String, MetricComponentMessage> out = new TreeMap<>(a);
    for (Map.Entry<String, MetricComponentMessage> e : b.entrySet()) {
      MetricComponentMessage mine = out.get(e.getKey());
      if (mine == null) {
        out.put(e.getKey(), e.getValue());
      } else {
        out.put(e.getKey(), mergeOne(mine, e.getValue()).orElseGet(() -> smaller(mine, e.getValue())));
      }
    }
    return out;
  }

  private static MetricComponentMessage smaller(MetricComponentMessage x, MetricComponentMessage y) {
    return ByteString.unsignedLexicographicalComparator().compare(x.toByteString(), y.toByteString()) <= 0 ? x : y;
  }

  static Optional<MetricComponentMessage> mergeOne(MetricComponentMessage x, MetricComponentMessage y) {
    if (x.getValueCase() != y.getValueCase() || x.getTypeId() != y.getTypeId()) {
      return Optional.empty();
    }
    try {
      switch (x.getValueCase()) {
        case N: {
          long v;
          if (x.getTypeId() == Components.TYPE_MIN) {
            v = Math.min(x.getN(), y.getN());
          } else if (x.getTypeId() == Components.TYPE_MAX) {
            v = Math.max(x.getN(), y.getN());
          } else if (x.getTypeId() == 0) {
            v = x.getN() + y.getN();
          } else {
            return Optional.empty();
          }
          return Optional.of(x.toBuilder().setN(v).build());
        }
        case KLL: {
          KllDoublesSketch s = KllDoublesSketch.newHeapInstance(DistributionMetric.DEFAULT_K);
          s.merge(DistributionMetric.heapifyKll(x.getKll().getSketch().toByteArray(), "unknown component"));
          s.merge(DistributionMetric.heapifyKll(y.getKll().getSketch().toByteArray(), "unknown component"));
          return Optional.of(MetricComponentMessage.newBuilder().setTypeId(x.getTypeId())
              .setKll(x.getKll().toBuilder().setSketch(com.google.protobuf.ByteString.copyFrom(
                  KllWhylogsLayout.toWhylogs(s.toByteArray())))).build());
        }
        case HLL: {
          CardinalityMetric hx = CardinalityMetric.KIND.decode(Map.of("hll", x), "unknown component");
          CardinalityMetric hy = CardinalityMetric.KIND.decode(Map.of("hll", y), "unknown component");
          return Optional.of(hx.merge(hy).toComponents().get("hll").toBuilder().setTypeId(x.getTypeId()).build());
        }
        case FREQUENT_ITEMS: {
          FrequentItemsMetric fx = FrequentItemsMetric.KIND.decode(Map.of("frequent_strings", x), "unknown component");
          FrequentItemsMetric fy = FrequentItemsMetric.KIND.decode(Map.of("frequent_strings", y), "unknown component");
          return Optional.of(fx.merge(fy).toComponents().get("frequent_strings").toBuilder()
              .setTypeId(x.getTypeId()).build());
        }
        default:
          return Optional.empty();
      }
    } catch (Exception e) {
      // a foreign sketch we cannot read cannot be merged either
      return Optional.empty();
    }
  }
}
