package dev.loupe.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * Many weighted KLL updates as a few merges. DataSketches' {@code update(value, weight)} builds a
 * sketch holding the value once at every level {@code h} where bit {@code h} of the weight is set
 * (an item at level {@code h} weighs {@code 2^h}) and merges it: one merge, with its compaction,
 * per value. Here the same sketch is built for a whole group of values at once (each level holds
 * its values in ascending order) and merged once per group.
 *
 * <p>The sketch is written in DataSketches Java 6.x's compact KLL doubles form ({@link
 * dev.loupe.core.metrics} {@code KllWhylogsLayout} shows the 20-byte preamble) and read back with
 * {@link KllDoublesSketch#heapify}: after the preamble, the levels array without its last entry,
 * the minimum, the maximum and the retained items, level 0 first. The levels array holds offsets
 * into an item array of the capacity an updatable sketch of that many levels has, so level
 * {@code h} spans {@code [levels[h], levels[h + 1])} and the last level ends at that capacity.
 * The capacity is not computed here: it is read from a sketch DataSketches builds itself
 * ({@link #CAPACITY}). {@code WeightedKllTest} requires the bytes for one value to equal those of
 * DataSketches' own weighted update into an empty sketch.
 */
final class WeightedKll {
  private static final int K = dev.loupe.core.metrics.DistributionMetric.DEFAULT_K;
  private static final int M = 8;
  private static final int PREAMBLE = 20;
  /** Item capacity of an updatable k = 1024 sketch by number of levels (11 to 60), from DataSketches. */
  private static final int[] CAPACITY = new int[61];

  /**
   * The fewest levels a sketch built here has: DataSketches builds a sketch for a weighted update
   * only from a weight of k (1024, 11 levels) up, so that is where the capacities can be read; a
   * group of smaller weights leaves its top levels empty, as a sketch's levels may be.
   */
  static final int MIN_LEVELS = 11;

  static {
    for (int levels = MIN_LEVELS; levels < CAPACITY.length; levels++) {
      // an empty sketch's weighted update with weight 2^(levels-1): one item on the top level
      KllDoublesSketch s = KllDoublesSketch.newHeapInstance(K);
      s.update(0.0, 1L << (levels - 1));
      byte[] b = s.toByteArray();
      ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      if (b.length <= PREAMBLE || b[18] != levels || s.getNumRetained() != 1) {
        throw new IllegalStateException("DataSketches' KLL layout is not the one this class writes");
      }
      CAPACITY[levels] = bb.getInt(PREAMBLE) + 1; // levels[0] + the one retained item
    }
  }

  private WeightedKll() {}

  /**
   * Merges into {@code target} (k = 1024) each {@code values[i]} counted {@code weights[i]} times,
   * for {@code i < n}, in any order (each level's items are sorted here); the weights must be
   * positive and below 2^60.
   */
  static void merge(KllDoublesSketch target, double[] values, long[] weights, int n) {
    merge(target, values, weights, n, Double.NaN, Double.NaN);
  }

  /**
   * {@link #merge(KllDoublesSketch, double[], long[], int)}, the sketch's minimum and maximum taken as
   * {@code min} and {@code max} (those of the values the items stand for, which may be fewer) unless NaN.
   */
  static void merge(KllDoublesSketch target, double[] values, long[] weights, int n, double min, double max) {
    int from = 0;
    while (from < n) {
      // a group whose items fit the capacity of its number of levels
      int to = from;
      int items = 0;
      int levels = MIN_LEVELS;
      while (to < n) {
        int l = Math.max(levels, 64 - Long.numberOfLeadingZeros(weights[to]));
        int c = items + Long.bitCount(weights[to]);
        if (to > from && c >= CAPACITY[l]) {
          break;
        }
        levels = l;
        items = c;
        to++;
      }
      target.merge(KllDoublesSketch.heapify(Memory.wrap(image(values, weights, from, to, levels, items, min, max))));
      from = to;
    }
  }

  /** The compact sketch of {@code values[from..to)} with their weights: {@code items} items on {@code levels} levels. */
  static byte[] image(double[] values, long[] weights, int from, int to, int levels, int items,
      double givenMin, double givenMax) {
    long total = 0;
    for (int i = from; i < to; i++) {
      total += weights[i];
    }
    ByteBuffer b = ByteBuffer.allocate(PREAMBLE + 4 * levels + 16 + 8 * items).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 5).put((byte) 1).put((byte) 15).put((byte) 0); // preamble ints, serial version, KLL, flags
    b.putShort((short) K).put((byte) M).put((byte) 0);
    b.putLong(total);
    b.putShort((short) K).put((byte) levels).put((byte) 0); // min k, levels
    // the items, level by level, each level in ascending order (as a sketch's levels above 0 must be)
    double[] level = new double[items];
    int[] starts = new int[levels + 1];
    int at = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int h = 0; h < levels; h++) {
      starts[h] = at;
      for (int i = from; i < to; i++) {
        if (((weights[i] >>> h) & 1) != 0) {
          level[at++] = values[i];
        }
      }
      Arrays.sort(level, starts[h], at);
    }
    for (int i = from; i < to; i++) {
      min = Math.min(min, values[i]);
      max = Math.max(max, values[i]);
    }
    if (!Double.isNaN(givenMin)) {
      min = Math.min(min, givenMin);
      max = Math.max(max, givenMax);
    }
    int offset = CAPACITY[levels] - items;
    for (int h = 0; h < levels; h++) {
      b.putInt(offset + starts[h]);
    }
    b.putDouble(min).putDouble(max);
    for (double x : level) {
      b.putDouble(x);
    }
    return b.array();
  }
}
