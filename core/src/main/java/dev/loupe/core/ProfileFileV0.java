package dev.loupe.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.CountsMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.IntsMetric;
import dev.loupe.core.metrics.Metric;
import dev.loupe.core.metrics.TypesMetric;
import dev.loupe.proto.v0.ColumnMessageV0;
import dev.loupe.proto.v0.DatasetProfileMessageV0;
import dev.loupe.proto.v0.DatasetPropertiesV0;
import dev.loupe.proto.v0.NumbersMessageV0;
import dev.loupe.proto.v1.FrequentItemsSketchMessage;
import dev.loupe.proto.v1.HllSketchMessage;
import dev.loupe.core.internal.MetricCodec;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.kll.KllFloatsSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantilesFloatsSketchIterator;

/**
 * Reads whylogs v0 profiles (one varint-delimited {@code DatasetProfileMessage}, no magic) into
 * v1 metrics, for migration. Mapping per column:
 * <ul>
 *   <li>counts/n = counters.count; counts/null = typeCounts[NULL] (or the deprecated
 *       counters.null_count); counts/true = counters.true_count;</li>
 *   <li>types: typeCounts keyed 0 UNKNOWN (object), 2 FRACTIONAL, 3 INTEGRAL, 4 BOOLEAN, 5 STRING;</li>
 *   <li>distribution: numbers.histogram, a KLL floats sketch (k = 256) rebuilt as a KLL doubles
 *       sketch with the same weights, n, min and max (or a KLL doubles sketch in files converted from
 *       v1), with mean and m2 (variance.sum) from numbers.variance;</li>
 *   <li>ints: numbers.longs min and max; cardinality: cardinality_tracker (HLL);
 *       frequent_items: frequent_items (the same strings sketch as v1).</li>
 * </ul>
 * Properties: dataset timestamp = data_timestamp (session_timestamp when unset), creation
 * timestamp = session_timestamp; tags and metadata as they are, plus metadata
 * {@code v0.session_id}.
 */
final class ProfileFileV0 {
  private ProfileFileV0() {}

