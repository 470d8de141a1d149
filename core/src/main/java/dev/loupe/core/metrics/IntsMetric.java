package dev.loupe.core.metrics;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Exact minimum and maximum of a column's integral values. In the file an empty metric is written
 * as whylogs writes it: max = -(2^63-1), min = 2^63-1. That pair (min greater than max) cannot come
 * from data, so reading it back gives the empty metric; in memory emptiness is explicit and the
 * summary says null, never a sentinel.
 */
public final class IntsMetric implements Metric<IntsMetric> {
  public static final String NAMESPACE = "ints";
  public static final IntsMetric EMPTY = new IntsMetric(0, 0, true);
  public static final MetricKind<IntsMetric> KIND =
      MetricKind.of(NAMESPACE, IntsMetric.class, () -> EMPTY, Set.of("min", "max"), IntsMetric::decode);

  static final long EMPTY_MAX = -Long.MAX_VALUE;
  static final long EMPTY_MIN = Long.MAX_VALUE;

  private final long min;
  private final long max;
  private final boolean empty;

  private IntsMetric(long min, long max, boolean empty) {
    this.min = min;
    this.max = max;
    this.empty = empty;
  }

  /** A metric holding the range [min, max]; min must not exceed max. */
  public static IntsMetric of(long min, long max) {
    if (min > max) {
      throw new IllegalArgumentException("min " + min + " > max " + max);
    }
    return new IntsMetric(min, max, false);
  }

  public OptionalLong min() {
    return empty ? OptionalLong.empty() : OptionalLong.of(min);
  }

  public OptionalLong max() {
    return empty ? OptionalLong.empty() : OptionalLong.of(max);
  }

  @Override
  public String namespace() {
    return NAMESPACE;
  }

  @Override
  public boolean isEmpty() {
    return empty;
  }

  @Override
  public IntsMetric merge(IntsMetric o) {
    if (o.empty) {
      return this;
    }
    if (empty) {
      return o;
    }
    return new IntsMetric(Math.min(min, o.min), Math.max(max, o.max), false);
  }

  /** This metric's state as named components (names without the namespace). */
  Map<String, MetricComponentMessage> toComponents() {
    Map<String, MetricComponentMessage> c = new LinkedHashMap<>();
    c.put("max", Components.n(empty ? EMPTY_MAX : max, Components.TYPE_MAX));
    c.put("min", Components.n(empty ? EMPTY_MIN : min, Components.TYPE_MIN));
    return c;
  }

  @Override
  public void summarize(Map<String, Object> out) {
    out.put("max", empty ? null : max);
    out.put("min", empty ? null : min);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IntsMetric other
        && empty == other.empty && (empty || (min == other.min && max == other.max));
  }

  @Override
  public int hashCode() {
    return empty ? 0 : Long.hashCode(min) * 31 + Long.hashCode(max);
  }

  @Override
  public String toString() {
    return empty ? "IntsMetric[empty]" : "IntsMetric[min=" + min + ", max=" + max + "]";
  }

  private static IntsMetric decode(Map<String, MetricComponentMessage> c, String where) throws ProfileFormatException {
    long max = Components.readN(c, "max", EMPTY_MAX, where);
    long min = Components.readN(c, "min", EMPTY_MIN, where);
    if (min > max) {
      if (min == EMPTY_MIN && max == EMPTY_MAX) {
        return EMPTY;
      }
      throw new ProfileFormatException(where + ": min " + min + " is greater than max "
          + max + "; the file is corrupt");
    }
    return new IntsMetric(min, max, false);
  }
}
