package dev.loupe.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.junit.jupiter.api.Test;

/**
 * The merge shortcuts the monitor's sliding baseline depends on: a KLL merge copies the larger sketch and merges
 * the smaller into it (inputs untouched, the answer within the sketch's error of the exact one), and a merged HLL
 * held as HLL_8 answers exactly as the HLL_4 merge did and is written as HLL_4.
 */
class SketchMergeTest {

  @Test
  void kllMergeLeavesBothInputsAloneAndStaysWithinTheRankErrorOfTheExactAnswer() {
    Random r = new Random(7);
    for (int trial = 0; trial < 20; trial++) {
      int na = 1 + r.nextInt(5_000);
      int nb = 1 + r.nextInt(300);
      double[] all = new double[na + nb];
      KllDoublesSketch a = KllDoublesSketch.newHeapInstance(200);
      KllDoublesSketch b = KllDoublesSketch.newHeapInstance(trial % 3 == 0 ? 400 : 200); // the larger k wins
      for (int i = 0; i < na; i++) {
        all[i] = r.nextGaussian();
        a.update(all[i]);
      }
      for (int i = 0; i < nb; i++) {
        all[na + i] = 3 + r.nextGaussian();
        b.update(all[na + i]);
      }
      byte[] aBefore = a.toByteArray();
      byte[] bBefore = b.toByteArray();
      KllDoublesSketch m = trial % 2 == 0 ? DistributionMetric.mergedSketch(a, b) : DistributionMetric.mergedSketch(b, a);
      assertArrayEquals(aBefore, a.toByteArray(), "the first input is untouched");
      assertArrayEquals(bBefore, b.toByteArray(), "the second input is untouched");
      assertEquals(na + nb, m.getN());
      assertEquals(Math.max(a.getK(), b.getK()), m.getK());
      Arrays.sort(all);
      assertEquals(all[0], m.getMinItem());
      assertEquals(all[all.length - 1], m.getMaxItem());
      double eps = m.getNormalizedRankError(false);
      for (double q : new double[] {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99}) {
        double x = all[(int) Math.floor(q * (all.length - 1))];
        double exactRank = (double) upperCount(all, x) / all.length;
        // twice the 99% bound: 140 checks a run must not fail by chance
        assertEquals(exactRank, m.getRank(x), 2 * eps + 1.0 / all.length, "rank of " + x + " in trial " + trial);
      }
      // and the copy is a fresh sketch: updating it leaves the inputs alone
      m.update(1e9);
      assertArrayEquals(aBefore, a.toByteArray());
      assertArrayEquals(bBefore, b.toByteArray());
    }
  }

  @Test
  void mergedHllIsHeldAsHll8ButAnswersAndIsWrittenAsTheHll4MergeWas() throws Exception {
    for (int n : new int[] {10, 500, 5_000, 200_000}) {
      HllSketch a = new HllSketch(CardinalityMetric.DEFAULT_LG_K, TgtHllType.HLL_4);
      HllSketch b = new HllSketch(CardinalityMetric.DEFAULT_LG_K, TgtHllType.HLL_4);
      for (int i = 0; i < n; i++) {
        a.update(i);
        b.update(i + n / 2);
      }
      CardinalityMetric merged = CardinalityMetric.of(a).merge(CardinalityMetric.of(b))
          .merge(CardinalityMetric.of(a)); // a second merge starts from the HLL_8 result
      Union u = new Union(CardinalityMetric.DEFAULT_LG_K);
      u.update(a);
      u.update(b);
      HllSketch old = u.getResult(TgtHllType.HLL_4);
      Union u2 = new Union(CardinalityMetric.DEFAULT_LG_K);
      u2.update(old);
      u2.update(a);
      old = u2.getResult(TgtHllType.HLL_4);
      assertEquals(old.getEstimate(), merged.estimate(), "n=" + n);
      assertEquals(old.getCompositeEstimate(), merged.compositeEstimate(), "n=" + n);
      for (int sd = 1; sd <= 3; sd++) {
        assertEquals(old.getUpperBound(sd), merged.upperBound(sd));
        assertEquals(old.getLowerBound(sd), merged.lowerBound(sd));
      }
      HllSketch written = HllSketch.heapify(Memory.wrap(merged.sketchBytes()));
      assertEquals(TgtHllType.HLL_4, written.getTgtHllType(), "files hold HLL_4");
      assertEquals(old.getEstimate(), written.getEstimate(), "n=" + n);
      CardinalityMetric back = CardinalityMetric.KIND.decode(merged.toComponents(), "test");
      assertEquals(merged, back);
      assertTrue(Math.abs(merged.estimate() - 1.5 * n) <= 0.05 * 1.5 * n + 1, "estimate near the truth, n=" + n);
    }
  }

  private static int upperCount(double[] sorted, double x) {
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
}
