package dev.loupe.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import dev.loupe.core.drift.Drift;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The trailing baseline's category counts as sums of its windows' counts and bounds: the sliding
 * sums equal the sums from scratch; with exact windows they are the merged sketch's exact counts;
 * with windows in estimation mode the bounds hold the true counts.
 */
class CategoryUnionTest {
  @Test
  void slidingSumsEqualTheSumsFromScratch() {
    qt().withExamples(Integer.getInteger("loupe.props.cases", 300)).forAll(integers().between(1, 6),
        lists().of(lists().of(integers().between(0, 199)).ofSizeBetween(0, 10)).ofSizeBetween(0, 30))
        .checkAssert((capacity, windows) -> {
          CategoryUnion union = new CategoryUnion(capacity);
          ArrayDeque<Map<String, Drift.Counts>> kept = new ArrayDeque<>();
          for (int w = 0; w < windows.size(); w++) {
            Map<String, Drift.Counts> window = new HashMap<>();
            window.put("s", counts(windows.get(w), w % 3));
            if (windows.get(w).size() % 2 == 0) { // "t" comes and goes
              window.put("t", counts(windows.get(w).subList(0, windows.get(w).size() / 2), 0));
            }
            union.add(window);
            kept.addLast(window);
            if (kept.size() > capacity) {
              kept.pollFirst();
            }
            assertEquals(kept.size(), union.size());
            for (String column : List.of("s", "t", "absent")) {
              Drift.Counts expected = fromScratch(kept, column);
              Drift.Counts actual = union.counts(column);
              assertEquals(expected.n(), actual.n(), "window " + w + " " + column);
              assertEquals(expected.maxError(), actual.maxError(), "window " + w + " " + column);
              assertEquals(new TreeMap<>(expected.items()), new TreeMap<>(actual.items()), "window " + w + " " + column);
            }
          }
        });
  }

  @Test
  void withExactWindowsTheCountsAreTheMergedSketchsCounts() {
    Random r = new Random(3);
    int capacity = 5;
    CategoryUnion union = new CategoryUnion(capacity);
    ArrayDeque<ProfileView> kept = new ArrayDeque<>();
    for (int w = 0; w < 30; w++) {
      DatasetProfile p = new DatasetProfile();
      int categories = 2 + r.nextInt(60);
      for (int i = 0; i < 50 + r.nextInt(300); i++) {
        p.track(Map.of("s", "c" + Math.min(categories, (int) Math.abs(r.nextGaussian() * categories / 3))));
      }
      ProfileView v = p.view();
      union.add(Map.of("s", Drift.frequentCounts(v.column("s").orElseThrow())));
      kept.addLast(v);
      if (kept.size() > capacity) {
        kept.pollFirst();
      }
      ProfileView merged = ProfileView.empty();
      for (ProfileView k : kept) {
        merged = merged.merge(k);
      }
      Drift.Counts expected = Drift.frequentCounts(merged.column("s").orElseThrow());
      Drift.Counts actual = union.counts("s");
      assertEquals(0, expected.maxError(), "the merged sketch is exact");
      assertEquals(expected.n(), actual.n());
      assertEquals(0, actual.maxError());
      assertEquals(new TreeMap<>(expected.items()), new TreeMap<>(actual.items()), "window " + w);
    }
  }

  @Test
  void withWindowsInEstimationModeTheBoundsHoldTheTrueCounts() {
    Random r = new Random(4);
    int capacity = 4;
    CategoryUnion union = new CategoryUnion(capacity);
    ArrayDeque<Map<String, Long>> truth = new ArrayDeque<>();
    for (int w = 0; w < 8; w++) {
      DatasetProfile p = new DatasetProfile();
      Map<String, Long> counts = new HashMap<>();
      for (int i = 0; i < 20_000; i++) {
        // a few heavy categories and a long tail of thousands: past the sketch's exact range
        String s = r.nextInt(3) == 0 ? "h" + r.nextInt(5) : "t" + r.nextInt(4_000);
        p.track(Map.of("s", s));
        counts.merge(s, 1L, Long::sum);
      }
      Drift.Counts window = Drift.frequentCounts(p.view().column("s").orElseThrow());
      assertTrue(window.maxError() > 0, "window " + w + " is in estimation mode");
      union.add(Map.of("s", window));
      truth.addLast(counts);
      if (truth.size() > capacity) {
        truth.pollFirst();
      }
      Map<String, Long> total = new HashMap<>();
      truth.forEach(m -> m.forEach((k, c) -> total.merge(k, c, Long::sum)));
      Drift.Counts u = union.counts("s");
      assertEquals(total.values().stream().mapToLong(Long::longValue).sum(), u.n());
      for (Map.Entry<String, Long> e : total.entrySet()) {
        Drift.Count c = u.items().get(e.getKey());
        long lower = c == null ? 0 : c.lower();
        long upper = c == null ? u.maxError() : c.upper();
        assertTrue(lower <= e.getValue() && e.getValue() <= upper,
            e.getKey() + ": " + e.getValue() + " not in [" + lower + ", " + upper + "]");
      }
      for (int h = 0; h < 5; h++) {
        assertTrue(u.items().containsKey("h" + h), "heavy category h" + h + " listed");
      }
    }
  }

  /** Items i: category "k" + (i % 20), est 1 + i / 20, lower est - extra, upper est; extra = the window's maximum error. */
  private static Drift.Counts counts(List<Integer> items, int extra) {
    Map<String, Drift.Count> out = new HashMap<>();
    long n = 0;
    for (int i : items) {
      long est = 1 + i / 20;
      out.put("k" + (i % 20), new Drift.Count(est, Math.max(0, est - extra), est));
    }
    for (Drift.Count c : out.values()) {
      n += c.est();
    }
    return new Drift.Counts(out, n + extra, extra);
  }

  private static Drift.Counts fromScratch(ArrayDeque<Map<String, Drift.Counts>> kept, String column) {
    TreeSet<String> cats = new TreeSet<>();
    long n = 0;
    long maxError = 0;
    for (Map<String, Drift.Counts> w : kept) {
      Drift.Counts c = w.get(column);
      if (c != null) {
        cats.addAll(c.items().keySet());
        n += c.n();
        maxError += c.maxError();
      }
    }
    Map<String, Drift.Count> out = new HashMap<>();
    for (String cat : cats) {
      long est = 0;
      long lower = 0;
      long upper = 0;
      for (Map<String, Drift.Counts> w : kept) {
        Drift.Counts c = w.get(column);
        if (c == null) {
          continue;
        }
        Drift.Count x = c.items().get(cat);
        if (x != null) {
          est += x.est();
          lower += x.lower();
          upper += x.upper();
        } else {
          upper += c.maxError();
        }
      }
      out.put(cat, new Drift.Count(est, lower, upper));
    }
    return new Drift.Counts(out, n, maxError);
  }
}
