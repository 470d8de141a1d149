package dev.loupe.bench;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Profile file sizes by row count: a profile is bounded by its sketches, not by its rows. Five
 * columns: a unique id, a gaussian double, a 20-value category, a 100-value integer and a
 * string with up to a million distinct values.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/loupe-benchmarks.jar \
 *   dev.loupe.bench.ProfileSizes 1000 1000000 10000000
 * </pre>
 */
public final class ProfileSizes {
  private ProfileSizes() {}

  public static void main(String[] args) {
    long[] sizes = args.length == 0 ? new long[] {1_000, 1_000_000, 10_000_000}
        : java.util.Arrays.stream(args).mapToLong(Long::parseLong).toArray();
    System.out.printf("%12s %12s %10s%n", "rows", "bytes", "seconds");
    try (BufferAllocator alloc = new RootAllocator()) {
      for (long total : sizes) {
        long t0 = System.nanoTime();
        ProfileView v = profile(alloc, total);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%12d %12d %10.2f%n", total, v.toBytes().length, secs);
      }
    }
  }

  static ProfileView profile(BufferAllocator alloc, long total) {
    DatasetProfile p = new DatasetProfile();
    int batch = 65_536;
    SplittableRandom r = new SplittableRandom(42);
    byte[][] cats = new byte[20][];
    for (int i = 0; i < 20; i++) {
      cats[i] = ("category-" + i).getBytes(StandardCharsets.UTF_8);
    }
    try (BigIntVector id = new BigIntVector("id", alloc);
         Float8Vector x = new Float8Vector("x", alloc);
         VarCharVector cat = new VarCharVector("category", alloc);
         BigIntVector small = new BigIntVector("small_int", alloc);
         VarCharVector user = new VarCharVector("user", alloc);
         VectorSchemaRoot root = VectorSchemaRoot.of(id, x, cat, small, user)) {
      for (long done = 0; done < total; done += batch) {
        int n = (int) Math.min(batch, total - done);
        root.allocateNew();
        for (int i = 0; i < n; i++) {
          id.setSafe(i, done + i);
          x.setSafe(i, gaussian(r) * 10 + 50);
          cat.setSafe(i, cats[r.nextInt(20)]);
          small.setSafe(i, r.nextInt(100));
          user.setSafe(i, ("user-" + r.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8));
        }
        root.setRowCount(n);
        p.trackDataframe(root);
      }
    }
    return p.view();
  }

  private static double gaussian(SplittableRandom r) {
    double u = r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }
}
