package dev.loupe.core.metrics;

import com.google.protobuf.ByteString;
import dev.loupe.core.ProfileFormatException;
import dev.loupe.proto.v1.FrequentItemsSketchMessage;
import dev.loupe.proto.v1.MetricComponentMessage;
import dev.loupe.proto.v1.MetricComponentMessage.ValueCase;
import java.util.ArrayList;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.memory.Memory;

/**
 * The most frequent values of a column, as strings in whylogs' forms (integers in decimal,
 * strings cut to {@value #MAX_ITEM_CHARS} characters), in a frequent-items sketch with
 * lgMaxMapSize = 10. Each estimate lies within [lower, upper]; the width of that interval is at
 * most {@link #maximumError()}, about 3.5 / 1024 of the stream length.
 */
public final class FrequentItemsMetric implements Metric<FrequentItemsMetric> {
  public static final String NAMESPACE = "frequent_items";
  public static final int DEFAULT_LG_MAX_MAP_SIZE = 10;
  public static final int MAX_ITEM_CHARS = 128;
  public static final FrequentItemsMetric EMPTY = new FrequentItemsMetric(new ItemsSketch<>(1 << DEFAULT_LG_MAX_MAP_SIZE), DEFAULT_LG_MAX_MAP_SIZE);
  public static final MetricKind<FrequentItemsMetric> KIND =
      MetricKind.of(NAMESPACE, FrequentItemsMetric.class, () -> EMPTY, Set.of("frequent_strings"), FrequentItemsMetric::decode);

  private final ItemsSketch<String> sketch; // owned, never updated after construction
  private final int lgMaxMapSize;

  private FrequentItemsMetric(ItemsSketch<String> sketch, int lgMaxMapSize) {
    this.sketch = sketch;
    this.lgMaxMapSize = lgMaxMapSize;
  }

  /** A metric from a sketch built with {@code 1 << lgMaxMapSize} (copied). */
  public static FrequentItemsMetric of(ItemsSketch<String> source, int lgMaxMapSize) {
    if (source.getStreamLength() == 0) {
      return EMPTY;
    }
    return new FrequentItemsMetric(heapify(serialize(source, lgMaxMapSize)), lgMaxMapSize);
  }

  /**
   * The sketch's bytes. DataSketches writes a sketch that holds no items in its 8-byte empty form,
   * even when purges emptied it after it had seen values (769 distinct strings do that to a
   * 1024-slot map): the stream length and error offset would be lost, and with them the error
   * bounds. Such a sketch is written here in the full form with zero items instead, which
   * DataSketches (Java and C++) reads back with its stream length and offset.
   */
  static byte[] serialize(ItemsSketch<String> sketch, int lgMaxMapSize) {
    if (sketch.getNumActiveItems() > 0 || sketch.getStreamLength() == 0) {
      return sketch.toByteArray(Utf8StringSerDe.INSTANCE);
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 4).put((byte) 1).put((byte) 10).put((byte) lgMaxMapSize).put((byte) 3).put((byte) 0)
        .putShort((short) 0).putInt(0).putInt(0)
        .putLong(sketch.getStreamLength()).putLong(sketch.getMaximumError());
    return b.array();
  }

  private static ItemsSketch<String> heapify(byte[] bytes) {
    return ItemsSketch.getInstance(Memory.wrap(bytes), Utf8StringSerDe.INSTANCE);
  }

  /** {@code base} with another sketch's stream length and offset added: what merging an item-less sketch means. */
  private static ItemsSketch<String> plusEmptied(ItemsSketch<String> base, ItemsSketch<String> emptied, int lg) {
    byte[] bytes = serialize(base, lg);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (base.getStreamLength() == 0) {
      return heapify(serialize(emptied, lg));
    }
    b.putLong(16, b.getLong(16) + emptied.getStreamLength());
    b.putLong(24, b.getLong(24) + emptied.getMaximumError());
    return heapify(bytes);
  }

  /** A value's string form in the sketch: the string itself, cut to 128 characters (code points). */
  public static String itemOf(String s) {
    if (s.length() <= MAX_ITEM_CHARS) {
      return s;
    }
    int cut = s.offsetByCodePoints(0, Math.min(MAX_ITEM_CHARS, s.codePointCount(0, s.length())));
    return s.substring(0, cut);
  }

  /** An integer's string form in the sketch: decimal. */
  public static String itemOf(long v) {
    return Long.toString(v);
  }

  /** One row of the summary. */
  public record Item(String value, long est, long upper, long lower) {}

  /** Items that are certainly frequent (no false positives), most frequent first. */
  public List<Item> frequentItems() {
    return rows(ErrorType.NO_FALSE_POSITIVES);
  }

