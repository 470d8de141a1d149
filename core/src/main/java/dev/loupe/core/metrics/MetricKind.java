package dev.loupe.core.metrics;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The identity of one metric namespace: its name, its metric class and its zero. {@link MetricRegistry} holds one
 * per namespace; ask a column for a metric with it ({@code column.metric(DistributionMetric.KIND)}). The codec
 * (components in and out of the file) stays inside Loupe.
 */
public final class MetricKind<M extends Metric<M>> {
  private final String namespace;
  private final Class<M> type;
  private final Supplier<M> zero;
  private final Set<String> componentNames;
  private final Decoder<M> decoder;

  /** Rebuilds a metric from its components (names without namespace); {@code where} locates it in messages. */
  @FunctionalInterface
  interface Decoder<M> {
    M decode(Map<String, MetricComponentMessage> components, String where) throws ProfileFormatException;
  }

  private MetricKind(String namespace, Class<M> type, Supplier<M> zero, Set<String> componentNames,
      Decoder<M> decoder) {
    this.namespace = namespace;
    this.type = type;
    this.zero = zero;
    this.componentNames = Set.copyOf(componentNames);
    this.decoder = decoder;
  }

  /** A kind from its parts: the zero is supplied lazily, so it may be a constant of the metric class. */
  static <M extends Metric<M>> MetricKind<M> of(String namespace, Class<M> type, Supplier<M> zero,
      Set<String> componentNames, Decoder<M> decoder) {
    return new MetricKind<>(namespace, type, zero, componentNames, decoder);
  }

  /** The namespace of this kind's components and summary keys, e.g. {@code "distribution"}. */
  public String namespace() {
    return namespace;
  }

  /** The metric class. */
  public Class<M> type() {
    return type;
  }

  /** The identity element: merges as identity, serializes as itself, summarizes as absent. */
  public M zero() {
    return zero.get();
  }

  /** Component names this kind reads; anything else found under the namespace is kept as unknown. */
  Set<String> componentNames() {
    return componentNames;
  }

  /**
   * Rebuilds a metric from its components (names without namespace). Missing components take their
   * empty value. {@code where} locates the metric in messages, e.g. {@code "profile.bin, column 'age'"}.
   */
  M decode(Map<String, MetricComponentMessage> components, String where) throws ProfileFormatException {
    return decoder.decode(components, where);
  }

  /** Merges two metrics of this kind handed over as wildcards. */
  Metric<?> mergeUnchecked(Metric<?> a, Metric<?> b) {
    return type.cast(a).merge(type.cast(b));
  }

  @Override
  public String toString() {
    return "MetricKind[" + namespace + "]";
  }
}
