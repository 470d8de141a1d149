package dev.loupe.core.logging.internal;

import dev.loupe.core.ColumnAppender;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Runs a checkpoint's work (taking each stripe's view, merging the views, writing the merge as
 * whylogs bytes) on made-up stripes of every column kind, so that the JIT compiles it before a
 * server's first checkpoints need it. A checkpoint runs every 30 s, so on its own that code stays
 * interpreted or half-compiled for the first 5-10 minutes of a server's life: there one
 * checkpoint's merge took 37-103 ms of CPU, against 6-12 ms once compiled, and on 2 cores that
 * CPU is taken from the requests in flight (docs/benchmarks.md, "Server ingest"). The values are
 * drawn so that every sketch reaches the forms real traffic gives it (several KLL levels, a dense
 * HLL, frequent-items purges), which keeps the compiled code from being thrown away at the first
 * real checkpoint.
 */
public final class MergeWarmUp {
  /** Rows in each made-up stripe: enough for several KLL levels and a dense HLL. */
  static final int ROWS = 20_480;

  private MergeWarmUp() {}

  /**
   * {@code rounds} times: the views of {@code stripes} made-up stripes merged and written as bytes,
   * ending early once {@code stop} says so (checked between rounds). Returns the last merge (for
   * tests: each column counts {@code stripes * ROWS} values), or null if stopped before the first.
   */
  public static ProfileView run(int stripes, int rounds, BooleanSupplier stop) {
    List<DatasetProfile> profiles = new ArrayList<>();
    for (int s = 0; s < stripes; s++) {
      profiles.add(stripe(new SplittableRandom(31L * s + 7)));
    }
    ProfileView merged = null;
    for (int r = 0; r < rounds && !stop.getAsBoolean(); r++) {
      merged = ProfileView.empty();
      for (DatasetProfile p : profiles) {
        merged = merged.merge(p.view());
      }
      if (merged.toBytes().length == 0) {
        throw new IllegalStateException("a merged profile wrote no bytes"); // keeps the write from being dropped
      }
    }
    return merged;
  }

  private static DatasetProfile stripe(SplittableRandom rnd) {
    DatasetProfile p = new DatasetProfile();
    ColumnAppender small = p.column("small_int");
    ColumnAppender wide = p.column("wide_int");
    ColumnAppender real = p.column("real");
    ColumnAppender odd = p.column("odd_real");
    ColumnAppender few = p.column("few_strings");
    ColumnAppender many = p.column("many_strings");
    ColumnAppender flag = p.column("flag");
    ColumnAppender time = p.column("time");
    ColumnAppender mixed = p.column("mixed");
    long[] longs = new long[256];
    double[] doubles = new double[256];
    for (int done = 0; done < ROWS; done += longs.length) {
      for (int i = 0; i < longs.length; i++) {
        longs[i] = rnd.nextInt(1000);
      }
      small.appendLongs(longs, 0, longs.length);
      for (int i = 0; i < longs.length; i++) {
        longs[i] = rnd.nextLong();
      }
      wide.appendLongs(longs, 0, longs.length);
      for (int i = 0; i < doubles.length; i++) {
        doubles[i] = rnd.nextGaussian() * 1e3;
      }
      real.appendDoubles(doubles, 0, doubles.length);
      for (int i = 0; i < longs.length; i++) {
        int k = rnd.nextInt(100);
        odd.appendDouble(k == 0 ? Double.NaN : k == 1 ? Double.POSITIVE_INFINITY : rnd.nextDouble() - 0.5);
        few.appendString("level-" + rnd.nextInt(20));
        many.appendString("user-" + rnd.nextInt(1_000_000));
        flag.appendBoolean(rnd.nextBoolean());
        time.appendEpochMillis(1_700_000_000_000L + rnd.nextInt(86_400_000));
        switch (k % 5) {
          case 0 -> mixed.appendNull();
          case 1 -> mixed.appendLong(k);
          case 2 -> mixed.appendDouble(k / 3.0);
          case 3 -> mixed.appendString("m" + k);
          default -> mixed.appendObjects(1);
        }
      }
    }
    return p;
  }
}
