package dev.loupe.core.metrics;

import java.util.Map;

/**
 * One mergeable piece of column state: a commutative monoid whose identity is the kind's
 * {@link MetricKind#zero()}. Implementations are immutable; {@link #merge} returns a new value
 * (or one of its operands when the other is empty). Derived numbers (stddev, quantiles,
 * estimates) are computed from the state in {@link #summarize}, never stored beside it.
 *
 * <p>The set of metrics is closed (whylogs' standard metrics, listed in {@link MetricRegistry}): the file codec
 * of each lives inside Loupe, so the interface is sealed.
 */
public sealed interface Metric<M extends Metric<M>>
    permits CountsMetric, TypesMetric, DistributionMetric, IntsMetric, CardinalityMetric, FrequentItemsMetric {

  /** The namespace this metric's components live under, e.g. {@code "distribution"}. */
  String namespace();

  /** True for the identity: merging an empty metric changes nothing. */
  boolean isEmpty();

  /** The merge of this and {@code other}; neither operand changes. */
  M merge(M other);

  /**
   * Adds this metric's summary entries to {@code out}, keyed by whylogs' summary names without the
   * namespace (e.g. {@code "mean"}). Numbers an empty metric cannot give are put as null.
   */
  void summarize(Map<String, Object> out);
}
