package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

/**
 * Review of the deferred (weighted) KLL updates of integers and of the UTF-8 direct path: every exact
 * part of a column (counts, types, ints, KLL n/min/max, mean) against an exact computation, on mixed
 * columns (heavy and rare integers, 64-bit extremes, negatives, doubles, NaN, infinities, strings,
 * nulls, times), with views taken in the middle, merges and a write/read round trip; and the two UTF-8
 * entries (Arrow vector, byte cells) byte for byte at the direct path's boundary counts.
 */
class DeferredUpdatesReviewTest {

  /** The exact state of one column, kept beside the profile. */
  static final class Exact {
    long n;
    long nulls;
    long nan;
    long inf;
    long integral;
    long fractional;
    long strings;
    long intMin = Long.MAX_VALUE;
    long intMax = Long.MIN_VALUE;
    double numMin = Double.POSITIVE_INFINITY;
    double numMax = Double.NEGATIVE_INFINITY;
    BigDecimal sum = BigDecimal.ZERO;
    boolean anyInf;
    final List<Double> numbers = new ArrayList<>();
    final Map<Long, Long> intCounts = new HashMap<>();
    final Set<String> distinct = new HashSet<>();
    /** The same values hashed straight into an HLL of the profile's size: the same registers, whatever the order. */
    final org.apache.datasketches.hll.HllSketch hll = new org.apache.datasketches.hll.HllSketch(12);

    void addLong(long v) {
      n++;
      integral++;
      intMin = Math.min(intMin, v);
      intMax = Math.max(intMax, v);
      num(v);
      sum = sum.add(BigDecimal.valueOf(v));
      intCounts.merge(v, 1L, Long::sum);
      distinct.add("L" + v);
      hll.update(v);
    }

    void addDouble(double v) {
      n++;
      if (Double.isNaN(v)) {
        nulls++;
        nan++;
        return;
      }
      fractional++;
      if (Double.isInfinite(v)) {
        inf++;
        anyInf = true;
      } else {
        sum = sum.add(new BigDecimal(v));
      }
      num(v);
      distinct.add("D" + (v == 0 ? 0.0 : v));
      hll.update(v);
    }

    private void num(double v) {
      numMin = Math.min(numMin, v);
      numMax = Math.max(numMax, v);
      numbers.add(v);
    }

    void addString(String s) {
      n++;
      strings++;
      distinct.add("S" + s);
      hll.update(s);
    }

    void addNull() {
      n++;
      nulls++;
    }
  }

