package dev.loupe.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NullJumpTest {
  /** P(X >= k) for X ~ Poisson(lambda), summed directly. */
  static double poissonUpper(long k, double lambda) {
    double term = Math.exp(-lambda);
    double below = 0;
    for (long i = 0; i < k; i++) {
      below += term;
      term *= lambda / (i + 1);
    }
    return 1 - below;
  }

  @Test
  void rareNullsUseThePoissonTailAtTheBaselineRate() {
    double lambda = 60 * 13 / 1440.0;
    assertEquals(2 * poissonUpper(4, lambda), Monitor.nullJumpPValue(13, 1440, 4, 60), 1e-9);
    assertEquals(2 * poissonUpper(9, lambda), Monitor.nullJumpPValue(13, 1440, 9, 60), 1e-12);
    // rare non-nulls: the same law on the other side
    assertEquals(2 * poissonUpper(4, lambda), Monitor.nullJumpPValue(1440 - 13, 1440, 56, 60), 1e-9);
  }

  @Test
  void commonNullsUseTheTwoProportionZTest() {
    // 30% of 10,000 against 25% of 100,000: z from the pooled proportion
    double pooled = (3000 + 25000) / 110000.0;
    double z = (0.30 - 0.25) / Math.sqrt(pooled * (1 - pooled) * (1 / 100000.0 + 1 / 10000.0));
    double p = Monitor.nullJumpPValue(25000, 100000, 3000, 10000);
    assertTrue(z > 10);
    assertTrue(p < 1e-20 && p > 0, "p " + p);
  }

  @Test
  void smallWindowsWithRareNullsKeepTheFalseAlarmRateBelowAlpha() {
    // 60 values a window at a true null rate of 1%, against a baseline of 24 such windows
    Random r = new Random(7);
    int trials = 20000;
    int alarms = 0;
    double alpha = 0.01;
    for (int t = 0; t < trials; t++) {
      long k0 = binomial(r, 1440, 0.01);
      long k1 = binomial(r, 60, 0.01);
      if (Monitor.nullJumpPValue(k0, 1440, k1, 60) < alpha) {
        alarms++;
      }
    }
    double rate = (double) alarms / trials;
    System.out.printf("null-jump test, 60-value windows at 1%% nulls: false-alarm rate %.4f at alpha %.2f%n", rate,
        alpha);
    assertTrue(rate <= alpha, "false-alarm rate " + rate);
  }

  private static long binomial(Random r, int n, double p) {
    long k = 0;
    for (int i = 0; i < n; i++) {
      if (r.nextDouble() < p) {
        k++;
      }
    }
    return k;
  }
}
