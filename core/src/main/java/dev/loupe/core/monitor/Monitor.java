package dev.loupe.core.monitor;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.constraints.ConstraintResult;
import dev.loupe.core.constraints.ConstraintSet;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.SortedValues;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Checks a dataset's windows, in time order, against a baseline, and reports what went wrong and
 * when.
 *
 * <pre>{@code
 * Monitor monitor = Monitor.builder().trailing(24).build();
 * MonitorResult result = monitor.run(windows, Duration.ofHours(1), (point, alerts) -> {});
 * result.alerts().forEach(a -> System.out.println(a.window() + " " + a.message()));
 * }</pre>
 *
 * <h2>Baseline</h2>
 * The trailing N windows before the checked one together ({@link Builder#trailing}, default 24),
 * or a fixed reference profile ({@link Builder#reference}). The trailing baseline's counts and
 * types are merged ({@link SlidingMerge}); its numeric distributions are the union of the windows'
 * retained KLL items ({@link DistributionUnion}) and its category counts the sums of the windows'
 * frequent-item counts and bounds ({@link CategoryUnion}): no sketch merges, and exact whenever the
 * windows' sketches are. Row counts always use like windows (see {@link RowCounts}): a reference
 * profile holds no row count of a window.
 *
 * <h2>Checks, per window</h2>
 * <ul>
 *   <li><b>gap</b>: windows missing since the previous one (one alert per gap, at its first window);
 *   <li><b>late</b>: the window has later parts (rows that arrived after it was written);
 *   <li><b>schema</b>: a baseline column missing, a new column, or a type change: the inferred
 *       type differs, or the type mix moved by a total variation distance of at least
 *       {@link Builder#typeMixShift} (0.2). A column with a schema alert gets no other check;
 *   <li><b>nulls</b>: a test of the window's null count against the baseline's null fraction
 *       ({@link #nullJumpPValue}); an alert needs p &lt; {@link Builder#alpha} <em>and</em> a rise of at least
 *       {@link Builder#minNullJump} (0.05). Falls do not alert: after a spike the trailing baseline
 *       still holds it, and the windows after it are recovery, not an incident;
 *   <li><b>drift</b>: the drift test (see {@link DriftCheck}), except on string columns of mostly
 *       distinct values ({@link #mostlyUnique}); an alert needs p &lt; alpha
 *       <em>and</em> an effect size of at least {@link Builder#minEffect} (0.1): with thousands of
 *       rows a test finds differences no one cares about, and the effect floor keeps those out;
 *   <li><b>rows</b>: the row count's robust z against like windows of at least
 *       {@link Builder#rowsThreshold} (6);
 *   <li><b>constraint</b>: each failed constraint of {@link Builder#constraints}.
 * </ul>
 * With the defaults, the false-alarm rate on same-distribution windows is measured in
 * MonitorCalibrationTest (at most alpha per column and window, at alpha 0.01 and at the default).
 */
public final class Monitor {
  private final int trailing;
  private final ProfileView reference;
  private final double alpha;
  private final double minEffect;
  private final double minNullJump;
  private final double typeMixShift;
  private final double rowsThreshold;
  private final int seasonDays;
  private final ConstraintSet constraints;
  private final ProfileView constraintsReference;
  private final java.util.Set<String> ignored;

  private Monitor(Builder b) {
    this.ignored = java.util.Set.copyOf(b.ignored);
    this.trailing = b.trailing;
    this.reference = b.reference;
    this.alpha = b.alpha;
    this.minEffect = b.minEffect;
    this.minNullJump = b.minNullJump;
    this.typeMixShift = b.typeMixShift;
    this.rowsThreshold = b.rowsThreshold;
    this.seasonDays = b.seasonDays;
    this.constraints = b.constraints;
    this.constraintsReference = b.constraintsReference;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The p-value below which a test alerts. */
  public double alpha() {
    return alpha;
  }

  /** What the baseline is, in words. */
  public String baselineDescription() {
    return reference != null ? "the reference profile" : "the merged trailing " + trailing + " windows";
  }

  /**
   * Runs the checks over {@code windows} (in increasing start order; a window out of order is an
   * error) of length {@code window}, telling {@code listener} about each window as it goes.
   */
  public MonitorResult run(Iterator<History.WindowProfile> windows, Duration window, MonitorListener listener) {
    Objects.requireNonNull(window, "window");
    SlidingMerge trail = reference == null ? new SlidingMerge(trailing) : null;
    DistributionUnion trailValues = reference == null ? new DistributionUnion(trailing) : null;
    CategoryUnion trailCounts = reference == null ? new CategoryUnion(trailing) : null;
    Sketched referenceSketched = reference == null ? new Sketched(Map.of(), Map.of(), Map.of()) : sketched(reference);
    RowCounts rowCounts = new RowCounts(window, seasonDays, rowsThreshold);
    List<Alert> all = new ArrayList<>();
    Instant previous = null;
    Instant first = null;
    int count = 0;
    long wms = window.toMillis();
    while (windows.hasNext()) {
      History.WindowProfile w = windows.next();
      Instant t = w.start();
      if (previous != null && !t.isAfter(previous)) {
        throw new IllegalArgumentException("windows out of order: " + t + " after " + previous);
      }
      List<Alert> alerts = new ArrayList<>();
      if (previous != null) {
        long missing = (t.toEpochMilli() - previous.toEpochMilli()) / wms - 1;
        if (missing > 0) {
          Instant from = previous.plus(window);
          Instant to = t.minus(window);
          alerts.add(new Alert(from, Check.GAP, null, missing == 1 ? "window " + from + " is missing"
              : missing + " windows missing, " + from + " to " + to, (double) missing, 0.0, null, null,
              "the window length " + window));
        }
      }
      if (w.lateParts() > 0) {
        alerts.add(new Alert(t, Check.LATE, null, "window " + t + " was written again later: " + w.lateParts()
            + " late part(s) of " + w.files() + " file(s)", (double) w.lateParts(), 0.0, null, null,
            "one file per writer instance"));
      }
      ProfileView v = w.view();
      Sketched sketched = sketched(v); // each window's sorted values and category counts, built once
      ProfileView base = reference;
      String baseName = "the reference profile";
      Function<String, SortedValues> baseValues = referenceSketched.values()::get;
      Function<String, Drift.Counts> baseCounts = referenceSketched.counts()::get;
      if (trail != null && trail.size() > 0) {
        base = trail.merged();
        baseName = "the merged " + trail.size() + " window(s) " + trail.first() + " to " + trail.last();
        baseValues = trailValues::values;
        baseCounts = trailCounts::counts;
      }
      if (base != null) {
        checkColumns(t, v, sketched, base, baseValues, baseCounts, baseName, alerts);
      }
      long rows = rows(v);
      Optional<RowCounts.Finding> r = rowCounts.observe(t, rows);
      if (r.isPresent()) {
        RowCounts.Finding f = r.get();
        alerts.add(new Alert(t, Check.ROWS, null, String.format(Locale.ROOT,
            "%d rows where like windows had a median of %.0f (robust z %.1f)", rows, f.median(), f.z()),
            (double) rows, f.median(), f.z(), null, f.baseline()));
      }
      if (constraints != null) {
        for (ConstraintResult c : constraints.validate(v, constraintsReference).failures()) {
          alerts.add(new Alert(t, Check.CONSTRAINT, c.column(), c.message(), null, null, null, null,
              "the constraints file"));
        }
      }
      listener.window(new WindowPoint(t, rows, w.files(), sketched.points()), alerts);
      all.addAll(alerts);
      if (trail != null) {
        trail.add(t, baselineView(v));
        trailValues.add(sketched.values());
        trailCounts.add(sketched.counts());
      }
      if (first == null) {
        first = t;
      }
      previous = t;
      count++;
    }
    return new MonitorResult(all, count, first, previous, window, baselineDescription());
  }

  private void checkColumns(Instant t, ProfileView v, Sketched sketched, ProfileView base,
      Function<String, SortedValues> baseValues, Function<String, Drift.Counts> baseCounts, String baseName,
      List<Alert> alerts) {
    TreeSet<String> names = new TreeSet<>(base.columns().keySet());
    names.addAll(v.columns().keySet());
    names.removeAll(ignored);
    // columns are independent: checked in parallel, their alerts kept in column order
    List<String> order = new ArrayList<>(names);
    List<List<Alert>> found = order.parallelStream().map(name -> {
      List<Alert> out = new ArrayList<>();
      ColumnView b = base.columns().get(name);
      ColumnView c = v.columns().get(name);
      Drift.Side bs = b == null ? null : new Drift.Side(b, baseValues.apply(name),
          c != null && c.inferredType().equals("string") ? baseCounts.apply(name) : null); // only strings read counts
      Drift.Side cs = c == null ? null : new Drift.Side(c, sketched.values().get(name), sketched.counts().get(name));
      // a time column (its instants) moves with the windows by design: every check but drift
      boolean time = v.isTime(name) || base.isTime(name);
      checkColumn(t, name, bs, cs, time, baseName, out);
      return out;
    }).toList();
    found.forEach(alerts::addAll);
  }

  private void checkColumn(Instant t, String name, Drift.Side bs, Drift.Side cs, boolean time, String baseName,
      List<Alert> alerts) {
    ColumnView b = bs == null ? null : bs.column();
    ColumnView c = cs == null ? null : cs.column();
    if (c == null) {
      alerts.add(new Alert(t, Check.SCHEMA, name, "column '" + name + "' is missing; the baseline has it",
          null, null, null, null, baseName));
      return;
    }
    if (b == null) {
      alerts.add(new Alert(t, Check.SCHEMA, name, "new column '" + name + "' (" + c.inferredType()
          + "); the baseline does not have it", null, null, null, null, baseName));
      return;
    }
    if (typeChanged(t, name, b, c, baseName, alerts)) {
      return;
    }
    nulls(t, name, b, c, baseName, alerts);
    if (time || mostlyUnique(c)) {
      return;
    }
    Optional<DriftCheck.Finding> d = DriftCheck.compare(name, bs, cs);
    if (d.isPresent() && d.get().pValue() < alpha && d.get().effect() >= minEffect) {
      DriftCheck.Finding f = d.get();
      alerts.add(new Alert(t, Check.DRIFT, name, String.format(Locale.ROOT,
          "'%s' drifted: %s %.3f (%s p=%.2g)%s", name, f.effectName(), f.effect(), f.test().label(), f.pValue(),
          f.note().isEmpty() ? "" : "; " + f.note()), f.statistic(), null, f.effect(), f.pValue(), baseName));
    }
  }

  private boolean typeChanged(Instant t, String name, ColumnView b, ColumnView c, String baseName,
      List<Alert> alerts) {
    String bt = b.inferredType();
    String ct = c.inferredType();
    double[] bm = ColumnPoint.mix(b.types());
    double[] cm = ColumnPoint.mix(c.types());
    double tv = 0;
    for (int i = 0; i < bm.length; i++) {
      tv += Math.abs(bm[i] - cm[i]) / 2;
    }
    if (bt.equals("null") || ct.equals("null")) {
      return false; // a column of nulls has no type to change; the null check speaks
    }
    if (!bt.equals(ct)) {
      alerts.add(new Alert(t, Check.SCHEMA, name, String.format(Locale.ROOT,
          "'%s' changed type from %s to %s (type mix distance %.2f)", name, bt, ct, tv), null, null, tv, null,
          baseName));
      return true;
    }
    if (tv >= typeMixShift) {
      alerts.add(new Alert(t, Check.SCHEMA, name, String.format(Locale.ROOT,
          "'%s' type mix changed (distance %.2f; %s)", name, tv, mixText(cm)), null, null, tv, null, baseName));
      return true;
    }
    return false;
  }

  private static String mixText(double[] m) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < m.length; i++) {
      if (m[i] > 0) {
        parts.add(String.format(Locale.ROOT, "%s %.0f%%", ColumnPoint.TYPE_NAMES[i], m[i] * 100));
      }
    }
    return String.join(", ", parts);
  }

  private void nulls(Instant t, String name, ColumnView b, ColumnView c, String baseName, List<Alert> alerts) {
    long n0 = b.counts().n();
    long n1 = c.counts().n();
    if (n0 == 0 || n1 == 0) {
      return;
    }
    long k0 = b.counts().nulls();
    long k1 = c.counts().nulls();
    double p0 = (double) k0 / n0;
    double p1 = (double) k1 / n1;
    if (p1 - p0 < minNullJump) {
      return; // only rises alert: a fall back after a spike (still in the trailing baseline) is recovery
    }
    double p = nullJumpPValue(k0, n0, k1, n1);
    if (p < alpha) {
      alerts.add(new Alert(t, Check.NULLS, name, String.format(Locale.ROOT,
          "'%s' null fraction %.1f%% (%d of %d) against %.1f%% (p=%.2g)", name, p1 * 100, k1, n1, p0 * 100, p),
          p1, p0, p1 - p0, p, baseName));
    }
  }

  /**
   * The two-sided p-value of {@code k1} nulls in {@code n1} values when the baseline had {@code k0}
   * in {@code n0}. With at least 30 expected on both sides, the pooled two-proportion z-test;
   * otherwise (rare nulls, or rare non-nulls) the normal approximation runs hot, and the count of the
   * rare kind is compared with its Poisson law at the baseline's rate instead, whose tails are at
   * least as wide as the binomial's (so the test stays conservative).
   */
  static double nullJumpPValue(long k0, long n0, long k1, long n1) {
    double p0 = (double) k0 / n0;
    double expected = n1 * p0;
    if (expected >= 30 && n1 - expected >= 30) {
      double pooled = (double) (k0 + k1) / (n0 + n1);
      double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n0 + 1.0 / n1));
      double z = ((double) k1 / n1 - p0) / se;
      return Drift.chiSquarePValue(z * z, 1); // two-sided normal tail
    }
    boolean nullsRare = p0 <= 0.5;
    long k = nullsRare ? k1 : n1 - k1;
    double lambda = n1 * (nullsRare ? p0 : 1 - p0);
    double tail;
    if (k > lambda) { // P(X >= k) = P(chi-square with 2k df <= 2 lambda)
      tail = 1 - Drift.chiSquarePValue(2 * lambda, (int) Math.min(Integer.MAX_VALUE / 2, 2 * k));
    } else { // P(X <= k) = P(chi-square with 2(k+1) df > 2 lambda)
      tail = Drift.chiSquarePValue(2 * lambda, (int) Math.min(Integer.MAX_VALUE / 2, 2 * (k + 1)));
    }
    return Math.min(1, 2 * Math.max(0, tail));
  }

  /**
   * A string column whose values are mostly distinct (ids, timestamps as text): at least half its
   * non-null values distinct, by the HLL estimate, over at least 20 values. Its frequent items hold
   * no distribution to compare, and a chi-square test on them would call every window "drift".
   */
  static boolean mostlyUnique(ColumnView c) {
    if (!c.inferredType().equals("string")) {
      return false;
    }
    long values = c.counts().n() - c.counts().nulls();
    double distinct = c.cardinality().filter(h -> !h.isEmpty()).map(h -> h.estimate()).orElse(0.0);
    return values >= 20 && distinct >= 0.5 * values;
  }

  /** A window's rows: the largest counts/n of its columns (columns may be absent from some rows). */
  static long rows(ProfileView v) {
    long rows = 0;
    for (ColumnView c : v.columns().values()) {
      rows = Math.max(rows, c.counts().n());
    }
    return rows;
  }

  /**
   * A window's columns as the drift tests and the trailing baseline read them, and their points of
   * the time series (in the profile's column order).
   */
  private record Sketched(Map<String, SortedValues> values, Map<String, Drift.Counts> counts,
      Map<String, ColumnPoint> points) {}

  /**
   * The sorted values (retained KLL items with cumulative weights) of each column with numeric
   * values, and the frequent-item counts of each column with frequent items: the window's side of
   * the drift tests, and its share of the trailing baseline's {@link DistributionUnion} and
   * {@link CategoryUnion}; and the column's point of the time series. Built once per window, the
   * columns in parallel.
   */
  private static final Drift.Counts NO_COUNTS = new Drift.Counts(Map.of(), 0, 0);

  /** One column of one window, read once: its sorted values, category counts and time-series point. */
  private record ColumnSketch(SortedValues values, Drift.Counts counts, ColumnPoint point) {}

  private static Sketched sketched(ProfileView v) {
    List<Map.Entry<String, ColumnView>> cols = new ArrayList<>(v.columns().entrySet());
    List<ColumnSketch> all = cols.parallelStream().map(e -> new ColumnSketch(
        e.getValue().distribution().map(SortedValues::of).orElse(SortedValues.EMPTY),
        // categories are tested only in string columns (Drift.compareColumn): a window without strings in
        // the column adds none to the baseline, which saves reading every integer column's frequent items
        e.getValue().types().string() > 0 ? Drift.frequentCounts(e.getValue()) : NO_COUNTS,
        ColumnPoint.of(e.getValue()))).toList();
    Map<String, SortedValues> values = new HashMap<>();
    Map<String, Drift.Counts> counts = new HashMap<>();
    Map<String, ColumnPoint> points = new LinkedHashMap<>();
    for (int i = 0; i < cols.size(); i++) {
      String name = cols.get(i).getKey();
      ColumnSketch cs = all.get(i);
      if (cs.values().n() > 0) {
        values.put(name, cs.values());
      }
      if (cs.counts().n() > 0) {
        counts.put(name, cs.counts());
      }
      points.put(name, cs.point());
    }
    return new Sketched(values, counts, points);
  }

  /**
   * What the merged baseline keeps of a window: the metrics the checks read from it (counts, types).
   * The distribution and frequent items are left out (the baseline's are the
   * {@link DistributionUnion} of the windows' sorted values and the {@link CategoryUnion} of their
   * counts: no sketch merges), and so is the distinct-count sketch: no check compares it.
   */
  private static ProfileView baselineView(ProfileView v) {
    Map<String, ColumnView> out = new LinkedHashMap<>();
    v.columns().forEach((name, c) -> {
      List<dev.loupe.core.metrics.Metric<?>> keep = new ArrayList<>();
      keep.add(c.counts());
      keep.add(c.types());
      out.put(name, ColumnView.of(keep));
    });
    return ProfileView.of(v.properties(), out);
  }

  /** Options; every one has a default. */
  public static final class Builder {
    private int trailing = 24;
    private ProfileView reference;
    private double alpha = 1e-4;
    private double minEffect = 0.1;
    private double minNullJump = 0.05;
    private double typeMixShift = 0.2;
    private double rowsThreshold = 6;
    private int seasonDays = 7;
    private ConstraintSet constraints;
    private ProfileView constraintsReference;
    private final java.util.Set<String> ignored = new java.util.TreeSet<>();

    private Builder() {}

    /**
     * Columns no check looks at: a numeric time column (it "drifts" every window by design), a
     * counter, a column known to come and go.
     */
    public Builder ignore(java.util.Collection<String> columns) {
      ignored.addAll(columns);
      return this;
    }

    /** Baseline: the merge of the trailing {@code n} windows (default 24). */
    public Builder trailing(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("trailing:N needs N of at least 1, got " + n);
      }
      this.trailing = n;
      this.reference = null;
      return this;
    }

    /** Baseline: a fixed reference profile instead of trailing windows. */
    public Builder reference(ProfileView ref) {
      this.reference = Objects.requireNonNull(ref, "reference");
      return this;
    }

    /**
     * The p-value below which a test alerts, for drift and null jumps (default 1e-4). A monitor runs
     * many tests: 50 columns of hourly windows are 1,200 drift tests a day, so a per-test rate of
     * 0.01 would raise a dozen false alarms a day from clean data; 1e-4 raises about one a week.
     */
    public Builder alpha(double a) {
      if (!(a > 0 && a < 1)) {
        throw new IllegalArgumentException("alpha must be in (0, 1), got " + a);
      }
      this.alpha = a;
      return this;
    }

    /** The smallest drift effect size that alerts (default 0.1: KS or total variation distance). */
    public Builder minEffect(double e) {
      this.minEffect = e;
      return this;
    }

    /** The smallest null-fraction difference that alerts (default 0.05). */
    public Builder minNullJump(double d) {
      this.minNullJump = d;
      return this;
    }

    /** The type-mix total variation distance that alerts (default 0.2). */
    public Builder typeMixShift(double d) {
      this.typeMixShift = d;
      return this;
    }

    /** The robust z of a row count that alerts (default 6). */
    public Builder rowsThreshold(double z) {
      this.rowsThreshold = z;
      return this;
    }

    /** How many like windows (days, for hourly windows) the row-count check remembers (default 7). */
    public Builder seasonDays(int d) {
      if (d < RowCounts.MIN_HISTORY) {
        throw new IllegalArgumentException("need at least " + RowCounts.MIN_HISTORY + " like windows, got " + d);
      }
      this.seasonDays = d;
      return this;
    }

    /** Constraints every window must pass; {@code reference} for constraints that need one (may be null). */
    public Builder constraints(ConstraintSet set, ProfileView reference) {
      this.constraints = set;
      this.constraintsReference = reference;
      return this;
    }

    public Monitor build() {
      return new Monitor(this);
    }
  }
}