  @Test
  void mixedIntegerColumnsKeepEveryExactPartThroughViewsMergesAndFiles() throws Exception {
    for (int trial = 0; trial < 12; trial++) {
      SplittableRandom r = new SplittableRandom(7_000 + trial);
      int rows = trial % 3 == 0 ? 1_300_000 : r.nextInt(1, 200_000);
      int split = r.nextInt(rows + 1);
      DatasetProfile whole = new DatasetProfile(ProfileProperties.EMPTY);
      DatasetProfile viewed = new DatasetProfile(ProfileProperties.EMPTY);
      DatasetProfile first = new DatasetProfile(ProfileProperties.EMPTY);
      DatasetProfile second = new DatasetProfile(ProfileProperties.EMPTY);
      Exact x = new Exact();
      Exact t = new Exact();
      boolean mixed = trial % 2 == 1;
      long[] heavy = {0, -1, 7, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, -123_456_789_012L, 1L << 53, (1L << 53) + 1};
      for (int i = 0; i < rows; i++) {
        DatasetProfile half = i < split ? first : second;
        int k = r.nextInt(100);
        List<DatasetProfile> targets = List.of(whole, viewed, half);
        if (k < 60) {
          long v = heavy[r.nextInt(heavy.length)];
          targets.forEach(p -> p.column("x").appendLong(v));
          x.addLong(v);
        } else if (k < 80 || !mixed) {
          long v = r.nextLong(-5_000_000, 5_000_000);
          targets.forEach(p -> p.column("x").appendLong(v));
          x.addLong(v);
        } else if (k < 88) {
          double v = r.nextInt(20) == 0 ? Double.NaN : r.nextDouble(-1e6, 1e6);
          targets.forEach(p -> p.column("x").appendDouble(v));
          x.addDouble(v);
        } else if (k < 90) {
          double v = r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
          targets.forEach(p -> p.column("x").appendDouble(v));
          x.addDouble(v);
        } else if (k < 95) {
          String s = "s" + r.nextInt(50);
          targets.forEach(p -> p.column("x").appendString(s));
          x.addString(s);
        } else {
          targets.forEach(p -> p.column("x").appendNull());
          x.addNull();
        }
        // a time column: a few hundred instants, some counted thousands of times
        if (i % 3 == 0) {
          long ms = 1_700_000_000_000L + 60_000L * (r.nextInt(10) < 8 ? r.nextInt(20) : r.nextInt(400));
          targets.forEach(p -> p.column("t").appendEpochMillis(ms));
          t.addLong(ms);
        }
        if (r.nextInt(rows) < 3) {
          ProfileView mid = viewed.view();
          check(mid.column("x").orElseThrow(), x, "trial " + trial + ", x viewed at row " + i);
          check(mid.column("t").orElseThrow(), t, "trial " + trial + ", t viewed at row " + i);
        }
      }
      String what = "trial " + trial + " (" + rows + " rows)";
      ProfileView w = whole.view();
      ProfileView v = viewed.view();
      ProfileView m = first.view().merge(second.view());
      ProfileView back = ProfileView.read(w.toBytes(), "review");
      for (ProfileView p : List.of(w, v, m, back)) {
        check(p.column("x").orElseThrow(), x, what + " x");
        if (t.n > 0) {
          check(p.column("t").orElseThrow(), t, what + " t");
          assertTrue(p.isTime("t"), what);
        }
      }
      // (the file's bytes are not stable over a read for every column, before this change too: a
      // doubles-only column of nine values shows it; the metrics read back are equal)
      assertEquals(w.column("x").orElseThrow(), back.column("x").orElseThrow(), what);
      assertEquals(w.column("t").orElseThrow(), back.column("t").orElseThrow(), what);
    }
  }

  static void check(ColumnView c, Exact e, String what) {
    assertEquals(e.n, c.counts().n(), what + ": n");
    assertEquals(e.nulls, c.counts().nulls(), what + ": nulls");
    assertEquals(e.nan, c.counts().nan(), what + ": nan");
    assertEquals(e.inf, c.counts().inf(), what + ": inf");
    assertEquals(e.integral, c.types().integral(), what + ": integral");
    assertEquals(e.fractional, c.types().fractional(), what + ": fractional");
    assertEquals(e.strings, c.types().string(), what + ": strings");
    if (e.integral > 0) {
      assertEquals(e.intMin, c.ints().orElseThrow().min().getAsLong(), what + ": ints min");
      assertEquals(e.intMax, c.ints().orElseThrow().max().getAsLong(), what + ": ints max");
    }
    if (e.numbers.isEmpty()) {
      return;
    }
    DistributionMetric d = c.distribution().orElseThrow();
    KllDoublesSketch kll = d.sketchCopy();
    assertEquals(e.integral + e.fractional, kll.getN(), what + ": KLL n");
    assertEquals(e.numMin, kll.getMinItem(), what + ": KLL min");
    assertEquals(e.numMax, kll.getMaxItem(), what + ": KLL max");
    if (!e.anyInf) {
      double exact = e.sum.divide(BigDecimal.valueOf(e.integral + e.fractional), MathContext.DECIMAL64).doubleValue();
      double scale = Math.max(Math.abs(e.numMin), Math.abs(e.numMax));
      assertEquals(exact, d.mean().getAsDouble(), scale * 1e-9, what + ": mean");
    }
    // every distinct number's rank against the exact rank, within twice the single-query bound
    double[] sorted = e.numbers.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double eps = kll.getNormalizedRankError(false);
    double worst = 0;
    for (int i = 0; i < sorted.length; ) {
      int j = i;
      while (j < sorted.length && sorted[j] == sorted[i]) {
        j++;
      }
      worst = Math.max(worst, Math.abs(kll.getRank(sorted[i]) - (double) j / sorted.length));
      i = j;
    }
    assertTrue(worst <= 2 * eps, what + ": rank error " + worst + " > 2 * " + eps);
    // frequent integers within their bounds; distinct count within 3 standard deviations
    FrequentItemsMetric fi = c.frequentItems().orElseThrow();
    for (Map.Entry<Long, Long> h : new TreeMap<>(e.intCounts).entrySet()) {
      if (h.getValue() > e.n / 50) {
        String item = FrequentItemsMetric.itemOf(h.getKey());
        assertTrue(fi.lowerBound(item) <= h.getValue() && h.getValue() <= fi.upperBound(item),
            what + ": frequent " + h.getKey() + " " + fi.lowerBound(item) + " <= " + h.getValue() + " <= "
                + fi.upperBound(item));
      }
    }
    var card = c.cardinality().orElseThrow();
    int exactDistinct = e.distinct.size();
    assertEquals(e.hll.getCompositeEstimate(), card.compositeEstimate(), what + ": the registers of every value");
    // and the estimate within five relative standard errors (1.04 / sqrt(4096)) of the exact count
    assertEquals(exactDistinct, card.compositeEstimate(), exactDistinct * 5 * 1.04 / 64, what + ": distinct");
  }

