package dev.loupe.core.drift;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Calibration: on two samples of one distribution, the default tests say "drift" (p &lt; 0.05) at
 * most 7% of the time in every size band (pooled over the generators), and in no single generator
 * and size more often than a calibrated test's 5% plus three binomial standard deviations of the
 * trials run (0.083 at 400 trials: a hard 0.07 per cell would fail an exactly calibrated test by
 * chance somewhere among 35 cells about one run in five); and they keep their power.
 *
 * <p>The default run is small (350 same-distribution trials, about ten seconds). The full run, 400
 * trials per generator and size from 1,000 to 10,000,000 values per side, and the power table of
 * docs/drift.md:
 * <pre>
 * ./mvnw -B -pl core test -Dtest=DriftCalibrationTest -Dloupe.drift.calibration=full
 * </pre>
 * Profiles are built as {@link Calibration} describes (chunks merged; pools from 1M values up).
 */
class DriftCalibrationTest {
  static final boolean FULL = "full".equals(System.getProperty("loupe.drift.calibration"));
  static final double MAX_FALSE_DRIFT = 0.07;

  @Test
  void sameDistributionSamplesDriftAtMostSevenPercentOfTheTime() {
    int[] sizes = FULL ? new int[] {1_000, 10_000, 100_000, 1_000_000, 10_000_000} : new int[] {1_000, 100_000, 1_000_000};
    int[] trials = FULL ? new int[] {400, 400, 400, 400, 400} : new int[] {30, 10, 10};
    DriftOptions o = DriftOptions.defaults();
    List<String> failures = new ArrayList<>();
    StringBuilder table = new StringBuilder("| generator |");
    for (int n : sizes) {
      table.append(' ').append(String.format(Locale.ROOT, "%,d", n)).append(" |");
    }
    table.append('\n');
    long drifted = 0;
    long total = 0;
    long[] bandDrifted = new long[sizes.length];
    long[] bandTotal = new long[sizes.length];
    long seed = 1;
    for (Calibration.Generator g : Calibration.all()) {
      table.append("| ").append(g.name()).append(" |");
      for (int s = 0; s < sizes.length; s++) {
        List<ColumnDrift> r = Calibration.run(g, sizes[s], trials[s], seed++, 0, o);
        long d = r.stream().filter(c -> c.category() == DriftCategory.DRIFT).count();
        r.forEach(c -> assertTrue(!c.skipped() && c.pValue() != null, c.toString()));
        drifted += d;
        total += r.size();
        bandDrifted[s] += d;
        bandTotal[s] += r.size();
        double rate = (double) d / r.size();
        table.append(String.format(Locale.ROOT, " %.3f |", rate));
        double cellBound = 0.05 + 3 * Math.sqrt(0.05 * 0.95 / r.size());
        if (FULL && rate > cellBound) {
          failures.add(g.name() + " at n = " + sizes[s] + ": " + rate + " > " + cellBound);
        }
      }
      table.append('\n');
    }
    table.append("| all generators |");
    for (int s = 0; s < sizes.length; s++) {
      double rate = (double) bandDrifted[s] / bandTotal[s];
      table.append(String.format(Locale.ROOT, " %.3f |", rate));
      if (FULL && rate > MAX_FALSE_DRIFT) {
        failures.add("all generators at n = " + sizes[s] + ": " + rate);
      }
    }
    table.append('\n');
    System.out.println("false-drift rate (p < 0.05) on same-distribution pairs, " + (FULL ? "full" : "default")
        + " run:\n" + table + "all: " + drifted + " of " + total);
    assertTrue(failures.isEmpty(), "false-drift rate above " + MAX_FALSE_DRIFT + ": " + failures);
    assertTrue(drifted <= MAX_FALSE_DRIFT * total, "false drift in " + drifted + " of " + total + " trials\n" + table);
  }

