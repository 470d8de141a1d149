package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

/**
 * An integer counted at least {@link ColumnTracker#KLL_WEIGHTED_MIN} times reaches the KLL sketch as
 * one weighted update (see {@code ColumnTracker.drainLongCounts}). This measures what that costs in
 * accuracy: over many tables of skewed integers, the largest rank error of the profile's sketch
 * against the exact ranks, beside the same error of a plain KLL sketch of the same k updated once per
 * row in row order (the unweighted path it replaces). Both must stay within the sketch's published
 * bound, and the weighted path must not be measurably worse than the unweighted one.
 */
class WeightedKllTest {

  static final int TRIALS = 24;
  static final int ROWS = 300_000;

  @Test
  void heavyIntegersAsWeightedUpdatesKeepTheRankErrorOfRowByRowUpdates() {
    Random r = new Random(20261128);
    double sumWeighted = 0;
    double sumRows = 0;
    double worstWeighted = 0;
    double worstRows = 0;
    double eps = KllDoublesSketch.getNormalizedRankError(
        dev.loupe.core.metrics.DistributionMetric.DEFAULT_K, false);
    for (int trial = 0; trial < TRIALS; trial++) {
      long[] values = table(r, trial);
      ColumnTracker column = new ColumnTracker(ColumnKind.INTEGRAL);
      // in pieces of varying size, as a door hands them over
      for (int from = 0; from < values.length; ) {
        int to = Math.min(values.length, from + 1 + r.nextInt(5_000));
        column.addLongs(values, from, to);
        from = to;
      }
      assertTrue(column.kllDeferred(), "trial " + trial + ": after the probe, the column's KLL updates wait");
      KllDoublesSketch weighted = column.view().distribution().orElseThrow().sketchCopy();
      KllDoublesSketch rows = KllDoublesSketch.newHeapInstance(weighted.getK());
      for (long v : values) {
        rows.update(v);
      }
      assertEquals(values.length, weighted.getN(), "every row is counted once");

      long[] sorted = values.clone();
      Arrays.sort(sorted);
      assertEquals(sorted[0], weighted.getMinItem());
      assertEquals(sorted[sorted.length - 1], weighted.getMaxItem());
      assertTrue(heavyValues(sorted) >= 20,
          "trial " + trial + ": the table must hold values the weighted path takes");
      double w = maxRankError(weighted, sorted);
      double u = maxRankError(rows, sorted);
      sumWeighted += w;
      sumRows += u;
      worstWeighted = Math.max(worstWeighted, w);
      worstRows = Math.max(worstRows, u);
    }
    double meanWeighted = sumWeighted / TRIALS;
    double meanRows = sumRows / TRIALS;
    String report = String.format("bound %.5f; largest rank error: weighted mean %.5f worst %.5f, "
        + "row by row mean %.5f worst %.5f", eps, meanWeighted, worstWeighted, meanRows, worstRows);
    System.out.println("WeightedKllTest: " + report);
    // the published bound is for one query at 99% confidence; the largest error over every distinct
    // value of a table is a harder test, so twice the bound (as SketchMergeTest) for every trial
    assertTrue(worstWeighted <= 2 * eps, report);
    assertTrue(worstRows <= 2 * eps, report);
    assertTrue(meanWeighted <= eps, report);
    // not measurably worse than the path it replaces: the mean of 24 trials' largest errors within 25%
    assertTrue(meanWeighted <= 1.25 * meanRows + eps / 20, report);
  }