  /**
   * Chunks of exactly 1,024 values with 64 repeats (the most that still sends the next chunks past the
   * table) and with 65 repeats (the least that does not), nulls around them, empty, long (> 256 bytes)
   * and non-ASCII strings: the Arrow vector and the byte cells give the same bytes, and the counts,
   * the frequent items' bounds and the distinct count hold against the exact ones.
   */
  @Test
  void utf8EntriesAgreeAtTheDirectPathsBoundaries() {
    SplittableRandom r = new SplittableRandom(99);
    try (BufferAllocator alloc = new RootAllocator()) {
      for (int repeats : new int[] {0, 63, 64, 65, 66, 200}) {
        DatasetProfile arrow = new DatasetProfile(ProfileProperties.EMPTY);
        DatasetProfile cells = new DatasetProfile(ProfileProperties.EMPTY);
        Map<String, Long> exact = new HashMap<>();
        long n = 0;
        long nulls = 0;
        int id = 0;
        boolean wentDirect = false;
        ColumnTracker probe = new ColumnTracker(ColumnKind.STRING);
        for (int call = 0; call < 40; call++) {
          int values = call % 4 == 0 ? 1024 : call % 4 == 1 ? 1023 : call % 4 == 2 ? 1024 + r.nextInt(3) : r.nextInt(1, 9000);
          int nullCount = call % 5 == 0 ? 0 : r.nextInt(30);
          int rows = values + nullCount;
          boolean[] isNull = new boolean[rows];
          for (int q = 0; q < nullCount; ) {
            int p = r.nextInt(rows);
            if (!isNull[p]) {
              isNull[p] = true;
              q++;
            }
          }
          List<byte[]> vals = new ArrayList<>();
          int rep = (int) Math.min(repeats, values - 1L);
          for (int i = 0; i < values; i++) {
            String s;
            if (i >= values - rep) {
              s = new String(vals.get(r.nextInt(values - rep)), StandardCharsets.UTF_8); // a repeat of this call's values
            } else {
              int kind = (id++) % 7;
              s = kind == 0 ? "" + id : kind == 1 ? "é日本-" + id : kind == 2 ? "x".repeat(300) + id
                  : kind == 3 ? "😀" + id : "id" + id;
            }
            vals.add(s.getBytes(StandardCharsets.UTF_8));
          }
          // one empty string per call at most, as one of the values
          if (call % 3 == 0) {
            vals.set(0, new byte[0]);
          }
          java.util.Collections.shuffle(vals, new java.util.Random(call));
          byte[] buf = new byte[vals.stream().mapToInt(b -> b.length).sum()];
          int[] starts = new int[rows];
          int[] ends = new int[rows];
          int at = 0;
          int vi = 0;
          try (VarCharVector v = new VarCharVector("s", alloc)) {
            v.allocateNew();
            for (int i = 0; i < rows; i++) {
              n++;
              if (isNull[i]) {
                starts[i] = -1;
                nulls++;
                continue;
              }
              byte[] b = vals.get(vi++);
              v.setSafe(i, b);
              System.arraycopy(b, 0, buf, at, b.length);
              starts[i] = at;
              ends[i] = at + b.length;
              at += b.length;
              exact.merge(new String(b, StandardCharsets.UTF_8), 1L, Long::sum);
            }
            v.setValueCount(rows);
            arrow.trackColumn("s", v, rows, null);
            cells.column("s", ColumnKind.STRING).appendUtf8(buf, starts, ends, 0, rows);
          }
          boolean before = probe.utf8Direct();
          ArrowColumns.utf8Cells(probe, buf, starts, ends, 0, rows);
          wentDirect |= probe.utf8Direct();
          if (!before && values == 1024) {
            // one chunk of exactly 1,024 values: direct after it exactly when at most 64 of them repeat
            assertEquals(rep <= 64, probe.utf8Direct(), repeats + " repeats, call " + call);
          }
          if (call % 7 == 6) {
            assertArrayEquals(arrow.view().toBytes(), cells.view().toBytes(), repeats + " repeats, call " + call);
          }
        }
        assertTrue(repeats > 64 || wentDirect, repeats + " repeats");
        ProfileView a = arrow.view();
        ProfileView b = cells.view();
        assertArrayEquals(a.toBytes(), b.toBytes(), repeats + " repeats");
        ColumnView c = b.column("s").orElseThrow();
        assertEquals(c, probe.view(), repeats + " repeats: the tracker fed the same cells");
        assertEquals(n, c.counts().n());
        assertEquals(nulls, c.counts().nulls());
        assertEquals(n - nulls, c.types().string());
        FrequentItemsMetric fi = c.frequentItems().orElseThrow();
        assertEquals(n - nulls, fi.streamLength());
        for (Map.Entry<String, Long> e : exact.entrySet()) {
          String item = FrequentItemsMetric.itemOf(e.getKey());
          if (!item.equals(e.getKey())) {
            continue; // truncated: several values share the item
          }
          assertTrue(fi.lowerBound(item) <= e.getValue() && e.getValue() <= fi.upperBound(item), e.getKey());
        }
        long distinct = exact.keySet().stream().filter(s -> !s.isEmpty()).count(); // HLL skips ""
        var card = c.cardinality().orElseThrow();
        assertTrue(card.lowerBound(3) <= distinct && distinct <= card.upperBound(3),
            repeats + ": " + card.lowerBound(3) + " <= " + distinct + " <= " + card.upperBound(3));
      }
    }
  }

