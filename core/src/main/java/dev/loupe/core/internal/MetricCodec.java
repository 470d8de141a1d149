package dev.loupe.core.internal;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.core.metrics.Metric;
import dev.loupe.core.metrics.MetricKind;
import dev.loupe.core.metrics.MetricRegistry;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.Map;
import java.util.Set;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * The file codec of metrics: whylogs' {@code MetricComponentMessage} (a generated protobuf type) in and out. Not
 * API: users see Loupe's metric types only. Each metric keeps its codec package-private in
 * {@code dev.loupe.core.metrics}; that package installs its {@link Access} here once, from
 * {@link MetricRegistry}'s initializer (the pattern the JDK uses to share internals between its own packages), so
 * that the profile file code in {@code dev.loupe.core} can call it without the codec being public on the metrics.
 */
public final class MetricCodec {

  /** What {@code dev.loupe.core.metrics} hands over; see the class comment. */
  public interface Access {
    Map<String, MetricComponentMessage> encode(Metric<?> metric);

    Metric<?> decode(MetricKind<?> kind, Map<String, MetricComponentMessage> components, String where)
        throws ProfileFormatException;

    Set<String> componentNames(MetricKind<?> kind);

    Map<String, MetricComponentMessage> mergeUnknown(Map<String, MetricComponentMessage> a,
        Map<String, MetricComponentMessage> b);

    KllDoublesSketch heapifyKll(byte[] bytes, String where) throws ProfileFormatException;
  }

  private static volatile Access access;

  private MetricCodec() {}

  /** Called once, by the metrics package; a second call is a bug. */
  public static synchronized void install(Access metricsAccess) {
    if (access != null) {
      throw new IllegalStateException("the metric codec is installed already");
    }
    access = metricsAccess;
  }

  private static Access access() {
    Access a = access;
    if (a == null) {
      MetricRegistry.standard(); // initializing the metrics package installs its access
      a = access;
    }
    return a;
  }

  /** A metric's state as named components (names without the namespace). */
  public static Map<String, MetricComponentMessage> encode(Metric<?> metric) {
    return access().encode(metric);
  }

  /**
   * Rebuilds a metric of {@code kind} from its components (names without namespace); missing components take
   * their empty value. {@code where} locates the metric in error messages.
   */
  public static <M extends Metric<M>> M decode(MetricKind<M> kind, Map<String, MetricComponentMessage> components,
      String where) throws ProfileFormatException {
    return kind.type().cast(access().decode(kind, components, where));
  }

  /** {@link #decode} for a kind held as a wildcard. */
  public static Metric<?> decodeAny(MetricKind<?> kind, Map<String, MetricComponentMessage> components,
      String where) throws ProfileFormatException {
    return access().decode(kind, components, where);
  }

  /** Component names {@code kind} reads; anything else under its namespace is kept as unknown. */
  public static Set<String> componentNames(MetricKind<?> kind) {
    return access().componentNames(kind);
  }

  /** Merges two maps of components Loupe does not know (full path -> component), by the rules of the metrics. */
  public static Map<String, MetricComponentMessage> mergeUnknown(Map<String, MetricComponentMessage> a,
      Map<String, MetricComponentMessage> b) {
    return access().mergeUnknown(a, b);
  }

  /** Reads KLL doubles bytes in either whylogs layout, with checks that keep garbage from allocating. */
  public static KllDoublesSketch heapifyKll(byte[] bytes, String where) throws ProfileFormatException {
    return access().heapifyKll(bytes, where);
  }
}
