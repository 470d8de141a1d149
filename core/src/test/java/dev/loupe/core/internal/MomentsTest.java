package dev.loupe.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Chan's combination against the two-pass mean and m2 of the union, computed directly. */
class MomentsTest {

  private static double mean(double[] v) {
    return Arrays.stream(v).sum() / v.length;
  }

  private static double m2(double[] v) {
    double m = mean(v);
    return Arrays.stream(v).map(x -> (x - m) * (x - m)).sum();
  }

  @Test
  void combiningTwoPartsGivesTheMomentsOfTheUnion() {
    SplittableRandom r = new SplittableRandom(14);
    for (int trial = 0; trial < 200; trial++) {
      double[] a = r.doubles(1 + r.nextInt(50), -1e3, 1e3).toArray();
      double[] b = r.doubles(1 + r.nextInt(50), 5e2, 3e3).toArray();
      double[] union = new double[a.length + b.length];
      System.arraycopy(a, 0, union, 0, a.length);
      System.arraycopy(b, 0, union, a.length, b.length);
      double mean = Moments.mergedMean(a.length, mean(a), b.length, mean(b));
      double m2 = Moments.mergedM2(a.length, mean(a), m2(a), b.length, mean(b), m2(b));
      assertEquals(mean(union), mean, 1e-9 * Math.abs(mean(union)) + 1e-12, "mean, trial " + trial);
      assertEquals(m2(union), m2, 1e-9 * m2(union), "m2, trial " + trial);
    }
  }

  @Test
  void smallExactCase() {
    // {1, 2} and {4}: mean 7/3, m2 = (1-7/3)^2 + (2-7/3)^2 + (4-7/3)^2 = 42/9
    assertEquals(7.0 / 3, Moments.mergedMean(2, 1.5, 1, 4), 1e-15);
    assertEquals(42.0 / 9, Moments.mergedM2(2, 1.5, 0.5, 1, 4, 0), 1e-14);
  }
}
