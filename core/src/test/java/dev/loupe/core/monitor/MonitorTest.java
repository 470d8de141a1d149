package dev.loupe.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ProfileView;
import dev.loupe.core.constraints.ConstraintSet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitorTest {
  @TempDir
  Path dir;

  private MonitorResult monitor(Path root, Monitor monitor, List<WindowPoint> points) throws Exception {
    History.Listing listing = History.of(new DirectoryHistory(root)).list();
    try (History.Windows windows = listing.open(4)) {
      return monitor.run(windows, listing.window(), (p, a) -> points.add(p));
    }
  }

  private static String describe(List<MonitorResult.Incident> incidents) {
    return incidents.stream().map(i -> i.check().label() + " " + i.column() + " " + i.first() + " x" + i.windows())
        .collect(Collectors.joining("\n"));
  }

  @Test
  void twoHundredHourlyWindowsWithInjectedIncidentsGiveExactlyThoseAlertsAtTheirWindows() throws Exception {
    SyntheticHistory h = new SyntheticHistory(16);
    h.nullSpike = 60;
    h.missing = 80;
    h.trafficDrop = 110; // 14:00 on day 5, normally the busiest hour
    h.typeChange = 130;
    h.shiftFrom = 150;
    h.dropFrom = 175;
    h.scale = 0.5; // 500 rows a window at night, 2000 in the afternoon
    h.write(dir, 200);
    List<WindowPoint> points = new ArrayList<>();
    MonitorResult r = monitor(dir, Monitor.builder().trailing(24).build(), points);

    assertEquals(199, r.windows());
    assertEquals(199, points.size());
    List<MonitorResult.Incident> inc = r.incidents();
    String all = describe(inc);
    assertEquals(6, inc.size(), all);
    assertIncident(inc.get(0), Check.NULLS, "email", 60, 1, all);
    assertIncident(inc.get(1), Check.GAP, null, 80, 1, all);
    assertIncident(inc.get(2), Check.ROWS, null, 110, 1, all);
    assertIncident(inc.get(3), Check.SCHEMA, "code", 130, 1, all);
    MonitorResult.Incident shift = inc.get(4);
    assertEquals(Check.DRIFT, shift.check(), all);
    assertEquals("amount", shift.column(), all);
    assertEquals(SyntheticHistory.start(150), shift.first(), all);
    // the trailing baseline takes in the shifted windows: the drift fades within its 24 windows
    assertTrue(shift.windows() >= 5 && shift.windows() <= 24, all);
    // the column is missing until no window of the trailing 24 has it
    assertIncident(inc.get(5), Check.SCHEMA, "country", 175, 24, all);

    // how big, against what
    Alert nulls = inc.get(0).strongest();
    assertTrue(nulls.observed() > 0.45 && nulls.observed() < 0.55, nulls.toString());
    assertTrue(nulls.expected() < 0.02, nulls.toString());
    assertTrue(nulls.baseline().contains("24 window(s)"), nulls.baseline());
    Alert rows = inc.get(2).strongest();
    assertTrue(rows.observed() < 0.3 * rows.expected(), rows.toString());
    assertTrue(rows.expected() > 1500, "compared with the same hour on earlier days: " + rows);
    assertTrue(rows.baseline().contains("same time of day"), rows.baseline());
    Alert drift = shift.strongest();
    assertTrue(drift.effect() > 0.5, drift.toString());
    assertTrue(drift.pValue() < 1e-6, drift.toString());
    assertEquals(1.0, inc.get(1).strongest().observed());
    assertTrue(inc.get(3).strongest().message().contains("from integral to string"), inc.get(3).toString());

    // the series: rows and the null spike are where they were made
    WindowPoint spike = points.get(60);
    assertEquals(SyntheticHistory.start(60), spike.start());
    double nf = spike.columns().get("email").nullFraction();
    assertTrue(nf > 0.45 && nf < 0.55, "null fraction " + nf);
    assertEquals(Monitor.rows(h.window(110)), points.get(109).rows()); // index 109: window 80 is missing
  }

  private static void assertIncident(MonitorResult.Incident i, Check check, String column, int window, int windows,
      String all) {
    assertEquals(check, i.check(), all);
    assertEquals(column, i.column(), all);
    assertEquals(SyntheticHistory.start(window), i.first(), all);
    assertEquals(windows, i.windows(), all);
  }

  /**
   * A time column moves with the windows by design: no drift alert for it, while the same instants
   * as a plain number column (not marked as time) drift every window; its null spike still alerts.
   */
  @Test
  void aTimeColumnGetsNoDriftTestButItsNullsAreChecked() throws Exception {
    dev.loupe.core.logging.LocalDirectoryWriter w = new dev.loupe.core.logging.LocalDirectoryWriter(dir);
    java.util.Random r = new java.util.Random(9);
    for (int i = 0; i < 30; i++) {
      Instant start = SyntheticHistory.start(i);
      dev.loupe.core.DatasetProfile p = new dev.loupe.core.DatasetProfile(
          dev.loupe.core.ProfileProperties.EMPTY.withDatasetTimestamp(start).withCreationTimestamp(start));
      for (int k = 0; k < 500; k++) {
        Instant t = start.plusMillis(r.nextInt(3_600_000));
        p.column("ts").appendValue(i == 20 && k % 2 == 0 ? null : t);
        p.column("millis").appendLong(t.toEpochMilli());
      }
      w.write(p.view(), dev.loupe.core.logging.WindowInfo.of(SyntheticHistory.DATASET, start, SyntheticHistory.HOUR));
    }
    MonitorResult m = monitor(dir, Monitor.builder().trailing(5).build(), new ArrayList<>());
    List<String> seen = m.alerts().stream().map(a -> a.check().label() + " " + a.column()).distinct().toList();
    assertEquals(List.of("drift millis", "nulls ts"), seen.stream().sorted().toList(), describe(m.incidents()));
    assertEquals(29, m.alerts().stream().filter(a -> a.column().equals("millis")).count(), "every window after the first");
  }

  @Test
  void aLatePartIsMergedIntoItsWindowAndReported() throws Exception {
    SyntheticHistory h = new SyntheticHistory(3);
    h.scale = 0.2;
    h.latePart = 5;
    h.write(dir, 8);
    List<WindowPoint> points = new ArrayList<>();
    MonitorResult r = monitor(dir, Monitor.builder().build(), points);
    assertEquals(8, r.windows());
    assertEquals(1, r.alerts().size(), r.toTable());
    Alert late = r.alerts().get(0);
    assertEquals(Check.LATE, late.check());
    assertEquals(SyntheticHistory.start(5), late.window());
    assertEquals(2, points.get(5).files());
    long both = Monitor.rows(h.window(5)) + Monitor.rows(new SyntheticHistory(10).window(5));
    assertEquals(both, points.get(5).rows());
  }

  @Test
  void failedConstraintsAreAlertsOfTheirWindow() throws Exception {
    SyntheticHistory h = new SyntheticHistory(4);
    h.scale = 0.2;
    h.nullSpike = 3;
    h.write(dir, 6);
    ConstraintSet c = ConstraintSet.parse("constraints:\n  - column: email\n    check: null_fraction_below\n    max: 0.2\n", "test.yaml");
    MonitorResult r = monitor(dir, Monitor.builder().constraints(c, null).build(), new ArrayList<>());
    List<Alert> failed = r.alerts().stream().filter(a -> a.check() == Check.CONSTRAINT).toList();
    assertEquals(1, failed.size(), r.toTable());
    assertEquals(SyntheticHistory.start(3), failed.get(0).window());
    assertEquals("email", failed.get(0).column());
  }

  @Test
  void aFixedReferenceIsTheBaselineOfEveryWindow() throws Exception {
    SyntheticHistory h = new SyntheticHistory(5);
    h.scale = 0.5;
    h.shiftFrom = 4;
    h.write(dir, 10);
    ProfileView reference = new SyntheticHistory(99).window(0);
    MonitorResult r = monitor(dir, Monitor.builder().reference(reference).build(), new ArrayList<>());
    List<MonitorResult.Incident> inc = r.incidents();
    assertEquals(1, inc.size(), describe(inc));
    assertEquals(Check.DRIFT, inc.get(0).check());
    // against a fixed reference the shift never fades
    assertEquals(6, inc.get(0).windows());
    assertEquals("the reference profile", inc.get(0).strongest().baseline());
  }

  @Test
  void severalDatasetsNeedAChoiceAndUnknownOnesAreNamed() throws Exception {
    SyntheticHistory h = new SyntheticHistory(6);
    h.scale = 0.05;
    h.write(dir, 2);
    new dev.loupe.core.logging.LocalDirectoryWriter(dir).write(h.window(0),
        dev.loupe.core.logging.WindowInfo.of("returns", SyntheticHistory.START, SyntheticHistory.HOUR));
    MonitorException e = assertThrows(MonitorException.class, () -> History.of(new DirectoryHistory(dir)).list());
    assertTrue(e.getMessage().contains("2 datasets [orders, returns]; choose one with --dataset"), e.getMessage());
    MonitorException u = assertThrows(MonitorException.class,
        () -> History.of(new DirectoryHistory(dir)).dataset("sales").list());
    assertTrue(u.getMessage().contains("no windows of dataset 'sales'"), u.getMessage());
    History.Listing l = History.of(new DirectoryHistory(dir)).dataset("orders")
        .since(Instant.parse("2026-01-01T01:00:00Z")).list();
    assertEquals(1, l.windowCount());
  }

  @Test
  void aDirectoryWithoutMatchingKeysSaysWhichTemplateItTried() throws Exception {
    java.nio.file.Files.write(dir.resolve("day.bin"), new byte[] {1});
    MonitorException e = assertThrows(MonitorException.class, () -> History.of(new DirectoryHistory(dir)).list());
    assertTrue(e.getMessage().contains("no profile file matches the key template"), e.getMessage());
  }
}
