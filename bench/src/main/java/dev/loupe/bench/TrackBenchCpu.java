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
 * one 65,536-row batch each, on fresh sketches every 16 batches; each prints the median and the
 * quartiles of CPU ns per value, and the ratio of the medians.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/loupe-benchmarks.jar \
 *   dev.loupe.bench.TrackBenchCpu [rounds=300] [column ...]
 * </pre>
 */
public final class TrackBenchCpu {
  private TrackBenchCpu() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    List<String> columns = args.length > 1
        ? Arrays.asList(args).subList(1, args.length)
        : List.of("double", "long", "string_low_card", "string_high_card", "dictionary_string", "mixed");
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    System.out.printf("%-18s %28s %28s %7s%n", "column", "loupe ns/value (q1 med q3)", "floor ns/value (q1 med q3)",
        "ratio");
    for (String column : columns) {
      TrackBench b = new TrackBench();
      b.column = column;
      b.data();
      b.sketches();
      for (int i = 0; i < rounds / 3 + 20; i++) { // warm-up
        b.loupe();
        b.rawSketches();
        if (i % 16 == 15) {
          b.sketches();
        }
      }
      List<Double> loupe = new ArrayList<>();
      List<Double> floor = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        if (i % 16 == 0) {
          b.sketches();
        }
        long t0 = mx.getCurrentThreadCpuTime();
        b.loupe();
        long t1 = mx.getCurrentThreadCpuTime();
        b.rawSketches();
        long t2 = mx.getCurrentThreadCpuTime();
        loupe.add((t1 - t0) / (double) TrackBench.ROWS);
        floor.add((t2 - t1) / (double) TrackBench.ROWS);
      }
      b.free();
      double[] l = quartiles(loupe);
      double[] f = quartiles(floor);
      System.out.printf("%-18s %8.1f %8.1f %8.1f   %8.1f %8.1f %8.1f   %6.2f%n", column, l[0], l[1], l[2], f[0], f[1],
          f[2], l[1] / f[1]);
    }
  }

  private static double[] quartiles(List<Double> xs) {
    double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new double[] {s[s.length / 4], s[s.length / 2], s[s.length * 3 / 4]};
  }
}
