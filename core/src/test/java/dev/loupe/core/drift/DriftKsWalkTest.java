package dev.loupe.core.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.junit.jupiter.api.Test;

/**
 * The KS statistic's merged walk over two sorted views against the definition computed the slow,
 * independent way: DataSketches' own getCDF, inclusive and exclusive, at every distinct finite
 * retained item of either sketch. Equal to the last bit: the walk must not change any verdict.
 */
class DriftKsWalkTest {

  /** The definition: max |F_a - F_b| over the sorted, deduplicated finite items, by getCDF. */
  private static double bySearch(KllDoublesSketch a, KllDoublesSketch b) {
    double[] qa = a.getSortedView().getQuantiles();
    double[] qb = b.getSortedView().getQuantiles();
    double[] split = java.util.stream.DoubleStream.concat(Arrays.stream(qa), Arrays.stream(qb))
        .filter(Double::isFinite).map(v -> v == 0.0 ? 0.0 : v).sorted().distinct().toArray();
    if (split.length == 0) {
      return 0;
    }
    double d = 0;
    for (QuantileSearchCriteria c : QuantileSearchCriteria.values()) {
      double[] fa = a.getCDF(split, c);
      double[] fb = b.getCDF(split, c);
      for (int i = 0; i < split.length; i++) {
        d = Math.max(d, Math.abs(fa[i] - fb[i]));
      }
    }
    return d;
  }

  private static KllDoublesSketch sketch(Random r, int k, int n, int kind, double shift) {
    KllDoublesSketch s = KllDoublesSketch.newHeapInstance(k);
    for (int i = 0; i < n; i++) {
      double v = switch (kind) {
        case 0 -> r.nextGaussian() + shift;                        // continuous
        case 1 -> Math.floor(r.nextDouble() * 7 + shift);          // heavy ties
        case 2 -> r.nextInt(5) == 0 ? (r.nextBoolean() ? -0.0 : 0.0) : r.nextGaussian(); // signed zeros
        default -> r.nextInt(20) == 0 ? (r.nextBoolean() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
            : Math.floor(r.nextGaussian() * 3 + shift);             // infinities and ties
      };
      s.update(v);
    }
    return s;
  }

  @Test
  void walkEqualsTheCdfDefinitionExactly() {
    Random r = new Random(16);
    int[] sizes = {1, 2, 10, 200, 1_000, 5_000, 40_000};
    for (int trial = 0; trial < 400; trial++) {
      int k = trial % 3 == 0 ? 8 : trial % 3 == 1 ? 200 : 1024;
      KllDoublesSketch a = sketch(r, k, sizes[r.nextInt(sizes.length)], r.nextInt(4), 0);
      KllDoublesSketch b = sketch(r, k, sizes[r.nextInt(sizes.length)], r.nextInt(4), r.nextDouble());
      if (r.nextInt(4) == 0) { // a merged sketch, as the monitor's baseline is
        KllDoublesSketch m = KllDoublesSketch.newHeapInstance(k);
        m.merge(a);
        m.merge(sketch(r, k, 3_000, r.nextInt(4), 0.5));
        a = m;
      }
      double expected = bySearch(a, b);
      assertEquals(expected, Drift.ksStatistic(a, b), 0.0, "trial " + trial);
      assertEquals(expected, Drift.ksStatistic(b, a), 0.0, "trial " + trial + " swapped");
    }
  }

  @Test
  void onlyInfinitiesGiveNoGap() {
    KllDoublesSketch a = KllDoublesSketch.newHeapInstance(200);
    KllDoublesSketch b = KllDoublesSketch.newHeapInstance(200);
    a.update(Double.POSITIVE_INFINITY);
    b.update(Double.NEGATIVE_INFINITY);
    assertEquals(0.0, Drift.ksStatistic(a, b), 0.0);
    b.update(1.0); // F_a(1) = 0, F_b(1) = 1 inclusive
    assertEquals(1.0, Drift.ksStatistic(a, b), 0.0);
  }
}
