package dev.loupe.core;

import dev.loupe.core.internal.Moments;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.CountsMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.IntsMetric;
import dev.loupe.core.metrics.Metric;
import dev.loupe.core.metrics.TypesMetric;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * The mutable state of one column while a {@link DatasetProfile} is fed. Values are buffered by
 * kind and flushed in batches: one vectorized KLL update (a block at a time once the sketch has
 * grown, {@link KllBlocks}), batch moments merged with Chan's
 * formula, and integers and strings pre-aggregated so that the frequent-items sketch sees each
 * distinct value once per batch (and the KLL sketch a frequent integer once, as a weighted
 * update). Not thread-safe.
 *
 * <p>Which value feeds which metric (whylogs' rules, see {@link ColumnKind}): integers feed
 * distribution, ints, cardinality and frequent items; doubles feed distribution and cardinality
 * (NaN counts as null and nan, infinities also in counts/inf); strings feed cardinality and
 * frequent items; booleans, objects and tensors only counts and types.
 */
final class ColumnTracker {
  static final int BATCH = 1024;
  static final int MAX_PENDING_DISTINCT = 4096;
  /**
   * The most integers counted between drains: it bounds the KLL updates that wait for a drain (see
   * {@link #drainLongCounts}) and so the work one drain does, on whichever thread fills the table or
   * takes a view.
   */
  static final int MAX_PENDING_ROWS = 1 << 20;
  /** A column's first drain comes after this many integers: it decides how KLL takes the next ones. */
  static final int PROBE_ROWS = 1 << 16;
  /** The least count of one integer that goes to the KLL sketch as a weighted update (see {@link #drainLongCounts}). */
  static final int KLL_WEIGHTED_MIN = 64;
  /** See {@link #utf8ChunkDone}. */
  static final int UTF8_DIRECT_MIN_VALUES = 1024;
  static final int UTF8_DIRECT_REPEAT_SHARE = 16;
  static final int UTF8_DIRECT_CHUNKS = 16;

  private boolean hasDist;
  private boolean hasInts;
  private boolean hasCard;
  private boolean hasFreq;

  private long n;
  private long nulls;
  private long nan;
  private long inf;
  private long trues;
  private long integral;
  private long fractional;
  private long bools;
  private long strings;
  private long objects;
  private long tensors;
  private boolean time;

  private KllDoublesSketch kll;
  private KllBlocks kllBlocks;
  private long momentsN;
  private double mean;
  private double m2;
  private long min = Long.MAX_VALUE;
  private long max = Long.MIN_VALUE;
  private boolean anyInt;
  private HllSketch hll;
  private ItemsSketch<String> items;

  private final long[] longBuf = new long[BATCH];
  private int longCount;
  private final double[] doubleBuf = new double[BATCH];
  private int doubleCount;
  private double[] scratch;
  private LongCounts longCounts;
  private long pendingRows;
  private boolean kllDeferred; // see drainLongCounts
  private double[] heavyValues;
  private long[] heavyWeights;
  private boolean probed;
  private Map<String, long[]> stringCounts;
  private Utf8Distinct utf8Distinct;
  private int utf8DirectLeft;

  private ColumnAppender appender;

  ColumnTracker() {}

  ColumnAppender appender() {
    if (appender == null) {
      appender = new ColumnAppender(this);
    }
    return appender;
  }

  ColumnTracker(ColumnKind kind) {
    seed(kind);
  }

  void seed(ColumnKind kind) {
    switch (kind) {
      case INTEGRAL -> {
        ensureDist();
        ensureInts();
        ensureCard();
        ensureFreq();
      }
      case FRACTIONAL -> {
        ensureDist();
        ensureCard();
      }
      case STRING -> {
        ensureDist();
        ensureCard();
        ensureFreq();
      }
      case TIME -> {
        time = true;
        seed(ColumnKind.INTEGRAL);
      }
      case OBJECT -> { }
      default -> throw new IllegalArgumentException(kind.toString());
    }
  }

  private void ensureDist() {
    if (!hasDist) {
      hasDist = true;
      kll = KllDoublesSketch.newHeapInstance(DistributionMetric.DEFAULT_K);
      kllBlocks = new KllBlocks();
    }
  }

  private void ensureInts() {
    hasInts = true;
  }

  private void ensureCard() {
    if (!hasCard) {
      hasCard = true;
      // HLL_8 updates fastest; the view holds (and the file stores) the HLL_4 copy
      hll = new HllSketch(CardinalityMetric.DEFAULT_LG_K, TgtHllType.HLL_8);
    }
  }

  private void ensureFreq() {
    if (!hasFreq) {
      hasFreq = true;
      items = new ItemsSketch<>(1 << FrequentItemsMetric.DEFAULT_LG_MAX_MAP_SIZE);
    }
  }

  // ---- single values (row path and Arrow loops) ----

  void addNulls(long count) {
    n += count;
    nulls += count;
  }

  void addLong(long v) {
    n++;
    longBuf[longCount++] = v;
    if (longCount == BATCH) {
      flushLongs();
    }
  }

  /** The integral values {@code v[from..to)}: copied into the batch buffer a block at a time. */
  void addLongs(long[] v, int from, int to) {
    int i = from;
    while (i < to) {
      int k = Math.min(BATCH - longCount, to - i);
      System.arraycopy(v, i, longBuf, longCount, k);
      longsFilled(k);
      i += k;
    }
  }

  /** The batch buffer that {@link #longRoom()} values may be written into from {@link #longFill()}. */
  long[] longBuffer() {
    return longBuf;
  }

  int longFill() {
    return longCount;
  }

  /** Free slots in the long batch buffer (at least one). */
  int longRoom() {
    return BATCH - longCount;
  }

  /** Takes the {@code k} values just written into the long buffer from {@link #longFill()}. */
  void longsFilled(int k) {
    n += k;
    longCount += k;
    if (longCount == BATCH) {
      flushLongs();
    }
  }

  /** A point in time as epoch milliseconds: an integral value, and the column is marked as time. */
  void addTime(long epochMillis) {
    time = true;
    addLong(epochMillis);
  }

  /** The points in time {@code v[from..to)}: what {@link #addTime} of each would do, in bulk. */
  void addTimes(long[] v, int from, int to) {
    if (from < to) {
      time = true;
      addLongs(v, from, to);
    }
  }

  /** True once a time value was added. */
  boolean isTime() {
    return time;
  }

  void addDouble(double v) {
    n++;
    if (v != v) {
      nulls++;
      nan++;
      return;
    }
    if (v == Double.POSITIVE_INFINITY || v == Double.NEGATIVE_INFINITY) {
      inf++;
    }
    doubleBuf[doubleCount++] = v;
    if (doubleCount == BATCH) {
      flushDoubles();
    }
  }

  /** The fractional values {@code v[from..to)}, each as {@link #addDouble} takes it. */
  void addDoubles(double[] v, int from, int to) {
    int i = from;
    while (i < to) {
      int k = Math.min(BATCH - doubleCount, to - i);
      System.arraycopy(v, i, doubleBuf, doubleCount, k);
      doublesFilled(k);
      i += k;
    }
  }

  /** The batch buffer that {@link #doubleRoom()} values may be written into from {@link #doubleFill()}. */
  double[] doubleBuffer() {
    return doubleBuf;
  }

  int doubleFill() {
    return doubleCount;
  }

  /** Free slots in the double batch buffer (at least one). */
  int doubleRoom() {
    return BATCH - doubleCount;
  }

  /**
   * Takes the {@code k} values just written into the double buffer from {@link #doubleFill()}:
   * one pass counts infinities and drops NaNs (counted as null and NaN), keeping the others in
   * order, exactly as {@code k} calls of {@link #addDouble} would.
   */
  void doublesFilled(int k) {
    double[] buf = doubleBuf;
    int w = doubleCount;
    int end = w + k;
    long infs = 0;
    for (int r = w; r < end; r++) {
      double v = buf[r];
      if (v != v) {
        continue;
      }
      if (Math.abs(v) == Double.POSITIVE_INFINITY) {
        infs++;
      }
      buf[w++] = v;
    }
    long nans = end - w;
    n += k;
    nulls += nans;
    nan += nans;
    inf += infs;
    doubleCount = w;
    if (w == BATCH) {
      flushDoubles();
    }
  }

  void addBooleans(long trueCount, long falseCount) {
    n += trueCount + falseCount;
    bools += trueCount + falseCount;
    trues += trueCount;
  }

  void addObjects(long count) {
    n += count;
    objects += count;
  }

  void addTensors(long count) {
    n += count;
    tensors += count;
  }

  /** A string value from the row path; pre-aggregated until the batch fills. */
  void addString(String s) {
    n++;
    strings++;
    ensureStringMetrics();
    if (stringCounts == null) {
      stringCounts = new HashMap<>();
    }
    stringCounts.computeIfAbsent(s, k -> new long[1])[0]++;
    if (stringCounts.size() >= BATCH) {
      flushStrings();
    }
  }

  /**
   * One distinct string of a batch, given as UTF-8 bytes (exactly {@code utf8.length} of them)
   * that occurred {@code count} times.
   */
  void addDistinctUtf8(byte[] utf8, long count) {
    n += count;
    strings += count;
    ensureStringMetrics();
    hll.update(utf8); // DataSketches hashes the UTF-8 bytes, as update(String) does; empty is skipped
    items.update(FrequentItemsMetric.itemOf(new String(utf8, StandardCharsets.UTF_8)), count);
  }

  /**
   * Whether the next chunk of UTF-8 values skips the distinct table: each value then goes to the
   * sketches as it comes ({@link #addDistinctUtf8} with a count of one, in row order). A table
   * only pays when values repeat within a chunk; where nearly every value of a chunk is new (ids,
   * e-mail addresses, free text) it is pure cost, about a seventh of such a column's time
   * ({@code TrackBenchCpu string_high_card}). The sketches end up holding the same values with the
   * same counts either way: HLL's state does not depend on the order of updates, and frequent items
   * keep their error bounds in any order.
   */
  boolean utf8Direct() {
    return utf8DirectLeft > 0;
  }

  /**
   * A chunk of {@code values} non-null UTF-8 values is done, {@code distinct} of them distinct if it
   * went through the table. After a chunk of at least {@value #UTF8_DIRECT_MIN_VALUES} values with
   * no more than one repeat in {@value #UTF8_DIRECT_REPEAT_SHARE} values, the next
   * {@value #UTF8_DIRECT_CHUNKS} chunks go direct; then a chunk goes through the table again, to see
   * whether the values still do not repeat. The choice depends only on the column's values and its
   * chunks, so a door that hands core the same chunks gets the same sketches.
   */
  void utf8ChunkDone(boolean direct, int values, int distinct) {
    if (direct) {
      utf8DirectLeft--;
    } else if (values >= UTF8_DIRECT_MIN_VALUES && distinct >= values - values / UTF8_DIRECT_REPEAT_SHARE) {
      utf8DirectLeft = UTF8_DIRECT_CHUNKS;
    }
  }

  /** Whether the integers' KLL updates now wait for the drain (see {@link #drainLongCounts}). */
  boolean kllDeferred() {
    return kllDeferred;
  }

  /** How many blocks of values reached KLL sorted and halved ({@link KllBlocks}). */
  long kllBlocksHalved() {
    return kllBlocks == null ? 0 : kllBlocks.halved();
  }

  /** Integers counted since the last drain (fewer than {@value #MAX_PENDING_ROWS} between calls). */
  long pendingRows() {
    return pendingRows + longCount;
  }

  /** The column's table for pre-aggregating Arrow UTF-8 values, emptied and sized for {@code expected} distinct values. */
  Utf8Distinct utf8Distinct(int expected) {
    if (utf8Distinct == null) {
      utf8Distinct = new Utf8Distinct(expected);
    } else {
      utf8Distinct.reset(expected);
    }
    return utf8Distinct;
  }

  private void ensureStringMetrics() {
    ensureDist();
    ensureCard();
    ensureFreq();
  }

  // ---- flushing ----

  void flush() {
    flushLongs();
    drainLongCounts();
    flushDoubles();
    flushStrings();
    if (kllBlocks != null) {
      kllBlocks.flush(kll);
    }
  }

  private void flushLongs() {
    int c = longCount;
    if (c == 0) {
      return;
    }
    longCount = 0;
    integral += c;
    ensureDist();
    ensureInts();
    ensureCard();
    ensureFreq();
    if (scratch == null) {
      scratch = new double[BATCH];
      longCounts = new LongCounts(BATCH);
    }
    long lo = min;
    long hi = max;
    long[] buf = longBuf;
    double[] d = scratch;
    LongCounts counts = longCounts;
    for (int i = 0; i < c; i++) {
      long v = buf[i];
      d[i] = v;
      if (v < lo) {
        lo = v;
      }
      if (v > hi) {
        hi = v;
      }
      counts.add(v);
    }
    min = lo;
    max = hi;
    anyInt = true;
    addMoments(d, c);
    if (!kllDeferred) {
      kllBlocks.add(kll, d, c); // may reorder d: done with it here
    }
    pendingRows += c;
    if (counts.size() >= MAX_PENDING_DISTINCT || pendingRows >= (probed ? MAX_PENDING_ROWS : PROBE_ROWS)) {
      drainLongCounts();
    }
  }

  /**
   * Hands the integers counted so far to the sketches, each distinct value once with its count.
   * Counting across batches (up to {@value #MAX_PENDING_DISTINCT} distinct values and
   * {@value #MAX_PENDING_ROWS} rows) means a low-cardinality column updates those sketches a handful
   * of times, however many rows it has. HLL updates are idempotent and frequent-items updates take
   * weights, so those sketches hold what per-value updates would (frequent items within the same
   * error bounds).
   *
   * <p>KLL: while the column's values are <em>heavy</em> (a value counted
   * {@value #KLL_WEIGHTED_MIN} times or more over a full period of {@value #MAX_PENDING_ROWS} rows
   * holds at least three quarters of the rows), their KLL updates wait here too: the values counted
   * at least {@value #KLL_WEIGHTED_MIN} times go in as weighted updates, all of them in a few merges
   * ({@link WeightedKll}: a sketch holding each value at the levels of its count's binary digits),
   * every other value as that many single updates in one bulk update.
   * Otherwise each batch updates KLL in row order as it comes ({@link #flushLongs}). Each drain
   * of at least {@value #PROBE_ROWS} rows judges the rows it counted, scaled to a full period, and
   * sets the way for the next period; the first period is a probe of {@value #PROBE_ROWS} rows. So a drain replays at most about a quarter
   * of a period as single updates while the column stays as it was (a few milliseconds), and a
   * column of many values that each occur rarely (ids, uniform codes) costs what it did before.
   * The sketch is a KLL sketch of the same values with the same rank-error bound, though not the
   * bits that updates in row order would give: {@code WeightedKllTest} measures both ways' rank
   * errors against exact ranks. Which way values go, and in which order, depends only on the
   * column's values and the points where the table is drained (the limits above, {@link #flush}),
   * so every door that hands core the same values gives the same sketch.
   */
  private void drainLongCounts() {
    LongCounts counts = longCounts;
    if (counts == null || counts.size() == 0) {
      return;
    }
    ItemsSketch<String> fi = items;
    HllSketch h = hll;
    KllDoublesSketch q = kll;
    boolean deferred = kllDeferred;
    // what a value's count would be over a full period, at this drain's rate: the heavy mark
    long heavyMark = Math.max(1, KLL_WEIGHTED_MIN * pendingRows / MAX_PENDING_ROWS);
    long heavyRows = 0;
    double[] singles = scratch; // flushLongs is done with it
    int fill = 0;
    int heavy = 0;
    int cap = counts.capacity();
    for (int s = 0; s < cap; s++) {
      if (counts.used(s)) {
        long key = counts.key(s);
        long count = counts.count(s);
        h.update(key);
        fi.update(FrequentItemsMetric.itemOf(key), count);
        if (count >= heavyMark) {
          heavyRows += count;
        }
        if (!deferred) {
          continue; // KLL took these rows as they came
        }
        if (count >= KLL_WEIGHTED_MIN) {
          if (heavyValues == null || heavy == heavyValues.length) {
            int grown = heavyValues == null ? 64 : 2 * heavy;
            heavyValues = heavyValues == null ? new double[grown] : java.util.Arrays.copyOf(heavyValues, grown);
            heavyWeights = heavyWeights == null ? new long[grown] : java.util.Arrays.copyOf(heavyWeights, grown);
          }
          heavyValues[heavy] = key;
          heavyWeights[heavy++] = count;
          continue;
        }
        for (int j = 0; j < count; j++) {
          singles[fill++] = key;
          if (fill == singles.length) {
            q.update(singles, 0, fill);
            fill = 0;
          }
        }
      }
    }
    if (fill > 0) {
      q.update(singles, 0, fill);
    }
    if (heavy > 0) {
      WeightedKll.merge(q, heavyValues, heavyWeights, heavy); // the frequent values, as a few sketches
    }
    if (pendingRows >= PROBE_ROWS) { // a short period (a view soon after a drain) decides nothing
      kllDeferred = heavyRows >= pendingRows - pendingRows / 4;
      probed = true;
    }
    counts.clear();
    pendingRows = 0;
  }

  private void flushDoubles() {
    int c = doubleCount;
    if (c == 0) {
      return;
    }
    doubleCount = 0;
    fractional += c;
    ensureDist();
    ensureCard();
    double[] buf = doubleBuf;
    HllSketch h = hll;
    for (int i = 0; i < c; i++) {
      h.update(buf[i]);
    }
    addMoments(buf, c);
    kllBlocks.add(kll, buf, c); // may reorder buf: done with it here
  }

  private void flushStrings() {
    if (stringCounts == null || stringCounts.isEmpty()) {
      return;
    }
    for (Map.Entry<String, long[]> e : stringCounts.entrySet()) {
      hll.update(e.getKey());
      items.update(FrequentItemsMetric.itemOf(e.getKey()), e.getValue()[0]);
    }
    stringCounts.clear();
  }

  /** Folds the batch's mean and m2 (two passes, for accuracy) into the running ones (Chan et al.). */
  private void addMoments(double[] v, int c) {
    double sum = 0;
    for (int i = 0; i < c; i++) {
      sum += v[i];
    }
    double bMean = sum / c;
    double bM2 = 0;
    for (int i = 0; i < c; i++) {
      double dev = v[i] - bMean;
      bM2 += dev * dev;
    }
    if (momentsN == 0) {
      mean = bMean;
      m2 = bM2;
      momentsN = c;
      return;
    }
    m2 = Moments.mergedM2(momentsN, mean, m2, c, bMean, bM2);
    mean = Moments.mergedMean(momentsN, mean, c, bMean);
    momentsN += c;
  }

  /** An immutable snapshot of the column so far; the tracker goes on accepting values. */
  ColumnView view() {
    flush();
    List<Metric<?>> metrics = new ArrayList<>(6);
    metrics.add(new CountsMetric(n, nulls, nan, inf, trues));
    metrics.add(new TypesMetric(integral, fractional, bools, strings, objects, tensors));
    if (hasDist) {
      metrics.add(DistributionMetric.of(kll, mean, m2));
    }
    if (hasInts) {
      metrics.add(anyInt ? IntsMetric.of(min, max) : IntsMetric.EMPTY);
    }
    if (hasCard) {
      metrics.add(CardinalityMetric.of(hll));
    }
    if (hasFreq) {
      metrics.add(FrequentItemsMetric.of(items, FrequentItemsMetric.DEFAULT_LG_MAX_MAP_SIZE));
    }
    return ColumnView.of(metrics);
  }

  long count() {
    return n;
  }
}
