package dev.loupe.bench;

import dev.loupe.core.DatasetProfile;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One decimal column tracked far past the million values where its KLL sketch has grown (11 levels;
 * the server's stripes get there within seconds at its rates): {@code trackDataframe} on 65,536-row
 * batches of the server benchmark's decimals (Gaussian, 3 decimals), 100 batches unmeasured, then
 * the thread CPU time and bytes allocated per value over the next 300 batches (about 20 M values).
 * {@link TrackBenchCpu}'s cycles start fresh sketches every 16 batches, so they never measure this
 * state.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/loupe-benchmarks.jar \
 *   dev.loupe.bench.DeepColumnCpu [rounds=4]
 * </pre>
 */
public final class DeepColumnCpu {
  private DeepColumnCpu() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Random r = new Random(1);
    int rows = 1 << 16;
    try (BufferAllocator alloc = new RootAllocator();
         Float8Vector v = new Float8Vector("f", alloc)) {
      v.allocateNew(rows);
      for (int i = 0; i < rows; i++) {
        v.set(i, Math.round(r.nextGaussian() * 1000) / 1000.0);
      }
      v.setValueCount(rows);
      try (VectorSchemaRoot root = VectorSchemaRoot.of(v)) {
        for (int round = 0; round < rounds; round++) {
          DatasetProfile p = new DatasetProfile();
          long cpu = 0;
          long bytes = 0;
          for (int b = 0; b < 400; b++) {
            if (b == 100) {
              cpu = mx.getCurrentThreadCpuTime();
              bytes = mx.getCurrentThreadAllocatedBytes();
            }
            p.trackDataframe(root);
          }
          double values = 300.0 * rows;
          System.out.printf("deep decimal column: %.1f ns of CPU and %.2f bytes allocated per value (n = %,d)%n",
              (mx.getCurrentThreadCpuTime() - cpu) / values, (mx.getCurrentThreadAllocatedBytes() - bytes) / values,
              p.view().column("f").orElseThrow().distribution().orElseThrow().n());
        }
      }
    }
  }
}
