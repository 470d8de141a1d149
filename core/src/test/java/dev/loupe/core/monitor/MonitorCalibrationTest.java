package dev.loupe.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The monitor's false-alarm rate on same-distribution windows. The windows are small (100 to 400
 * rows), so the tests' p-value threshold decides rather than the effect floor: this measures the
 * calibration of the tests themselves, which must stay at or below alpha per column and window.
 */
class MonitorCalibrationTest {
  static final int WINDOWS = 500;
  static final int TESTED_COLUMNS = 5; // amount, code (KS); email, country, paid (chi-square)

  @Test
  void fiveHundredCleanWindowsRaiseFalseAlarmsAtMostAtAlpha() {
    measure(0.01, 0.006);
  }

  @Test
  void theDefaultAlphaRaisesAlmostNoFalseAlarms() {
    // 2,495 tests at 1e-4: 0.25 false alarms expected; more than 2 would mean the tests run hot
    measure(Monitor.builder().build().alpha(), 2 / ((WINDOWS - 1.0) * TESTED_COLUMNS) - 1e-4);
  }

  private void measure(double alpha, double slack) {
    SyntheticHistory h = new SyntheticHistory(2026);
    h.scale = 0.1;
    Iterator<History.WindowProfile> windows = new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < WINDOWS;
      }

      @Override
      public History.WindowProfile next() {
        int k = i++;
        return new History.WindowProfile(SyntheticHistory.start(k), SyntheticHistory.start(k + 1), h.window(k), 1, 0);
      }
    };
    Monitor monitor = Monitor.builder().trailing(24).alpha(alpha).build();
    List<Alert> alerts = new ArrayList<>();
    MonitorResult r = monitor.run(windows, SyntheticHistory.HOUR, (p, a) -> alerts.addAll(a));
    assertEquals(WINDOWS, r.windows());
    Map<Check, Integer> byCheck = new EnumMap<>(Check.class);
    alerts.forEach(a -> byCheck.merge(a.check(), 1, Integer::sum));
    double tests = (WINDOWS - 1.0) * TESTED_COLUMNS;
    double driftRate = byCheck.getOrDefault(Check.DRIFT, 0) / tests;
    double nullRate = byCheck.getOrDefault(Check.NULLS, 0) / tests;
    System.out.printf("monitor calibration: %d clean windows, alpha %g: drift false alarms %d of %.0f tests "
        + "(rate %.4f), null-jump %d (rate %.4f), all alerts %s%n", WINDOWS, alpha,
        byCheck.getOrDefault(Check.DRIFT, 0), tests, driftRate, byCheck.getOrDefault(Check.NULLS, 0), nullRate,
        byCheck);
    // binomial slack over alpha (500 x 5 tests at rate 0.01 have sd ~ 0.002)
    assertTrue(driftRate <= alpha + slack, "drift false-alarm rate " + driftRate + " over alpha " + alpha);
    assertTrue(nullRate <= alpha + slack, "null-jump false-alarm rate " + nullRate);
    assertEquals(0, byCheck.getOrDefault(Check.SCHEMA, 0), r.toTable());
    assertEquals(0, byCheck.getOrDefault(Check.GAP, 0), r.toTable());
    // row counts: 6 robust sds on Poisson-like noise
    assertTrue(byCheck.getOrDefault(Check.ROWS, 0) <= 1, r.toTable());
  }
}
