package dev.loupe.core.metrics;

import dev.loupe.core.internal.MetricCodec;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Maps each metric namespace to its kind (codec, identity, merge). The one list of metrics Loupe
 * knows: readers decode through it, merges dispatch through it, and the merge-law property tests
 * walk it, so registering a metric here puts it under test.
 */
public final class MetricRegistry {
  private static final MetricRegistry STANDARD = new MetricRegistry(
      CountsMetric.KIND, TypesMetric.KIND, DistributionMetric.KIND, IntsMetric.KIND,
      CardinalityMetric.KIND, FrequentItemsMetric.KIND);

  static {
    MetricCodec.install(new CodecAccess()); // the file codec, for dev.loupe.core's profile files (see MetricCodec)
  }

  private final Map<String, MetricKind<?>> kinds;

  private MetricRegistry(MetricKind<?>... kinds) {
    Map<String, MetricKind<?>> m = new LinkedHashMap<>();
    for (MetricKind<?> k : kinds) {
      if (m.put(k.namespace(), k) != null) {
        throw new IllegalArgumentException("two metric kinds claim namespace '" + k.namespace() + "'");
      }
    }
    this.kinds = Collections.unmodifiableMap(m);
  }

  /** whylogs' standard metrics: counts, types, distribution, ints, cardinality, frequent_items. */
  public static MetricRegistry standard() {
    return STANDARD;
  }

  public Optional<MetricKind<?>> kind(String namespace) {
    return Optional.ofNullable(kinds.get(namespace));
  }

  public Collection<MetricKind<?>> kinds() {
    return kinds.values();
  }

  /** Merges two metrics of one namespace. */
  public Metric<?> merge(Metric<?> a, Metric<?> b) {
    if (!a.namespace().equals(b.namespace())) {
      throw new IllegalArgumentException("cannot merge '" + a.namespace() + "' with '" + b.namespace() + "'");
    }
    MetricKind<?> kind = kinds.get(a.namespace());
    if (kind == null) {
      throw new IllegalArgumentException("no metric kind registered for '" + a.namespace() + "'");
    }
    return kind.mergeUnchecked(a, b);
  }
}