  /** The suite has teeth: whylogs' computations (no allowance for sketch error, goodness of fit) fail it. */
  @Test
  void whylogsComputationsFailTheSameCalibrationAtLargeN() {
    DriftOptions whylogs = DriftOptions.builder().whylogsCompatible().build();
    for (Calibration.Generator g : List.of(Calibration.NORMAL, Calibration.categorical(300))) {
      double rate = Calibration.rate(Calibration.run(g, 1_000_000, 20, 99, 0, whylogs), DriftCategory.DRIFT);
      // 20 trials, and KLL merges are randomized: 4 or more false drifts in 20 (four times the nominal 5%) has
      // probability 0.016 for a calibrated test; whylogs' computations give about 0.3 to 0.6 here
      assertTrue(rate >= 0.2, g.name() + ": whylogs' false-drift rate " + rate);
      double calibrated = Calibration.rate(Calibration.run(g, 1_000_000, 20, 99, 0, DriftOptions.defaults()),
          DriftCategory.DRIFT);
      assertTrue(calibrated <= 0.15, g.name() + ": calibrated false-drift rate " + calibrated);
    }
  }

  /** Power the default run checks: shifts the power table says are found 90% of the time are found. */
  @Test
  void smallRealShiftsAreStillFound() {
    DriftOptions o = DriftOptions.defaults();
    // 0.1 sd at 10,000 a side; 0.03 sd at 1,000,000 a side (sketch error is 0.007 of the KS distance 0.012)
    assertTrue(Calibration.rate(Calibration.run(Calibration.NORMAL, 10_000, 20, 5, 0.1, o), DriftCategory.DRIFT) >= 0.9);
    assertTrue(Calibration.rate(Calibration.run(Calibration.NORMAL, 1_000_000, 10, 6, 0.03, o), DriftCategory.DRIFT) >= 0.9);
    // a proportion from 0.30 to 0.33 at 10,000 a side
    assertTrue(Calibration.rate(Calibration.run(Calibration.BOOLEAN, 10_000, 20, 7, 0.03, o), DriftCategory.DRIFT) >= 0.9);
    // 2% of the mass moved onto the top category of 5,000 at 1,000,000 a side (counts are estimates there)
    List<ColumnDrift> cat = Calibration.run(Calibration.categorical(5000), 1_000_000, 10, 8, 0.02, o);
    assertTrue(cat.get(0).countsEstimated(), cat.get(0).toString());
    assertTrue(Calibration.rate(cat, DriftCategory.DRIFT) >= 0.9, cat.toString());
  }

  /** The power table of docs/drift.md: the smallest shift found in at least 90% of trials, per n. */
  @Test
  void powerTable() {
    if (!FULL) {
      return; // the full run only; the default run checks points of the table in smallRealShiftsAreStillFound
    }
    int[] sizes = {1_000, 10_000, 100_000, 1_000_000, 10_000_000};
    StringBuilder out = new StringBuilder("| n per side | location shift (sd), normal | proportion change from 0.30, boolean |\n");
    for (int n : sizes) {
      int trials = n >= 1_000_000 ? 40 : 100;
      double loc = smallestDetected(Calibration.NORMAL, n, trials, 2.0);
      double prop = smallestDetected(Calibration.BOOLEAN, n, trials, 0.3);
      out.append(String.format(Locale.ROOT, "| %,d | %.3g | %.3g |%n", n, loc, prop));
    }
    System.out.println("power (drift at p < 0.05 in >= 90% of trials):\n" + out);
  }

  /** Halves the shift from {@code start} while it is still found 90% of the time, then refines by 2^(1/4). */
  private static double smallestDetected(Calibration.Generator g, int n, int trials, double start) {
    DriftOptions o = DriftOptions.defaults();
    double found = start;
    long seed = 1000;
    while (Calibration.rate(Calibration.run(g, n, trials, seed++, found / 2, o), DriftCategory.DRIFT) >= 0.9) {
      found /= 2;
    }
    double step = Math.pow(2, 0.25);
    for (int i = 0; i < 3; i++) {
      double next = found / step;
      if (Calibration.rate(Calibration.run(g, n, trials, seed++, next, o), DriftCategory.DRIFT) >= 0.9) {
        found = next;
      } else {
        break;
      }
    }
    return found;
  }
}
