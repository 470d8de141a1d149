package dev.loupe.bench;

import dev.loupe.core.DatasetProfile;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The longest single {@code appendLongs} call and the time of a view, for integer columns of
 * several cardinalities fed in 1,000-row calls (what a server request hands core per column). The
 * mean call cost says what throughput is; the longest call says what one request (or one
 * {@code GET /profiles}, a view under the stripe's lock) can wait for: a column whose values are
 * counted fewer than 1,024 times between drains replays its pending rows into KLL one by one at a
 * drain (up to 1,048,576 of them). Calls after the first 500 (warm-up) count; each cardinality runs
 * three rounds on a fresh profile, all rounds printed.
 *
 * <pre>java -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.AppendPause 10 2000 3500 100000</pre>
 */
public final class AppendPause {
  private AppendPause() {}

  public static void main(String[] args) {
    int calls = 5000;
    for (String a : args) {
      int card = Integer.parseInt(a);
      for (int round = 0; round < 3; round++) {
        DatasetProfile p = new DatasetProfile();
        SplittableRandom r = new SplittableRandom(3 + round);
        long[] v = new long[1000];
        long worst = 0;
        long total = 0;
        for (int c = 0; c < calls; c++) {
          for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(card);
          }
          long s = System.nanoTime();
          p.column("x").appendLongs(v, 0, v.length);
          long e = System.nanoTime() - s;
          total += e;
          if (c >= 500) {
            worst = Math.max(worst, e);
          }
        }
        long s = System.nanoTime();
        p.view();
        long view = System.nanoTime() - s;
        System.out.printf(Locale.ROOT, "distinct %7d round %d: mean call %7.1f us, longest call %6.1f ms, view %6.1f ms%n",
            card, round, total / (double) calls / 1e3, worst / 1e6, view / 1e6);
      }
    }
  }
}