  @Test
  void kllUpdatesWaitingForADrainStayBounded() {
    ColumnTracker t = new ColumnTracker(ColumnKind.INTEGRAL);
    long[] v = new long[ColumnTracker.BATCH];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % 10; // ten values: the distinct-value limit alone would never drain
    }
    long rows = 3L * ColumnTracker.MAX_PENDING_ROWS + 5;
    for (long done = 0; done < rows; ) {
      int k = (int) Math.min(v.length, rows - done);
      t.addLongs(v, 0, k);
      done += k;
      assertTrue(t.pendingRows() < ColumnTracker.MAX_PENDING_ROWS, "after " + done + " rows");
    }
    KllDoublesSketch kll = t.view().distribution().orElseThrow().sketchCopy();
    assertEquals(rows, kll.getN());
    assertEquals(0, t.pendingRows());
    assertEquals(0.0, kll.getMinItem());
    assertEquals(9.0, kll.getMaxItem());
    // ten values, each counted thousands of times between drains: every rank is exact up to the bound
    for (int x = 0; x < 10; x++) {
      assertEquals((x + 1) / 10.0, kll.getRank(x), kll.getNormalizedRankError(false), "rank of " + x);
    }
  }

  @Test
  void oneValuesSketchIsTheOneDataSketchesBuildsForItsWeightedUpdate() {
    Random r = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      double v = trial % 3 == 0 ? r.nextInt(100) : r.nextGaussian() * 1e6;
      long w = trial < 60 ? 1L << trial : 1 + (r.nextLong() >>> (5 + r.nextInt(58)));
      KllDoublesSketch theirs = KllDoublesSketch.newHeapInstance(
          dev.loupe.core.metrics.DistributionMetric.DEFAULT_K);
      theirs.update(v, w);
      KllDoublesSketch ours = KllDoublesSketch.newHeapInstance(dev.loupe.core.metrics.DistributionMetric.DEFAULT_K);
      WeightedKll.merge(ours, new double[] {v}, new long[] {w}, 1);
      if (w >= dev.loupe.core.metrics.DistributionMetric.DEFAULT_K) { // below, theirs makes w single updates
        assertEquals(java.util.HexFormat.of().formatHex(theirs.toByteArray()),
            java.util.HexFormat.of().formatHex(ours.toByteArray()), "value " + v + " weight " + w);
      }
      assertEquals(w, ours.getN());
      assertEquals(v, ours.getMinItem());
      assertEquals(v, ours.getMaxItem());
    }
  }

  @Test
  void manyValuesMergedInGroupsKeepEveryWeight() {
    Random r = new Random(12);
    for (int trial = 0; trial < 30; trial++) {
      int n = 1 + r.nextInt(5_000);
      double[] values = new double[n];
      long[] weights = new long[n];
      long total = 0;
      double x = -1e3;
      for (int i = 0; i < n; i++) {
        x += r.nextInt(3); // ascending, with equal neighbours
        values[i] = x;
        weights[i] = 1 + (r.nextLong() >>> (20 + r.nextInt(43)));
        total += weights[i];
      }
      KllDoublesSketch s = KllDoublesSketch.newHeapInstance(dev.loupe.core.metrics.DistributionMetric.DEFAULT_K);
      for (int i = 0; i < 100; i++) {
        s.update(r.nextGaussian()); // a sketch that holds something already
      }
      WeightedKll.merge(s, values, weights, n);
      assertEquals(total + 100, s.getN());
      assertTrue(s.getMinItem() <= values[0] && s.getMaxItem() >= values[n - 1]);
      // every value's rank within the bound of the exact weighted rank
      long below = 0;
      double eps = s.getNormalizedRankError(false);
      for (int i = 0; i < n; i += 1 + n / 50) {
        long at = 0;
        for (int j = 0; j < n && values[j] <= values[i]; j++) {
          at += weights[j];
        }
        double exact = (double) at / (total + 100);
        assertEquals(exact, s.getRank(values[i]), 2 * eps + 100.0 / (total + 100), "trial " + trial + ", value " + i);
        below = at;
      }
      assertTrue(below > 0);
    }
  }

  @Test
  void kllUpdatesWaitOnlyForColumnsWhoseValuesRepeat() {
    ColumnTracker t = new ColumnTracker(ColumnKind.INTEGRAL);
    Random r = new Random(3);
    long[] v = new long[ColumnTracker.BATCH];
    long rows = 0;
    // 4,000 values: after the probe their KLL updates wait for the drain, which merges them weighted
    for (int i = 0; i < 3 * ColumnTracker.MAX_PENDING_ROWS / v.length; i++) {
      for (int j = 0; j < v.length; j++) {
        v[j] = 1_000 + r.nextInt(4_000);
      }
      t.addLongs(v, 0, v.length);
      rows += v.length;
      assertTrue(t.kllDeferred() == rows >= ColumnTracker.PROBE_ROWS, "after " + rows + " rows");
    }
    KllDoublesSketch kll = t.view().distribution().orElseThrow().sketchCopy();
    assertEquals(rows, kll.getN());
    assertEquals(1_000.0, kll.getMinItem());
    assertEquals(4_999.0, kll.getMaxItem());
    for (int x = 1_500; x < 5_000; x += 500) {
      assertEquals((x - 999) / 4_000.0, kll.getRank(x), 2 * kll.getNormalizedRankError(false), "rank of " + x);
    }
    // ids that never repeat: the table drains at 4,096 distinct values, too few rows to judge, so KLL
    // takes every batch as it comes (and no drain holds more than 4,096 rows)
    ColumnTracker ids = new ColumnTracker(ColumnKind.INTEGRAL);
    long id = 0;
    for (int i = 0; i < 200; i++) {
      for (int j = 0; j < v.length; j++) {
        v[j] = id++;
      }
      ids.addLongs(v, 0, v.length);
      assertTrue(!ids.kllDeferred(), "batch " + i);
      assertTrue(ids.pendingRows() <= ColumnTracker.MAX_PENDING_DISTINCT, "batch " + i);
    }
  }

  /**
   * A table of skewed integers: a Zipf-like head over a few hundred values (nine rows in ten; many
   * values counted thousands of times) and a uniform tail of rarer values, shuffled, or sorted in some trials (time-like columns).
   */
  static long[] table(Random r, int trial) {
    long[] v = new long[ROWS];
    int head = 50 + r.nextInt(250);
    long offset = r.nextInt(1_000_000) - 500_000L;
    for (int i = 0; i < v.length; i++) {
      if (r.nextInt(10) < 9) {
        // P(rank j) ~ 1/j over the head
        int j = (int) Math.floor(Math.exp(r.nextDouble() * Math.log(head)));
        v[i] = offset + j * 7L;
      } else {
        v[i] = offset + r.nextInt(3_000) * 3L + 1;
      }
    }
    if (trial % 4 == 3) {
      Arrays.sort(v);
    }
    return v;
  }

  /** How many distinct values of the sorted table are counted at least {@link ColumnTracker#KLL_WEIGHTED_MIN} times. */
  static int heavyValues(long[] sorted) {
    int heavy = 0;
    for (int i = 0; i < sorted.length; ) {
      int j = i;
      while (j < sorted.length && sorted[j] == sorted[i]) {
        j++;
      }
      if (j - i >= ColumnTracker.KLL_WEIGHTED_MIN) {
        heavy++;
      }
      i = j;
    }
    return heavy;
  }

  /**
   * The largest |estimated - exact| normalized rank over every distinct value, both ranks inclusive
   * (the fraction of rows at or below the value).
   */
  static double maxRankError(KllDoublesSketch sketch, long[] sorted) {
    double worst = 0;
    int n = sorted.length;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j < n && sorted[j] == sorted[i]) {
        j++;
      }
      double exact = (double) j / n;
      worst = Math.max(worst, Math.abs(sketch.getRank(sorted[i]) - exact));
      i = j;
    }
    return worst;
  }
}
