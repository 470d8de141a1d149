package dev.loupe.core.monitor;

import dev.loupe.core.drift.SortedValues;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The numeric distribution of a trailing baseline, per column, without merging sketches: the
 * weighted union of the last {@code capacity} windows' retained sketch items.
 *
 * <p>Why it is the baseline's distribution: the baseline is the mixture of its windows, so with
 * n_i values in window i and N their sum, N F_B(x) = sum_i n_i F_i(x). A KLL sketch's sorted view
 * is its retained items with weights, and n_i F_i(x) is the weight of window i's items at or below
 * x; so N F_B(x) is the total weight of all the windows' items at or below x, which is what this
 * union holds (equal values collapsed into one entry, weights summed). Each window's CDF is within
 * its sketch's rank error eps_i of its sample's empirical CDF, so the union's CDF is within
 * sum_i n_i eps_i / N (the weighted mean of the windows' errors, 0 when every window is exact) of
 * the baseline sample's: never worse than the merged sketch, which adds its own compaction error.
 *
 * <p>Sliding step: one linear walk over the union, the leaving window's items and the arriving
 * window's items (each sorted) writes the next union; no sketch merge, no compaction, no sorted
 * view of a merged sketch. The columns step in parallel. Memory: the union of a column has at most
 * the sum of its windows' retained items (one entry of 16 bytes each, in two buffers), and each
 * window's own sorted values are kept until it leaves (16 bytes an item): for the trailing 24
 * windows of 100-row windows, 2,400 entries a column; at most capacity x ~3k entries a column for
 * windows in estimation mode (KLL k = 1024), about as much as the sketches the two-stack merge of
 * {@link SlidingMerge} used to keep for the same windows.
 *
 * <p>The values {@link #values} returns are valid until the next {@link #add} (buffers are reused).
 */
final class DistributionUnion {
  private final int capacity;
  private final ArrayDeque<Map<String, SortedValues>> windows = new ArrayDeque<>();
  private final Map<String, Column> columns = new HashMap<>();

  DistributionUnion(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a trailing baseline needs at least 1 window, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Adds a window's columns (their sorted values; a column without numeric values may be left out). */
  void add(Map<String, SortedValues> window) {
    windows.addLast(window);
    Map<String, SortedValues> leaving = windows.size() > capacity ? windows.pollFirst() : Map.of();
    TreeSet<String> names = new TreeSet<>(window.keySet());
    names.addAll(leaving.keySet());
    List<Column> cols = new ArrayList<>(names.size());
    for (String name : names) {
      cols.add(columns.computeIfAbsent(name, k -> new Column()));
    }
    List<String> order = new ArrayList<>(names);
    java.util.stream.IntStream.range(0, order.size()).parallel().forEach(i ->
        cols.get(i).step(leaving.get(order.get(i)), window.get(order.get(i))));
    for (int i = 0; i < order.size(); i++) {
      if (cols.get(i).size == 0) {
        columns.remove(order.get(i));
      }
    }
  }

  /** How many windows the union holds. */
  int size() {
    return windows.size();
  }

  /**
   * The baseline's distribution of {@code column}: the union of its windows' items, with the weighted
   * mean of their rank errors; empty when no window has numeric values in it.
   */
  SortedValues values(String column) {
    Column c = columns.get(column);
    if (c == null) {
      return SortedValues.EMPTY;
    }
    long n = c.size == 0 ? 0 : c.cumulative[c.size - 1];
    return new SortedValues(c.values, c.cumulative, c.size, n == 0 ? 0.0 : Math.max(0, c.weightedError / n));
  }

  /** One column's union: distinct values in increasing order with cumulative weights; a spare pair of buffers. */
  private static final class Column {
    double[] values = new double[0];
    long[] cumulative = new long[0];
    int size;
    double[] spareValues = new double[0];
    long[] spareCumulative = new long[0];
    /** The sum of n_i eps_i over the windows in the union (exactly 0 while every window is exact). */
    double weightedError;

    /** This union minus {@code out} (whose items it holds) plus {@code in}; either may be null. */
    void step(SortedValues out, SortedValues in) {
      if (out != null) {
        weightedError -= out.n() * out.rankError();
      }
      if (in != null) {
        weightedError += in.n() * in.rankError();
      }
      int nu = size;
      int no = out == null ? 0 : out.size();
      int ni = in == null ? 0 : in.size();
      if (spareValues.length < nu + ni) {
        int cap = Math.max(nu + ni, spareValues.length + spareValues.length / 2);
        spareValues = new double[cap];
        spareCumulative = new long[cap];
      }
      double[] v = spareValues;
      long[] w = spareCumulative;
      double[] uv = values;
      long[] uc = cumulative;
      int m = 0;
      int i = 0;
      int j = 0;
      int k = 0;
      long doneO = 0; // weight of the leaving window's items passed so far
      long doneI = 0; // and of the arriving window's
      while (i < nu || j < no || k < ni) {
        // the next point where the leaving or the arriving window has items
        double x = Double.POSITIVE_INFINITY;
        boolean event = false;
        if (j < no) {
          x = out.value(j);
          event = true;
        }
        if (k < ni && (!event || in.value(k) < x)) {
          x = in.value(k);
          event = true;
        }
        // the union's entries before it keep their weights: copied, cumulative weights shifted
        long delta = doneI - doneO;
        if (!event) {
          for (; i < nu; i++, m++) {
            v[m] = uv[i];
            w[m] = uc[i] + delta;
          }
          break;
        }
        for (; i < nu && uv[i] < x; i++, m++) {
          v[m] = uv[i];
          w[m] = uc[i] + delta;
        }
        // the point itself (numerically equal values are one point, as in the KS walk): at most one union entry
        long wu = 0;
        if (i < nu && uv[i] <= x) {
          wu = uc[i] - (i == 0 ? 0 : uc[i - 1]);
          i++;
        }
        int j0 = j;
        int k0 = k;
        while (j < no && out.value(j) <= x) {
          j++;
        }
        while (k < ni && in.value(k) <= x) {
          k++;
        }
        if (j == j0 && k == k0) {
          throw new IllegalStateException("a value that is not a number in a sorted view at " + x);
        }
        long wo = j == j0 ? 0 : out.cumulativeWeight(j - 1) - doneO;
        long wi = k == k0 ? 0 : in.cumulativeWeight(k - 1) - doneI;
        doneO += wo;
        doneI += wi;
        long weight = wu - wo + wi;
        if (weight < 0) {
          throw new IllegalStateException("the leaving window's items at " + x + " are not in the union");
        }
        if (weight > 0) {
          v[m] = x;
          w[m] = (m == 0 ? 0 : w[m - 1]) + weight;
          m++;
        }
      }
      spareValues = values;
      spareCumulative = cumulative;
      values = v;
      cumulative = w;
      size = m;
    }
  }
}
