package dev.loupe.core;

import java.util.concurrent.ThreadLocalRandom;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * A column's KLL updates a block at a time, once its sketch has compacted. DataSketches' bulk
 * update copies values into level 0 and compacts whenever level 0 is full; in a sketch that has
 * grown, level 0 holds a handful of items (8 at the bottom of a deep k = 1024 sketch), so each few
 * values cost a compaction: a small sort, a random halving, a merge into the level above. Most of
 * a numeric column's tracking time went there.
 *
 * <p>Here a full block of {@value #BLOCK} values is sorted once (a radix sort on the values' bits,
 * several times faster than a comparison sort of that size) and compacted as KLL compacts a level:
 * halved with a random offset, the survivors weighing twice as much, {@code h} times over. The
 * items that leave a block (at level {@code h}, weight {@code 2^h}) wait beside the sketch and reach
 * it as one merge for several blocks ({@link WeightedKll}, with the blocks' exact minimum and
 * maximum).
 *
 * <p>Why the error bound holds: KLL's rank error is a sum of one term per compaction, at most the
 * compacted items' weight ({@code 2^h} at level {@code h}), with a random sign. The sketch of the
 * target's {@code L} levels compacts level {@code h} whenever it holds {@code c(h)} items (its
 * capacity, {@code max(8, k (2/3)^(L-1-h))}): once per {@code 2^h c(h)} values. A block is halved at
 * level {@code h} only while its {@code BLOCK / 2^h} items are at least {@code c(h)}: once per
 * {@code BLOCK} values, no more often than the sketch itself would compact that level. Above the
 * block's last level, the sketch compacts as it always does. {@code KllBlocksTest} measures the
 * rank error of both ways against exact ranks.
 *
 * <p>A block goes to the sketch as it came (DataSketches' own update) while the sketch has fewer than
 * {@link WeightedKll#MIN_LEVELS} levels (about a million values), and so does a part-block: a small
 * column keeps its exact quantiles, and a growing one the shape DataSketches gives it.
 */
final class KllBlocks {
  static final int BLOCK = ColumnTracker.BATCH;
  /**
   * Waiting items that trigger the merge into the sketch (a block leaves at most {@code BLOCK / 2}):
   * a merge allocates about 55 KB (DataSketches copies the sketch's items twice), so one merge per
   * 32-64 blocks keeps that near 1.5 bytes per value.
   */
  static final int MERGE_AT = 2048;
  private static final int K = dev.loupe.core.metrics.DistributionMetric.DEFAULT_K;
  private static final int M = 8;
  private static final ThreadLocal<int[]> COUNTS = ThreadLocal.withInitial(() -> new int[8 * 256]);
  private static final ThreadLocal<long[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new long[][] {new long[BLOCK], new long[BLOCK], new long[MERGE_AT + BLOCK / 2]});

  private double[] values; // allocated with the first block halved here
  private byte[] levels; // each waiting item's level: it weighs 2^level
  private int waiting;
  private long halved;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  /**
   * Adds {@code v[0..c)} (no NaN) to {@code q}; {@code v}'s order may change. A full block of a sketch
   * that has compacted is sorted and halved here; anything else goes to {@code q} directly.
   */
  void add(KllDoublesSketch q, double[] v, int c) {
    int halvings = c == BLOCK ? halvings(levels(q)) : 0;
    if (halvings == 0) {
      q.update(v, 0, c);
      return;
    }
    if (values == null) {
      values = new double[MERGE_AT + BLOCK / 2];
      levels = new byte[MERGE_AT + BLOCK / 2];
    }
    sort(v, c);
    min = Math.min(min, v[0]);
    max = Math.max(max, v[c - 1]);
    int len = c;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int h = 0; h < halvings; h++) {
      len = halve(v, len, random.nextBoolean() ? 1 : 0);
    }
    halved++;
    System.arraycopy(v, 0, values, waiting, len);
    java.util.Arrays.fill(levels, waiting, waiting + len, (byte) halvings);
    waiting += len;
    if (waiting >= MERGE_AT) {
      flush(q);
    }
  }

  /** Merges the items waiting here into {@code q}. */
  void flush(KllDoublesSketch q) {
    if (waiting == 0) {
      return;
    }
    long[] weights = SCRATCH.get()[2];
    for (int i = 0; i < waiting; i++) {
      weights[i] = 1L << levels[i];
    }
    WeightedKll.merge(q, values, weights, waiting, min, max);
    waiting = 0;
    min = Double.POSITIVE_INFINITY;
    max = Double.NEGATIVE_INFINITY;
  }

  /** How many blocks went the block way (for tests). */
  long halved() {
    return halved;
  }

  /**
   * How many times a block is halved before it reaches a sketch of {@code levels} levels: while the
   * block's items at level {@code h} are at least that level's capacity, and never at the top level.
   * 0 for a sketch of fewer than {@link WeightedKll#MIN_LEVELS} levels: the merge's sketch has at
   * least that many, and a sketch that takes a merge of more levels than it has keeps them.
   */
  static int halvings(int levels) {
    if (levels < WeightedKll.MIN_LEVELS) {
      return 0;
    }
    int h = 0;
    while (h < levels - 1 && (BLOCK >> h) >= capacity(levels - 1 - h)) {
      h++;
    }
    return h;
  }

  /** The item capacity of a KLL level {@code depth} levels below the top (k = 1024, m = 8): max(m, k (2/3)^depth), rounded. */
  static int capacity(int depth) {
    if (depth > 30) {
      return M;
    }
    long twoK = 2L * K;
    long threes = 1;
    for (int i = 0; i < depth; i++) {
      threes *= 3;
    }
    long c = ((twoK << depth) / threes + 1) >>> 1;
    return (int) Math.max(M, c);
  }

  /**
   * The number of levels of {@code q} (k = 1024, on the heap). DataSketches does not publish it; its
   * compact size does: 20 bytes of preamble, 4 per level, the minimum and maximum, 8 per retained item.
   */
  static int levels(KllDoublesSketch q) {
    if (q.getN() < 2) {
      return 1; // empty or one item: DataSketches' shorter forms
    }
    return (q.getSerializedSizeBytes() - 36 - 8 * q.getNumRetained()) / 4;
  }

  /** Keeps every other item of the sorted {@code v[0..len)} from {@code offset} (0 or 1); returns len / 2. */
  static int halve(double[] v, int len, int offset) {
    int half = len >>> 1;
    for (int i = 0; i < half; i++) {
      v[i] = v[2 * i + offset];
    }
    return half;
  }

  /** Sorts {@code v[0..c)} (no NaN; -0.0 before 0.0, as {@link java.util.Arrays#sort(double[])} does). */
  static void sort(double[] v, int c) {
    long[][] scratch = SCRATCH.get();
    long[] keys = scratch[0];
    long[] tmp = scratch[1];
    for (int i = 0; i < c; i++) {
      long bits = Double.doubleToRawLongBits(v[i]);
      keys[i] = bits ^ ((bits >> 63) | Long.MIN_VALUE); // the bits in unsigned order of the values
    }
    long[] sorted = radixSort(keys, tmp, c);
    for (int i = 0; i < c; i++) {
      long key = sorted[i];
      v[i] = Double.longBitsToDouble(key ^ ((~key >> 63) | Long.MIN_VALUE));
    }
  }

  /** Sorts {@code a[0..n)} as unsigned longs, a byte at a time from the lowest; returns the array that holds the result. */
  static long[] radixSort(long[] a, long[] b, int n) {
    int[] counts = COUNTS.get();
    java.util.Arrays.fill(counts, 0);
    for (int i = 0; i < n; i++) {
      long v = a[i];
      for (int d = 0; d < 8; d++) {
        counts[(d << 8) | (int) ((v >>> (d << 3)) & 0xff)]++;
      }
    }
    long[] from = a;
    long[] to = b;
    for (int d = 0; d < 8; d++) {
      int base = d << 8;
      int shift = d << 3;
      if (counts[base | (int) ((from[0] >>> shift) & 0xff)] == n) {
        continue; // every value has this byte: the pass would change nothing
      }
      int sum = 0;
      for (int i = 0; i < 256; i++) {
        int c = counts[base + i];
        counts[base + i] = sum;
        sum += c;
      }
      for (int i = 0; i < n; i++) {
        long v = from[i];
        to[counts[base | (int) ((v >>> shift) & 0xff)]++] = v;
      }
      long[] t = from;
      from = to;
      to = t;
    }
    return from;
  }
}
