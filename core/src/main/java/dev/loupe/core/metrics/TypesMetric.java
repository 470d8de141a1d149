package dev.loupe.core.metrics;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Exact counts of non-null values by kind. Merged by sum. */
public record TypesMetric(long integral, long fractional, long bool, long string, long object, long tensor)
    implements Metric<TypesMetric> {
  public static final String NAMESPACE = "types";
  public static final TypesMetric ZERO = new TypesMetric(0, 0, 0, 0, 0, 0);
  public static final MetricKind<TypesMetric> KIND =
      MetricKind.of(NAMESPACE, TypesMetric.class, () -> ZERO, Set.of("integral", "fractional", "boolean", "string", "object", "tensor"), TypesMetric::decode);

  @Override
  public String namespace() {
    return NAMESPACE;
  }

  @Override
  public boolean isEmpty() {
    return integral == 0 && fractional == 0 && bool == 0 && string == 0 && object == 0 && tensor == 0;
  }

  @Override
  public TypesMetric merge(TypesMetric o) {
    return new TypesMetric(integral + o.integral, fractional + o.fractional, bool + o.bool,
        string + o.string, object + o.object, tensor + o.tensor);
  }

  /**
   * The column's inferred type: the most frequent kind of non-null value; ties go to the more
   * general kind (string, object, fractional, integral, boolean, tensor). {@code "null"} when no
   * non-null value was seen.
   */
  public String inferredType() {
    String best = "null";
    long bestCount = 0;
    String[] names = {"string", "object", "fractional", "integral", "boolean", "tensor"};
    long[] counts = {string, object, fractional, integral, bool, tensor};
    for (int i = 0; i < names.length; i++) {
      if (counts[i] > bestCount) {
        best = names[i];
        bestCount = counts[i];
      }
    }
    return best;
  }

  /** This metric's state as named components (names without the namespace). */
  Map<String, MetricComponentMessage> toComponents() {
    Map<String, MetricComponentMessage> c = new LinkedHashMap<>();
    c.put("integral", Components.n(integral));
    c.put("fractional", Components.n(fractional));
    c.put("boolean", Components.n(bool));
    c.put("string", Components.n(string));
    c.put("object", Components.n(object));
    c.put("tensor", Components.n(tensor));
    return c;
  }

  @Override
  public void summarize(Map<String, Object> out) {
    out.put("integral", integral);
    out.put("fractional", fractional);
    out.put("boolean", bool);
    out.put("string", string);
    out.put("object", object);
    out.put("tensor", tensor);
  }

  private static TypesMetric decode(Map<String, MetricComponentMessage> c, String where) throws ProfileFormatException {
    return new TypesMetric(
        Components.readN(c, "integral", 0, where),
        Components.readN(c, "fractional", 0, where),
        Components.readN(c, "boolean", 0, where),
        Components.readN(c, "string", 0, where),
        Components.readN(c, "object", 0, where),
        Components.readN(c, "tensor", 0, where));
  }
}
