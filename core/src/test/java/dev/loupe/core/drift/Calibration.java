package dev.loupe.core.drift;

import dev.loupe.core.ColumnView;
import dev.loupe.core.metrics.CountsMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.TypesMetric;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * Same-distribution (and shifted) column profiles for the calibration and power runs, built as
 * the tracking path builds them (KLL k = 1024 updated per value; frequent items updated once per
 * distinct value of a chunk with its count; exact boolean counts), then merged chunk by chunk.
 *
 * <p>Sizes up to 100,000 values per side are fresh data for every trial (4 chunks per side above
 * 10,000, merged). From 1,000,000 up, each trial splits a pool of 64 freshly generated chunks of
 * n / 32 values at random into two halves of 32 chunks and merges each half: given the pool, a
 * random split is exactly the null hypothesis at chunk level, and the pool is regenerated every
 * {@link #POOL_REUSE} trials.
 */
final class Calibration {
  static final int POOL_REUSE = 40;
  static final int POOL_CHUNKS = 64;

  private Calibration() {}

  /** One kind of column: {@code chunk} profiles {@code n} values drawn with the given shift. */
  interface Generator {
    String name();

    /**
     * A chunk of {@code n} values. {@code shift}: for numeric generators a location shift in the
     * generator's scale units, for booleans and categories the probability moved onto the first
     * value.
     */
    ColumnView chunk(SplittableRandom r, int n, double shift);
  }

  static ColumnView numeric(double[] values, int n, boolean integral) {
    KllDoublesSketch kll = KllDoublesSketch.newHeapInstance(DistributionMetric.DEFAULT_K);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      kll.update(values[i]);
      sum += values[i];
    }
    double mean = sum / n;
    double m2 = 0;
    for (int i = 0; i < n; i++) {
      m2 += (values[i] - mean) * (values[i] - mean);
    }
    TypesMetric types = integral ? new TypesMetric(n, 0, 0, 0, 0, 0) : new TypesMetric(0, n, 0, 0, 0, 0);
    return ColumnView.of(List.of(new CountsMetric(n, 0, 0, 0, 0), types, DistributionMetric.of(kll, mean, m2)));
  }

  static final Generator NORMAL = new Generator() {
    public String name() {
      return "normal (continuous)";
    }

    public ColumnView chunk(SplittableRandom r, int n, double shift) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = r.nextGaussian() + shift;
      }
      return numeric(v, n, false);
    }
  };

  static final Generator CAUCHY = new Generator() {
    public String name() {
      return "Cauchy (heavy-tailed)";
    }

    public ColumnView chunk(SplittableRandom r, int n, double shift) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = Math.tan(Math.PI * (r.nextDouble() - 0.5)) + shift;
      }
      return numeric(v, n, false);
    }
  };

  /** Geometric with mean 3: a dozen values carry almost all the mass, so nearly every value is a tie. */
  static final Generator GEOMETRIC = new Generator() {
    public String name() {
      return "geometric integers (ties)";
    }

    public ColumnView chunk(SplittableRandom r, int n, double shift) {
      double[] v = new double[n];
      double log = Math.log(0.75);
      for (int i = 0; i < n; i++) {
        v[i] = Math.floor(Math.log(1 - r.nextDouble()) / log) + Math.round(shift);
      }
      return numeric(v, n, true);
    }
  };

  static final Generator BOOLEAN = new Generator() {
    public String name() {
      return "boolean (p = 0.3)";
    }

    public ColumnView chunk(SplittableRandom r, int n, double shift) {
      double p = 0.3 + shift;
      long trues = 0;
      for (int i = 0; i < n; i++) {
        if (r.nextDouble() < p) {
          trues++;
        }
      }
      return ColumnView.of(List.of(new CountsMetric(n, 0, 0, 0, trues), new TypesMetric(0, 0, n, 0, 0, 0)));
    }
  };

  /** {@code k} categories with Zipf weights 1 / (i + 1). */
  static Generator categorical(int k) {
    String[] names = new String[k];
    double[] cum = new double[k];
    double total = 0;
    for (int i = 0; i < k; i++) {
      names[i] = "c" + i;
      total += 1.0 / (i + 1);
      cum[i] = total;
    }
    for (int i = 0; i < k; i++) {
      cum[i] /= total;
    }
    return new Generator() {
      public String name() {
        return "categorical, " + k + " Zipf categories";
      }

      public ColumnView chunk(SplittableRandom r, int n, double shift) {
        long[] counts = new long[k];
        for (int i = 0; i < n; i++) {
          double u = r.nextDouble();
          if (u < shift) {
            counts[0]++;
            continue;
          }
          int j = java.util.Arrays.binarySearch(cum, (u - shift) / (1 - shift));
          counts[Math.min(k - 1, j < 0 ? -j - 1 : j)]++;
        }
        ItemsSketch<String> fi = new ItemsSketch<>(1 << FrequentItemsMetric.DEFAULT_LG_MAX_MAP_SIZE);
        for (int j = 0; j < k; j++) {
          if (counts[j] > 0) {
            fi.update(names[j], counts[j]);
          }
        }
        return ColumnView.of(List.of(new CountsMetric(n, 0, 0, 0, 0), new TypesMetric(0, 0, 0, n, 0, 0),
            FrequentItemsMetric.of(fi, FrequentItemsMetric.DEFAULT_LG_MAX_MAP_SIZE)));
      }
    };
  }

  static List<Generator> all() {
    return List.of(NORMAL, CAUCHY, GEOMETRIC, categorical(5), categorical(300), categorical(5000), BOOLEAN);
  }

  /** A side of n values: one chunk up to 10,000, else 4 merged chunks. */
  static ColumnView side(Generator g, SplittableRandom r, int n, double shift) {
    if (n <= 10_000) {
      return g.chunk(r, n, shift);
    }
    ColumnView v = g.chunk(r, n / 4, shift);
    for (int i = 1; i < 4; i++) {
      v = v.merge(g.chunk(r, n / 4, shift));
    }
    return v;
  }

  /** The results of {@code trials} comparisons of two sides of {@code n} values, reference unshifted. */
  static List<ColumnDrift> run(Generator g, int n, int trials, long seed, double shift, DriftOptions o) {
    SplittableRandom r = new SplittableRandom(seed);
    List<ColumnDrift> out = new ArrayList<>();
    if (n <= 100_000) {
      for (int t = 0; t < trials; t++) {
        ColumnView a = side(g, r, n, 0);
        ColumnView b = side(g, r, n, shift);
        out.add(Drift.compareColumn("x", Optional.of(a), Optional.of(b), o));
      }
      return out;
    }
    int half = POOL_CHUNKS / 2;
    int chunk = n / half;
    ColumnView[] refPool = new ColumnView[POOL_CHUNKS];
    ColumnView[] tgtPool = new ColumnView[POOL_CHUNKS];
    for (int t = 0; t < trials; t++) {
      if (t % POOL_REUSE == 0) {
        for (int i = 0; i < POOL_CHUNKS; i++) {
          refPool[i] = g.chunk(r, chunk, 0);
          // same distribution: one pool split in two; a shift: a second pool for the target
          tgtPool[i] = shift == 0 ? refPool[i] : g.chunk(r, chunk, shift);
        }
      }
      int[] perm = new int[POOL_CHUNKS];
      for (int i = 0; i < POOL_CHUNKS; i++) {
        perm[i] = i;
      }
      for (int i = POOL_CHUNKS - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int x = perm[i];
        perm[i] = perm[j];
        perm[j] = x;
      }
      ColumnView a = refPool[perm[0]];
      ColumnView b = tgtPool[perm[half]];
      for (int i = 1; i < half; i++) {
        a = a.merge(refPool[perm[i]]);
        b = b.merge(tgtPool[perm[half + i]]);
      }
      out.add(Drift.compareColumn("x", Optional.of(a), Optional.of(b), o));
    }
    return out;
  }

  static double rate(List<ColumnDrift> results, DriftCategory category) {
    return (double) results.stream().filter(c -> c.category() == category).count() / results.size();
  }
}