  /** Every item the sketch holds with its bounds, most frequent first, ties by value. */
  public List<Item> allItems() {
    List<Item> out = new ArrayList<>();
    for (ItemsSketch.Row<String> r : sketch.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES)) {
      out.add(new Item(r.getItem(), r.getEstimate(), r.getUpperBound(), r.getLowerBound()));
    }
    out.sort(Comparator.comparingLong(Item::est).reversed().thenComparing(Item::value));
    return out;
  }

  private List<Item> rows(ErrorType type) {
    List<Item> out = new ArrayList<>();
    for (ItemsSketch.Row<String> r : sketch.getFrequentItems(type)) {
      out.add(new Item(r.getItem(), r.getEstimate(), r.getUpperBound(), r.getLowerBound()));
    }
    out.sort(Comparator.comparingLong(Item::est).reversed().thenComparing(Item::value));
    return out;
  }

  public long estimate(String item) {
    return sketch.getEstimate(item);
  }

  public long upperBound(String item) {
    return sketch.getUpperBound(item);
  }

  public long lowerBound(String item) {
    return sketch.getLowerBound(item);
  }

  /** The sketch's error bound: no estimate is further than this from the true count. */
  public long maximumError() {
    return sketch.getMaximumError();
  }

  /** Total weight of all updates. */
  public long streamLength() {
    return sketch.getStreamLength();
  }

  public int lgMaxMapSize() {
    return lgMaxMapSize;
  }

  @Override
  public String namespace() {
    return NAMESPACE;
  }

  @Override
  public boolean isEmpty() {
    return sketch.getStreamLength() == 0; // not sketch.isEmpty(): purges can leave a used sketch item-less
  }

  @Override
  public FrequentItemsMetric merge(FrequentItemsMetric o) {
    if (o.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return o;
    }
    int lg = Math.max(lgMaxMapSize, o.lgMaxMapSize);
    // DataSketches' merge skips an item-less sketch, dropping its stream length and offset
    if (o.sketch.getNumActiveItems() == 0) {
      return new FrequentItemsMetric(plusEmptied(sketch, o.sketch, lg), lg);
    }
    if (sketch.getNumActiveItems() == 0) {
      return new FrequentItemsMetric(plusEmptied(o.sketch, sketch, lg), lg);
    }
    ItemsSketch<String> merged = new ItemsSketch<>(1 << lg);
    merged.merge(sketch);
    merged.merge(o.sketch);
    return new FrequentItemsMetric(merged, lg);
  }

  /** This metric's state as named components (names without the namespace). */
  Map<String, MetricComponentMessage> toComponents() {
    Map<String, MetricComponentMessage> c = new LinkedHashMap<>();
    byte[] bytes = serialize(sketch, lgMaxMapSize);
    c.put("frequent_strings", MetricComponentMessage.newBuilder()
        .setFrequentItems(FrequentItemsSketchMessage.newBuilder().setSketch(ByteString.copyFrom(bytes))).build());
    return c;
  }

  @Override
  public void summarize(Map<String, Object> out) {
    out.put("frequent_strings", frequentItems());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FrequentItemsMetric other
        && streamLength() == other.streamLength()
        && maximumError() == other.maximumError()
        && allItems().equals(other.allItems());
  }

  @Override
  public int hashCode() {
    return Long.hashCode(streamLength());
  }

  @Override
  public String toString() {
    return "FrequentItemsMetric[stream=" + streamLength() + ", items=" + sketch.getNumActiveItems() + "]";
  }

  private static FrequentItemsMetric decode(Map<String, MetricComponentMessage> c, String where)
      throws ProfileFormatException {
    byte[] bytes = Components.readSketch(c, "frequent_strings", ValueCase.FREQUENT_ITEMS, where);
    if (bytes == null || bytes.length == 0) {
      return EMPTY;
    }
    int lgMax = checkPreamble(bytes, where + ", component 'frequent_strings'");
    try {
      ItemsSketch<String> sketch = heapify(bytes);
      return sketch.getStreamLength() == 0 ? EMPTY : new FrequentItemsMetric(sketch, lgMax);
    } catch (RuntimeException e) {
      throw Components.badSketch(where, "frequent_strings", "frequent-items", e);
    }
  }

  /**
   * Checks the frequent-items preamble before DataSketches allocates from it.
   *
   * <pre>
   * offset size field                      offset size field (non-empty only)
   *  0     1   preamble longs (1 empty, 4)    8     4   active items
   *  1     1   serial version                16     8   stream length
   *  2     1   family id (10)                24     8   offset
   *  3     1   lg max map size               32  8*active  counts, then the items
   *  4     1   lg current map size
   *  5     1   flags
   * </pre>
   */
  private static int checkPreamble(byte[] b, String where) throws ProfileFormatException {
    if (b.length < 8) {
      throw new ProfileFormatException(where + ": frequent-items sketch of " + b.length
          + " bytes is shorter than its 8-byte preamble; the file is corrupt or truncated");
    }
    int family = b[2] & 0xff;
    if (family != 10) {
      throw new ProfileFormatException(where + ": expected a frequent-items sketch (family id 10) but found family id "
          + family + "; the file is corrupt");
    }
    int preLongs = b[0] & 0x3f;
    int lgMax = b[3] & 0xff;
    int lgCur = b[4] & 0xff;
    if (preLongs == 1) {
      return Math.max(3, Math.min(lgMax, 26));
    }
    if (b.length < 32) {
      throw new ProfileFormatException(where + ": non-empty frequent-items sketch of " + b.length
          + " bytes is shorter than its 32-byte preamble; the file is corrupt or truncated");
    }
    if (lgMax < 3 || lgMax > 26 || lgCur < 3 || lgCur > lgMax || (1L << lgCur) > 64L * Math.max(1024, b.length)) {
      throw new ProfileFormatException(where + ": frequent-items map sizes lgMax=" + lgMax + ", lgCur=" + lgCur
          + " are impossible for a " + b.length + "-byte sketch; the file is corrupt");
    }
    long active = (b[8] & 0xffL) | (b[9] & 0xffL) << 8 | (b[10] & 0xffL) << 16 | (b[11] & 0xffL) << 24;
    if (active > (b.length - 32) / 12 || active > (3L << lgCur) / 4) {
      throw new ProfileFormatException(where + ": frequent-items sketch claims " + active
          + " items, more than its " + b.length + " bytes can hold; the file is corrupt");
    }
    return lgMax;
  }

}
