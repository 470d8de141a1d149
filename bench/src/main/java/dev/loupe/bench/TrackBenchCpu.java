package dev.loupe.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link TrackBench}'s two benchmarks measured in thread CPU time rather than wall time, for a
 * machine shared with other work (wall time there counts the time the thread waits for a core).
 * For each column type, after a warm-up, {@code loupe} and {@code rawSketches} run alternately,
 * one 65,536-row batch each, in cycles of 16 batches on fresh sketches (loupe's 16th takes its view);
 * each prints the median and the quartiles over cycles of CPU ns per value, and the ratio of the
 * medians. The earlier floor,
 * {@code rawSketchesCachedStrings}, runs in the same rounds on sketches of its own; its median and
 * ratio are printed last.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/loupe-benchmarks.jar \
 *   dev.loupe.bench.TrackBenchCpu [rounds=320 (20 cycles of 16)] [column ...]
 * </pre>
 */
public final class TrackBenchCpu {
  private TrackBenchCpu() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 320;
    List<String> columns = args.length > 1
        ? Arrays.asList(args).subList(1, args.length)
        : List.of("double", "long", "string_low_card", "string_high_card", "dictionary_string", "mixed");
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    System.out.printf("%-18s %28s %28s %7s %22s%n", "column", "loupe ns/value (q1 med q3)", "floor ns/value (q1 med q3)",
        "ratio", "cached-strings floor");
    for (String column : columns) {
      TrackBench b = new TrackBench();
      b.column = column;
      b.data();
      b.sketches();
      TrackBench ref = new TrackBench(); // the cached-strings floor, on sketches of its own
      ref.column = column;
      ref.data();
      ref.sketches();
      for (int i = 0; i < rounds / 3 + 20; i++) { // warm-up
        b.loupe();
        b.rawSketches();
        ref.rawSketchesCachedStrings();
        if (i % 16 == 15) {
          b.sketches();
          ref.sketches();
        }
      }
      List<Double> loupe = new ArrayList<>();
      List<Double> floor = new ArrayList<>();
      List<Double> cached = new ArrayList<>();
      // one sample per cycle of 16 batches on fresh sketches (loupe takes its view in the 16th), so
      // work core defers to the view is in every sample
      for (int cycle = 0; cycle < Math.max(1, rounds / 16); cycle++) {
        b.sketches();
        ref.sketches();
        long lt = 0;
        long ft = 0;
        long ct = 0;
        for (int j = 0; j < 16; j++) {
          long t0 = mx.getCurrentThreadCpuTime();
          b.loupe();
          long t1 = mx.getCurrentThreadCpuTime();
          b.rawSketches();
          long t2 = mx.getCurrentThreadCpuTime();
          ref.rawSketchesCachedStrings();
          long t3 = mx.getCurrentThreadCpuTime();
          lt += t1 - t0;
          ft += t2 - t1;
          ct += t3 - t2;
        }
        double values = 16.0 * TrackBench.ROWS;
        loupe.add(lt / values);
        floor.add(ft / values);
        cached.add(ct / values);
      }
      b.free();
      ref.free();
      double[] l = quartiles(loupe);
      double[] f = quartiles(floor);
      double[] c = quartiles(cached);
      System.out.printf("%-18s %8.1f %8.1f %8.1f   %8.1f %8.1f %8.1f   %6.2f   %8.1f (ratio %5.2f)%n", column, l[0], l[1],
          l[2], f[0], f[1], f[2], l[1] / f[1], c[1], l[1] / c[1]);
    }
  }

  private static double[] quartiles(List<Double> xs) {
    double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new double[] {s[s.length / 4], s[s.length / 2], s[s.length * 3 / 4]};
  }
}