  /**
   * A column goes direct after a chunk of new values; the next batch is empty strings only, in an
   * Arrow vector with no data bytes at all: each counts as a string, the frequent item "" holds them.
   */
  @Test
  void emptyStringsWithNoDataBufferAfterTheColumnWentDirect() {
    try (BufferAllocator alloc = new RootAllocator()) {
      DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY);
      int unique = 8192;
      try (VarCharVector v = new VarCharVector("s", alloc)) {
        v.allocateNew();
        for (int i = 0; i < unique; i++) {
          v.setSafe(i, ("u" + i).getBytes(StandardCharsets.UTF_8));
        }
        v.setValueCount(unique);
        p.trackColumn("s", v, unique, null);
      }
      int empties = 3000;
      try (VarCharVector v = new VarCharVector("s", alloc)) {
        v.allocateNew(0, empties);
        for (int i = 0; i < empties; i++) {
          v.setIndexDefined(i);
          v.getOffsetBuffer().setInt((long) (i + 1) * 4, 0);
        }
        v.setValueCount(empties);
        assertEquals(0, v.getDataBuffer().capacity(), "no data bytes");
        p.trackColumn("s", v, empties, null);
      }
      ColumnView c = p.view().column("s").orElseThrow();
      assertEquals(unique + empties, c.counts().n());
      assertEquals(unique + empties, c.types().string());
      FrequentItemsMetric fi = c.frequentItems().orElseThrow();
      assertTrue(fi.lowerBound("") <= empties && empties <= fi.upperBound(""), fi.lowerBound("") + " " + fi.upperBound(""));
    }
  }
}