  /** A v0 file is exactly one length-delimited message: the varint prefix must match the size. */
  static boolean looksLikeV0(byte[] bytes) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      int length = in.readRawVarint32();
      return length > 0 && length == bytes.length - in.getTotalBytesRead();
    } catch (IOException e) {
      return false;
    }
  }

  static ProfileView read(byte[] bytes, String source) throws ProfileFormatException {
    DatasetProfileMessageV0 msg;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      int length = in.readRawVarint32();
      int prefix = in.getTotalBytesRead();
      msg = DatasetProfileMessageV0.parseFrom(ByteString.copyFrom(bytes, prefix, length));
    } catch (IOException e) {
      throw new ProfileFormatException(source + ": not a whylogs v1 profile (no 'WHY1' magic) and not a valid v0 "
          + "profile message (" + e.getMessage() + "); the file is corrupt or not a profile", e);
    }
    DatasetPropertiesV0 p = msg.getProperties();
    long session = p.getSessionTimestamp();
    long data = p.getDataTimestamp() != 0 ? p.getDataTimestamp() : session;
    Map<String, String> metadata = new TreeMap<>(p.getMetadataMap());
    if (!p.getSessionId().isEmpty()) {
      metadata.put("v0.session_id", p.getSessionId());
    }
    ProfileProperties props = ProfileProperties.of(
        data == 0 ? null : Instant.ofEpochMilli(data),
        session == 0 ? null : Instant.ofEpochMilli(session),
        p.getTagsMap(), metadata);
    Map<String, ColumnView> columns = new TreeMap<>();
    for (Map.Entry<String, ColumnMessageV0> e : msg.getColumnsMap().entrySet()) {
      columns.put(e.getKey(), column(e.getValue(), source + ", v0 column '" + e.getKey() + "'"));
    }
    return ProfileView.of(props, columns);
  }

  private static ColumnView column(ColumnMessageV0 c, String where) throws ProfileFormatException {
    Map<Integer, Long> tc = c.getSchema().getTypeCountsMap();
    long nulls = tc.containsKey(1) ? tc.get(1)
        : c.getCounters().hasNullCount() ? c.getCounters().getNullCount().getValue() : 0;
    long trues = c.getCounters().hasTrueCount() ? c.getCounters().getTrueCount().getValue() : 0;
    List<Metric<?>> metrics = new ArrayList<>();
    metrics.add(new CountsMetric(c.getCounters().getCount(), nulls, 0, 0, trues));
    metrics.add(new TypesMetric(tc.getOrDefault(3, 0L), tc.getOrDefault(2, 0L), tc.getOrDefault(4, 0L),
        tc.getOrDefault(5, 0L), tc.getOrDefault(0, 0L), 0));

    if (c.hasNumbers()) {
      NumbersMessageV0 num = c.getNumbers();
      KllDoublesSketch kll = histogram(num.getHistogram().toByteArray(), where);
      if (kll != null && !kll.isEmpty()) {
        metrics.add(DistributionMetric.of(kll, num.getVariance().getMean(), num.getVariance().getSum()));
      } else {
        metrics.add(DistributionMetric.EMPTY);
      }
      if (num.hasLongs() && num.getLongs().getCount() > 0) {
        long min = num.getLongs().getMin();
        long max = num.getLongs().getMax();
        if (min > max) {
          throw new ProfileFormatException(where + ": numbers.longs min " + min + " > max " + max
              + "; the file is corrupt");
        }
        metrics.add(IntsMetric.of(min, max));
      }
    }
    Map<String, MetricComponentMessage> comps = new TreeMap<>();
    if (c.hasCardinalityTracker() && !c.getCardinalityTracker().getSketch().isEmpty()) {
      comps.put("cardinality/hll", MetricComponentMessage.newBuilder()
          .setHll(HllSketchMessage.newBuilder().setSketch(c.getCardinalityTracker().getSketch())).build());
    }
    if (c.hasFrequentItems() && !c.getFrequentItems().getSketch().isEmpty()) {
      comps.put("frequent_items/frequent_strings", MetricComponentMessage.newBuilder()
          .setFrequentItems(FrequentItemsSketchMessage.newBuilder().setSketch(c.getFrequentItems().getSketch())).build());
    }
    // the sketches decode (and are validated) exactly as v1 components are
    ColumnView sketches = ColumnView.fromComponents(comps, where);
    ColumnView base = ColumnView.of(metrics);
    return base.merge(sketches);
  }

  /**
   * The v0 histogram as a KLL doubles sketch. v0 wrote KLL floats; files converted from v1 hold
   * KLL doubles in whylogs' layout (preamble 6 for n >= 2, see KllWhylogsLayout). The two are told
   * apart by which one's declared size matches the bytes.
   */
  static KllDoublesSketch histogram(byte[] bytes, String where) throws ProfileFormatException {
    if (bytes.length == 0) {
      return null;
    }
    try {
      KllFloatsSketch floats = KllFloatsSketch.heapify(Memory.wrap(bytes));
      if (floats.getSerializedSizeBytes() == bytes.length) {
        return floatsToDoubles(floats);
      }
    } catch (RuntimeException notFloats) {
      // fall through: maybe doubles
    }
    // KLL doubles, as whylogs v1's v0 converter writes them: its preamble-6 layout (or the standard one)
    try {
      return MetricCodec.heapifyKll(bytes, where + ", numbers.histogram");
    } catch (ProfileFormatException e) {
      throw new ProfileFormatException(where + ", numbers.histogram: neither a KLL floats nor a KLL doubles sketch ("
          + e.getMessage() + "); the file is corrupt", e);
    }
  }

  /** Replays the floats sketch's retained items with their weights, keeping n, min and max exact. */
  private static KllDoublesSketch floatsToDoubles(KllFloatsSketch f) {
    KllDoublesSketch d = KllDoublesSketch.newHeapInstance(f.getK());
    if (f.isEmpty()) {
      return d;
    }
    List<double[]> items = new ArrayList<>(); // {value, weight}
    QuantilesFloatsSketchIterator it = f.iterator();
    while (it.next()) {
      items.add(new double[] {it.getQuantile(), it.getWeight()});
    }
    items.sort((a, b) -> Double.compare(a[0], b[0]));
    double min = f.getMinItem();
    double max = f.getMaxItem();
    // the true min and max may have been compacted away: move one unit of weight onto them
    double[] first = items.get(0);
    if (first[0] > min) {
      if (first[1] > 1) {
        first[1] -= 1;
        items.add(0, new double[] {min, 1});
      } else {
        first[0] = min;
      }
    }
    double[] last = items.get(items.size() - 1);
    if (last[0] < max) {
      if (last[1] > 1) {
        last[1] -= 1;
        items.add(new double[] {max, 1});
      } else {
        last[0] = max;
      }
    }
    for (double[] item : items) {
      d.update(item[0], (long) item[1]);
    }
    return d;
  }

}
