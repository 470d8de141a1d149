package dev.loupe.core;

import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.CountsMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.IntsMetric;
import dev.loupe.core.metrics.Metric;
import dev.loupe.core.metrics.MetricKind;
import dev.loupe.core.metrics.MetricRegistry;
import dev.loupe.core.metrics.TypesMetric;
import dev.loupe.core.internal.MetricCodec;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The immutable metrics of one column, plus any components Loupe does not know (kept, merged by
 * the rules of the metrics' codec, and written back). A metric the column does not carry
 * merges as that metric's identity.
 */
public final class ColumnView {
  private static final MetricRegistry REGISTRY = MetricRegistry.standard();
  static final ColumnView EMPTY = new ColumnView(Map.of(), Map.of());

  private final Map<String, Metric<?>> metrics; // namespace -> metric, registry order
  private final Map<String, MetricComponentMessage> unknown; // full path -> component, sorted

  private ColumnView(Map<String, Metric<?>> metrics, Map<String, MetricComponentMessage> unknown) {
    Map<String, Metric<?>> ordered = new LinkedHashMap<>();
    for (MetricKind<?> k : REGISTRY.kinds()) {
      Metric<?> m = metrics.get(k.namespace());
      if (m != null) {
        ordered.put(k.namespace(), m);
      }
    }
    this.metrics = Collections.unmodifiableMap(ordered);
    this.unknown = Collections.unmodifiableMap(new TreeMap<>(unknown));
  }

  /** A column holding the given metrics (one per namespace). */
  public static ColumnView of(List<? extends Metric<?>> metrics) {
    return of(metrics, Map.of());
  }

  /** A column holding the given metrics and unknown components (keyed by full path). */
  static ColumnView of(List<? extends Metric<?>> metrics, Map<String, MetricComponentMessage> unknown) {
    Map<String, Metric<?>> m = new LinkedHashMap<>();
    for (Metric<?> metric : metrics) {
      if (REGISTRY.kind(metric.namespace()).isEmpty()) {
        throw new IllegalArgumentException("metric namespace '" + metric.namespace() + "' is not registered");
      }
      if (m.put(metric.namespace(), metric) != null) {
        throw new IllegalArgumentException("two metrics for namespace '" + metric.namespace() + "'");
      }
    }
    return new ColumnView(m, unknown);
  }

  /** The metric of {@code kind}, if the column carries it. */
  public <M extends Metric<M>> Optional<M> metric(MetricKind<M> kind) {
    return Optional.ofNullable(metrics.get(kind.namespace())).map(kind.type()::cast);
  }

  /** The metric of {@code kind}, or its identity when the column does not carry it. */
  public <M extends Metric<M>> M metricOrZero(MetricKind<M> kind) {
    return metric(kind).orElseGet(kind::zero);
  }

  public CountsMetric counts() {
    return metricOrZero(CountsMetric.KIND);
  }

  public TypesMetric types() {
    return metricOrZero(TypesMetric.KIND);
  }

  public Optional<DistributionMetric> distribution() {
    return metric(DistributionMetric.KIND);
  }

  public Optional<IntsMetric> ints() {
    return metric(IntsMetric.KIND);
  }

  public Optional<CardinalityMetric> cardinality() {
    return metric(CardinalityMetric.KIND);
  }

  public Optional<FrequentItemsMetric> frequentItems() {
    return metric(FrequentItemsMetric.KIND);
  }

  /** Metrics by namespace, in registry order. */
  public Map<String, Metric<?>> metrics() {
    return metrics;
  }

  /** Components of metrics Loupe does not know, keyed by full path such as {@code "udf/score"}. */
  Map<String, MetricComponentMessage> unknownComponents() {
    return unknown;
  }

  public ColumnView merge(ColumnView o) {
    if (o.metrics.isEmpty() && o.unknown.isEmpty()) {
      return this;
    }
    if (metrics.isEmpty() && unknown.isEmpty()) {
      return o;
    }
    Map<String, Metric<?>> out = new LinkedHashMap<>(metrics);
    for (Map.Entry<String, Metric<?>> e : o.metrics.entrySet()) {
      out.merge(e.getKey(), e.getValue(), REGISTRY::merge);
    }
    return new ColumnView(out, MetricCodec.mergeUnknown(unknown, o.unknown));
  }

  /** Every component under its full path ({@code namespace/name}), sorted by path. */
  Map<String, MetricComponentMessage> toComponents() {
    Map<String, MetricComponentMessage> out = new TreeMap<>(unknown);
    for (Metric<?> m : metrics.values()) {
      MetricCodec.encode(m).forEach((name, c) -> out.put(m.namespace() + "/" + name, c));
    }
    return out;
  }

  /**
   * Rebuilds a column from components keyed by full path. Components of registered metrics are
   * decoded (a bad one is a {@link ProfileFormatException} naming {@code where} and the path);
   * anything else is kept as unknown.
   */
  static ColumnView fromComponents(Map<String, MetricComponentMessage> components, String where)
      throws ProfileFormatException {
    Map<String, Map<String, MetricComponentMessage>> byNamespace = new TreeMap<>();
    Map<String, MetricComponentMessage> unknown = new TreeMap<>();
    for (Map.Entry<String, MetricComponentMessage> e : components.entrySet()) {
      String path = e.getKey();
      int slash = path.indexOf('/');
      Optional<MetricKind<?>> kind = slash < 0 ? Optional.empty() : REGISTRY.kind(path.substring(0, slash));
      if (kind.isPresent() && MetricCodec.componentNames(kind.get()).contains(path.substring(slash + 1))) {
        byNamespace.computeIfAbsent(path.substring(0, slash), k -> new TreeMap<>())
            .put(path.substring(slash + 1), e.getValue());
      } else {
        unknown.put(path, e.getValue());
      }
    }
    Map<String, Metric<?>> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, MetricComponentMessage>> e : byNamespace.entrySet()) {
      MetricKind<?> kind = REGISTRY.kind(e.getKey()).orElseThrow();
      metrics.put(e.getKey(), MetricCodec.decodeAny(kind, e.getValue(), where + ", metric '" + e.getKey() + "'"));
    }
    return new ColumnView(metrics, unknown);
  }

  /** The inferred type: the most frequent kind of non-null value (see {@link TypesMetric#inferredType()}). */
  public String inferredType() {
    return types().inferredType();
  }

  /**
   * The column's summary under whylogs' summary keys ({@code counts/n}, {@code distribution/mean},
   * ...), starting with {@code type}, the inferred type. Numbers a metric cannot give (the mean of
   * no values) are null. Frequent items are a list of {@link FrequentItemsMetric.Item}.
   */
  public Map<String, Object> summary() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", inferredType());
    for (Metric<?> m : metrics.values()) {
      Map<String, Object> part = new LinkedHashMap<>();
      m.summarize(part);
      part.forEach((k, v) -> out.put(m.namespace() + "/" + k, v));
    }
    summarizeUnknown(out);
    return out;
  }

  /**
   * Components of metrics Loupe does not register, summarized under whylogs' own keys. A compound
   * or multi metric (whylogs' image, unicode_range, ...) names each submetric's components
   * {@code <namespace>/<sub>:<metric>/<component>}: when {@code <metric>} is a standard one, its
   * components are decoded as that metric and summarized as {@code <namespace>/<sub>:<metric>/<key>}
   * (e.g. {@code image/Brightness.mean:distribution/mean}). A plain number component
   * ({@code condition_count/total}) is its value. Anything else (an unknown sketch) is kept
   * in the file but not summarized.
   */
  private void summarizeUnknown(Map<String, Object> out) {
    Map<String, Map<String, MetricComponentMessage>> subs = new TreeMap<>(); // "<ns>/<sub>:<metric>" -> components
    for (Map.Entry<String, MetricComponentMessage> e : unknown.entrySet()) {
      String path = e.getKey();
      int colon = path.indexOf(':');
      int slash = path.lastIndexOf('/');
      if (colon > 0 && slash > colon) {
        subs.computeIfAbsent(path.substring(0, slash), k -> new TreeMap<>()).put(path.substring(slash + 1), e.getValue());
      } else if (e.getValue().getValueCase() == MetricComponentMessage.ValueCase.N) {
        out.put(path, e.getValue().getN());
      } else if (e.getValue().getValueCase() == MetricComponentMessage.ValueCase.D) {
        out.put(path, e.getValue().getD());
      }
    }
    for (Map.Entry<String, Map<String, MetricComponentMessage>> e : subs.entrySet()) {
      String prefix = e.getKey();
      Optional<MetricKind<?>> kind = REGISTRY.kind(prefix.substring(prefix.lastIndexOf(':') + 1));
      if (kind.isEmpty() || !MetricCodec.componentNames(kind.get()).containsAll(e.getValue().keySet())) {
        continue;
      }
      try {
        Metric<?> m = MetricCodec.decodeAny(kind.get(), e.getValue(), prefix);
        Map<String, Object> part = new LinkedHashMap<>();
        m.summarize(part);
        part.forEach((k, v) -> out.put(prefix + "/" + k, v));
      } catch (ProfileFormatException bad) {
        // a damaged submetric is kept as components; its summary is left out rather than guessed
      }
    }
  }

  /** Column equality: same metrics (state for state) and same unknown components. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ColumnView c && metrics.equals(c.metrics) && unknown.equals(c.unknown);
  }

  @Override
  public int hashCode() {
    return metrics.hashCode() * 31 + unknown.hashCode();
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    metrics.values().forEach(m -> parts.add(m.toString()));
    if (!unknown.isEmpty()) {
      parts.add("unknown=" + unknown.keySet());
    }
    return "ColumnView" + parts;
  }
}
