package dev.loupe.core.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The KS statistic of a small side against a large one by binary searches ({@link Drift#ksSearch})
 * is the merged walk's ({@link Drift#ksWalk}) to the last bit, and {@link Drift#ksStatistic} (which
 * picks one) always equals the walk.
 */
class KsSearchTest {
  static final double[] EDGES = {Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.POSITIVE_INFINITY, 1e-300, -1e300};

  @Test
  void searchEqualsTheWalkToTheLastBit() {
    Random r = new Random(16);
    int searched = 0;
    for (int trial = 0; trial < 3_000; trial++) {
      SortedValues large = values(r, 1 + r.nextInt(3_000), true);
      SortedValues small = values(r, 1 + r.nextInt(Math.max(1, large.size() / (1 + r.nextInt(20)))), false);
      double walk = Drift.ksWalk(small, large);
      assertEquals(walk, Drift.ksSearch(small, large), 0.0, "trial " + trial);
      assertEquals(walk, Drift.ksWalk(large, small), 0.0, "trial " + trial + " swapped");
      assertEquals(walk, Drift.ksStatistic(small, large), 0.0, "trial " + trial);
      assertEquals(walk, Drift.ksStatistic(large, small), 0.0, "trial " + trial);
      if (4L * small.size() < large.size()) {
        searched++;
      }
    }
    assertTrue(searched > 1_000, "the search path was taken " + searched + " times");
  }

  @Test
  void infiniteValuesOnTheSmallSideGoToTheWalk() {
    Random r = new Random(17);
    for (int trial = 0; trial < 500; trial++) {
      SortedValues large = values(r, 100 + r.nextInt(1_000), true);
      SortedValues small = values(r, 1 + r.nextInt(20), true);
      assertEquals(Drift.ksWalk(small, large), Drift.ksStatistic(small, large), 0.0, "trial " + trial);
    }
  }

  /** {@code m} entries: values from a narrow integer grid (ties), a continuous range, and edge values; weights 1 to 8. */
  private static SortedValues values(Random r, int m, boolean edges) {
    double[] v = new double[m];
    for (int i = 0; i < m; i++) {
      int kind = r.nextInt(10);
      v[i] = kind < 4 ? r.nextInt(30) - 15 : kind < 9 || !edges ? r.nextGaussian() * 10 : EDGES[r.nextInt(EDGES.length)];
    }
    Arrays.sort(v);
    long[] c = new long[m];
    long total = 0;
    for (int i = 0; i < m; i++) {
      total += 1 + r.nextInt(8);
      c[i] = total;
    }
    return new SortedValues(v, c, m, 0.0);
  }
}
