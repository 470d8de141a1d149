package dev.loupe.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * Is KLL's weighted update ({@code KllDoublesSketch.update(double, long)}, DataSketches 6.2.0) cheaper
 * than the bulk update of a batch, when the batch's integers are counted first and each distinct
 * value is inserted once with its count? Batches of 8,192 integers with D distinct values, k = 1024
 * (whylogs' size), the same pre-generated batches for both ways, three rounds each (the first is
 * warm-up); ns per value, and the median and 99th percentile of both sketches as a sanity check.
 *
 * <pre>java -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.KllWeighted 5 50 860</pre>
 */
public final class KllWeighted {
  private KllWeighted() {}

  public static void main(String[] args) {
    int batch = 8192;
    int batches = 2000;
    for (String a : args) {
      int distinct = Integer.parseInt(a);
      SplittableRandom r = new SplittableRandom(1);
      int[][] data = new int[200][batch];
      for (int[] b : data) {
        for (int i = 0; i < batch; i++) {
          b[i] = r.nextInt(distinct);
        }
      }
      double[] d = new double[batch];
      long[] counts = new long[distinct];
      for (int round = 0; round < 3; round++) {
        KllDoublesSketch bulk = KllDoublesSketch.newHeapInstance(1024);
        KllDoublesSketch weighted = KllDoublesSketch.newHeapInstance(1024);
        long t0 = System.nanoTime();
        for (int b = 0; b < batches; b++) {
          int[] x = data[b % data.length];
          for (int i = 0; i < batch; i++) {
            d[i] = x[i];
          }
          bulk.update(d, 0, batch);
        }
        long t1 = System.nanoTime();
        for (int b = 0; b < batches; b++) {
          int[] x = data[b % data.length];
          Arrays.fill(counts, 0);
          for (int i = 0; i < batch; i++) {
            counts[x[i]]++;
          }
          for (int v = 0; v < distinct; v++) {
            if (counts[v] > 0) {
              weighted.update(v, counts[v]);
            }
          }
        }
        long t2 = System.nanoTime();
        double n = (double) batch * batches;
        System.out.printf(Locale.ROOT, "%d distinct, round %d: bulk %.1f ns/value, weighted %.1f ns/value; "
            + "median %.0f / %.0f, p99 %.0f / %.0f%n", distinct, round, (t1 - t0) / n, (t2 - t1) / n,
            bulk.getQuantile(0.5), weighted.getQuantile(0.5), bulk.getQuantile(0.99), weighted.getQuantile(0.99));
      }
    }
  }
}
