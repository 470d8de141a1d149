package dev.loupe.core.monitor;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.SortedValues;
import dev.loupe.core.metrics.DistributionMetric;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Not a test: the thread CPU per column and window of the trailing baseline as {@link DistributionUnion}
 * (step + KS search) against the merged-sketch baseline it replaced (two-stack merges + sorted view of
 * the merge + KS walk), for windows of {@code rows} normal values (24 trailing windows). Run:
 * {@code java -cp core/target/test-classes:core/target/classes:$(cat cp.txt) dev.loupe.core.monitor.UnionCostHarness 20000}
 * (cp.txt from {@code ./mvnw -q -B -pl core dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 */
public final class UnionCostHarness {
  public static void main(String[] a) {
    int rows = a.length > 0 ? Integer.parseInt(a[0]) : 100;
    int trailing = 24;
    Random r = new Random(1);
    List<DistributionMetric> ws = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      DatasetProfile p = new DatasetProfile();
      for (int k = 0; k < rows; k++) p.track(Map.of("x", r.nextGaussian()));
      ws.add(p.view().column("x").orElseThrow().distribution().orElseThrow());
    }
    var bean = ManagementFactory.getThreadMXBean();
    for (int rep = 0; rep < 6; rep++) {
      int steps = 400;
      // union
      DistributionUnion u = new DistributionUnion(trailing);
      long t0 = bean.getCurrentThreadCpuTime();
      double d1 = 0;
      for (int i = 0; i < steps; i++) {
        SortedValues w = SortedValues.of(ws.get(i % 48));
        if (u.size() > 0) d1 += Drift.ksStatistic(u.values("x"), w);
        u.add(Map.of("x", w));
      }
      long t1 = bean.getCurrentThreadCpuTime();
      // merged sketches: sliding merge over the distributions (three merges a window), sorted view, walk
      ArrayDeque<DistributionMetric> back = new ArrayDeque<>();
      ArrayDeque<DistributionMetric> front = new ArrayDeque<>();
      DistributionMetric backMerged = DistributionMetric.EMPTY;
      int size = 0;
      double d2 = 0;
      for (int i = 0; i < steps; i++) {
        DistributionMetric w = ws.get(i % 48);
        SortedValues wv = SortedValues.of(w);
        if (size > 0) {
          DistributionMetric base = front.isEmpty() ? backMerged : front.peek().merge(backMerged);
          d2 += Drift.ksStatistic(SortedValues.of(base), wv);
        }
        back.addLast(w);
        backMerged = backMerged.merge(w);
        size++;
        if (size > trailing) {
          if (front.isEmpty()) {
            DistributionMetric suffix = DistributionMetric.EMPTY;
            while (!back.isEmpty()) {
              suffix = back.pollLast().merge(suffix);
              front.push(suffix);
            }
            backMerged = DistributionMetric.EMPTY;
          }
          front.pop();
          size--;
        }
      }
      long t2 = bean.getCurrentThreadCpuTime();
      SortedValues last = u.values("x");
      System.out.printf("rows %d: union %d entries, rank error %.4f: %.0f us/window; merged sketches: %.0f us/window%n",
          rows, last.size(), last.rankError(), (t1 - t0) / 1e3 / steps, (t2 - t1) / 1e3 / steps);
    }
  }
}
