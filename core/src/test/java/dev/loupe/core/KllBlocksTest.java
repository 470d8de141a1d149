package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.metrics.DistributionMetric;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

/**
 * A grown column's KLL updates go a block at a time ({@link KllBlocks}): sorted once, halved as KLL
 * compacts a level, merged. This checks the parts against DataSketches (the sort's order, the
 * sketch's levels and capacities as DataSketches lays them out) and measures the whole: the rank
 * error of a column's sketch against exact ranks, beside a plain KLL sketch updated once per value.
 */
class KllBlocksTest {
  static final int TRIALS = 8;
  static final int ROWS = 4_000_000;

  @Test
  void theRadixSortOrdersValuesAsArraysSortDoes() {
    Random r = new Random(5);
    double[] odd = {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
        -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL, 1.0, -1.0, 1e300, -1e-300};
    for (int trial = 0; trial < 300; trial++) {
      int c = trial % 3 == 0 ? KllBlocks.BLOCK : 1 + r.nextInt(KllBlocks.BLOCK);
      double[] v = new double[c];
      for (int i = 0; i < c; i++) {
        v[i] = switch (trial % 5) {
          case 0 -> r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
          case 1 -> odd[r.nextInt(odd.length)];
          case 2 -> r.nextInt(7) - 3; // few values, equal neighbours
          case 3 -> Double.longBitsToDouble(r.nextLong()); // any bits but NaN
          default -> i; // already sorted
        };
        if (Double.isNaN(v[i])) {
          v[i] = r.nextDouble();
        }
      }
      double[] expected = v.clone();
      Arrays.sort(expected);
      KllBlocks.sort(v, c);
      for (int i = 0; i < c; i++) {
        assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(v[i]),
            "trial " + trial + ", index " + i);
      }
    }
  }

  @Test
  void levelsAndCapacitiesAreTheOnesDataSketchesLaysOut() {
    KllDoublesSketch q = KllDoublesSketch.newHeapInstance(DistributionMetric.DEFAULT_K);
    Random r = new Random(6);
    int seen = 0;
    for (long n = 1; n <= 9_000_000L; n++) {
      q.update(r.nextDouble());
      if ((n & 4095) == 0 || n < 3000 && n % 7 == 2) {
        byte[] b = q.toByteArray();
        int levels = b[18];
        assertEquals(levels, KllBlocks.levels(q), "n = " + n);
        // the compact form's first level offset is the free space of an item array of the capacity
        int capacity = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(20) + q.getNumRetained();
        assertEquals(capacity, totalCapacity(levels), "n = " + n + ", " + levels + " levels");
        seen = Math.max(seen, levels);
      }
    }
    assertTrue(seen >= 14, "the sketch grew to " + seen + " levels");
    // deeper sketches: DataSketches' weighted update of an empty sketch puts one item on the top level
    for (int levels = WeightedKll.MIN_LEVELS; levels <= 60; levels++) {
      KllDoublesSketch s = KllDoublesSketch.newHeapInstance(DistributionMetric.DEFAULT_K);
      s.update(1.0, 1L << (levels - 1));
      byte[] b = s.toByteArray();
      assertEquals(levels, b[18]);
      assertEquals(levels, KllBlocks.levels(s));
      assertEquals(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(20) + 1, totalCapacity(levels));
    }
  }

  @Test
  void aBlockIsHalvedOnlyWhereTheSketchWouldCompactAsOften() {
    for (int levels = 1; levels <= 60; levels++) {
      int h = KllBlocks.halvings(levels);
      assertTrue(h < Math.max(1, levels), levels + " levels: " + h + " halvings");
      for (int level = 0; level < h; level++) {
        assertTrue(KllBlocks.BLOCK >> level >= KllBlocks.capacity(levels - 1 - level),
            levels + " levels, level " + level);
      }
      if (levels >= WeightedKll.MIN_LEVELS) {
        assertTrue(h >= 4, levels + " levels: a grown sketch's blocks are halved at least 4 times");
      } else {
        assertEquals(0, h, "a sketch of fewer levels than a merged image takes the values as they come");
      }
    }
  }

  @Test
  void blocksKeepTheRankErrorOfUpdatesOneByOne() {
    Random r = new Random(20261128);
    double eps = KllDoublesSketch.getNormalizedRankError(DistributionMetric.DEFAULT_K, false);
    double sumBlocks = 0;
    double sumRows = 0;
    double worstBlocks = 0;
    double worstRows = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      double[] values = table(r, trial);
      ColumnTracker column = new ColumnTracker(ColumnKind.FRACTIONAL);
      for (int from = 0; from < values.length; ) { // in pieces of varying size, as a door hands them over
        int to = Math.min(values.length, from + 1 + r.nextInt(20_000));
        column.addDoubles(values, from, to);
        from = to;
      }
      KllDoublesSketch blocks = column.view().distribution().orElseThrow().sketchCopy();
      assertTrue(column.kllBlocksHalved() > ROWS / KllBlocks.BLOCK / 2,
          "trial " + trial + ": " + column.kllBlocksHalved() + " blocks went the block way");
      KllDoublesSketch rows = KllDoublesSketch.newHeapInstance(DistributionMetric.DEFAULT_K);
      for (double v : values) {
        rows.update(v);
      }
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      assertEquals(ROWS, blocks.getN(), "every value is counted once");
      assertEquals(sorted[0], blocks.getMinItem(), "the exact minimum");
      assertEquals(sorted[ROWS - 1], blocks.getMaxItem(), "the exact maximum");
      double b = maxRankError(blocks, sorted);
      double u = maxRankError(rows, sorted);
      sumBlocks += b;
      sumRows += u;
      worstBlocks = Math.max(worstBlocks, b);
      worstRows = Math.max(worstRows, u);
    }
    double meanBlocks = sumBlocks / TRIALS;
    double meanRows = sumRows / TRIALS;
    String report = String.format("bound %.5f; largest rank error: blocks mean %.5f worst %.5f, "
        + "one by one mean %.5f worst %.5f", eps, meanBlocks, worstBlocks, meanRows, worstRows);
    System.out.println("KllBlocksTest: " + report);
    // as WeightedKllTest: the published bound is for one query; the largest error over a table is harder
    assertTrue(worstBlocks <= 2 * eps, report);
    assertTrue(meanBlocks <= eps, report);
    assertTrue(meanBlocks <= 1.25 * meanRows + eps / 20, report);
  }

  @Test
  void aSmallColumnKeepsItsExactSketch() {
    Random r = new Random(8);
    double[] v = new double[200_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    ColumnTracker column = new ColumnTracker(ColumnKind.FRACTIONAL);
    column.addDoubles(v, 0, v.length);
    assertEquals(0, column.kllBlocksHalved(), "a sketch of 200,000 values has fewer than 11 levels");
  }

  /** Gaussian, uniform, log-normal, rounded (many equal values), ascending and descending columns. */
  static double[] table(Random r, int trial) {
    double[] v = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      v[i] = switch (trial % 4) {
        case 0 -> r.nextGaussian() * 1e3;
        case 1 -> r.nextDouble() - 0.5;
        case 2 -> Math.exp(r.nextGaussian() * 3);
        default -> Math.round(r.nextGaussian() * 300) / 10.0;
      };
    }
    if (trial >= 4) {
      Arrays.sort(v);
      if (trial % 2 == 1) {
        for (int i = 0, j = ROWS - 1; i < j; i++, j--) {
          double t = v[i];
          v[i] = v[j];
          v[j] = t;
        }
      }
    }
    return v;
  }

  /** The largest |estimated - exact| normalized rank (both inclusive) at 20,000 evenly spaced values of the table. */
  static double maxRankError(KllDoublesSketch sketch, double[] sorted) {
    double worst = 0;
    int n = sorted.length;
    for (int q = 0; q < 20_000; q++) {
      double x = sorted[(int) ((long) q * n / 20_000)];
      int j = upperBound(sorted, x);
      worst = Math.max(worst, Math.abs(sketch.getRank(x) - (double) j / n));
    }
    return worst;
  }

  private static int upperBound(double[] sorted, double x) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int totalCapacity(int levels) {
    int c = 0;
    for (int depth = 0; depth < levels; depth++) {
      c += KllBlocks.capacity(depth);
    }
    return c;
  }

  @Test
  void theBlocksMinimumAndMaximumReachTheSketchThoughHalvingDropsThem() {
    ColumnTracker column = new ColumnTracker(ColumnKind.FRACTIONAL);
    double[] v = new double[KllBlocks.BLOCK];
    Random r = new Random(9);
    long n = 0;
    while (column.kllBlocksHalved() < 100) {
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextDouble();
      }
      if (column.kllBlocksHalved() == 50) {
        v[17] = -5.0; // one extreme per block: halving keeps it with probability 1/2^h
        v[18] = 7.0;
      }
      column.addDoubles(v, 0, v.length);
      n += v.length;
    }
    KllDoublesSketch s = column.view().distribution().orElseThrow().sketchCopy();
    assertEquals(n, s.getN());
    assertArrayEquals(new double[] {-5.0, 7.0}, new double[] {s.getMinItem(), s.getMaxItem()});
  }
}
