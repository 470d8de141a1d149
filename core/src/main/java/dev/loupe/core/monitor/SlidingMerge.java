package dev.loupe.core.monitor;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.CountsMetric;
import dev.loupe.core.metrics.TypesMetric;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trailing baseline's counts and types: what the merge of the last {@code capacity} window
 * profiles holds of them, kept up to date as windows arrive. Counts and types are sums, so each
 * column keeps running sums (the entering window added, the leaving one subtracted) and the number
 * of windows that have it (a column is in the baseline while one of its windows is). The profiles'
 * properties (metadata such as time-column markers) are not sums: they go through the two-stack
 * queue for monoids (new windows on a back stack with their running merge; when the oldest must
 * leave, the back stack turns into a front stack of suffix merges), with no columns in them. The
 * distributions and categories are the {@link DistributionUnion} and {@link CategoryUnion}.
 */
final class SlidingMerge {
  private static final int COUNTS = 5; // n, nulls, nan, inf, trueCount; then the six types

  private final int capacity;
  private final ArrayDeque<ProfileView> windows = new ArrayDeque<>();
  private final Map<String, long[]> sums = new HashMap<>();
  private final Map<String, Integer> present = new HashMap<>();
  private final ArrayDeque<ProfileView> back = new ArrayDeque<>();
  private ProfileView backMerged = ProfileView.empty();
  private final ArrayDeque<ProfileView> front = new ArrayDeque<>(); // suffix merges, oldest's on top
  private final ArrayDeque<Instant> starts = new ArrayDeque<>();

  SlidingMerge(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a trailing baseline needs at least 1 window, got " + capacity);
    }
    this.capacity = capacity;
  }

  void add(Instant start, ProfileView v) {
    windows.addLast(v);
    v.columns().forEach((name, c) -> {
      apply(sums.computeIfAbsent(name, k -> new long[COUNTS + 6]), c, 1);
      present.merge(name, 1, Integer::sum);
    });
    ProfileView props = ProfileView.of(v.properties(), Map.of());
    back.addLast(props);
    backMerged = backMerged.merge(props);
    starts.addLast(start);
    if (starts.size() > capacity) {
      windows.pollFirst().columns().forEach((name, c) -> {
        apply(sums.get(name), c, -1);
        if (present.merge(name, -1, Integer::sum) == 0) {
          present.remove(name);
          sums.remove(name);
        }
      });
      if (front.isEmpty()) {
        ProfileView suffix = ProfileView.empty();
        while (!back.isEmpty()) {
          suffix = back.pollLast().merge(suffix);
          front.push(suffix);
        }
        backMerged = ProfileView.empty();
      }
      front.pop();
      starts.pollFirst();
    }
  }

  private static void apply(long[] s, ColumnView c, int sign) {
    CountsMetric k = c.counts();
    TypesMetric t = c.types();
    s[0] += sign * k.n();
    s[1] += sign * k.nulls();
    s[2] += sign * k.nan();
    s[3] += sign * k.inf();
    s[4] += sign * k.trueCount();
    s[5] += sign * t.integral();
    s[6] += sign * t.fractional();
    s[7] += sign * t.bool();
    s[8] += sign * t.string();
    s[9] += sign * t.object();
    s[10] += sign * t.tensor();
  }

  int size() {
    return starts.size();
  }

  Instant first() {
    return starts.peekFirst();
  }

  Instant last() {
    return starts.peekLast();
  }

  /** The baseline: the windows' merged properties, and per column its summed counts and types. */
  ProfileView merged() {
    ProfileView props = front.isEmpty() ? backMerged : front.peek().merge(backMerged);
    Map<String, ColumnView> columns = new TreeMap<>();
    sums.forEach((name, s) -> columns.put(name, ColumnView.of(List.of(
        new CountsMetric(s[0], s[1], s[2], s[3], s[4]), new TypesMetric(s[5], s[6], s[7], s[8], s[9], s[10])))));
    return ProfileView.of(props.properties(), columns);
  }
}
