package dev.loupe.core.metrics;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.Map;
import java.util.Set;

/** The codec and identity of one metric namespace; {@link MetricRegistry} holds one per namespace. */
public interface MetricKind<M extends Metric<M>> {

  String namespace();

  Class<M> type();

  /** The identity element: merges as identity, serializes as itself, summarizes as absent. */
  M zero();

  /** Component names this kind reads; anything else found under the namespace is kept as unknown. */
  Set<String> componentNames();

  /**
   * Rebuilds a metric from its components (names without namespace). Missing components take their
   * empty value. {@code where} locates the metric in messages, e.g. {@code "profile.bin, column 'age'"}.
   */
  M decode(Map<String, MetricComponentMessage> components, String where) throws ProfileFormatException;

  /** Rebuilds a metric from its components; see {@link MetricKind#decode}. */
  @FunctionalInterface
  interface Decoder<M> {
    M decode(Map<String, MetricComponentMessage> components, String where) throws ProfileFormatException;
  }

  /** A kind from its parts: the zero is supplied lazily, so it may be a constant of the metric class. */
  static <M extends Metric<M>> MetricKind<M> of(String namespace, Class<M> type, java.util.function.Supplier<M> zero,
      Set<String> componentNames, Decoder<M> decoder) {
    Set<String> names = Set.copyOf(componentNames);
    return new MetricKind<>() {
      @Override
      public String namespace() {
        return namespace;
      }

      @Override
      public Class<M> type() {
        return type;
      }

      @Override
      public M zero() {
        return zero.get();
      }

      @Override
      public Set<String> componentNames() {
        return names;
      }

      @Override
      public M decode(Map<String, MetricComponentMessage> components, String where) throws ProfileFormatException {
        return decoder.decode(components, where);
      }

      @Override
      public String toString() {
        return "MetricKind[" + namespace + "]";
      }
    };
  }

  /** Merges two metrics of this kind handed over as wildcards. */
  default Metric<?> mergeUnchecked(Metric<?> a, Metric<?> b) {
    return type().cast(a).merge(type().cast(b));
  }
}
