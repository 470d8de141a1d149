package dev.loupe.core.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Row-count anomalies against like windows. When a day holds a whole number of windows (hourly,
 * 15-minute windows), a window is compared with the same time of day on the previous
 * {@code days} days, so a quiet night is not a "drop" against a busy afternoon; longer windows are
 * compared with the previous {@code days} windows. The score is robust: the distance from the
 * median of those like windows, in units of the larger of 1.4826 MAD (a standard deviation for
 * normal data, unmoved by one odd window), the Poisson noise sqrt(median) and 5% of the median.
 * A window scoring {@code threshold} or more, with at least 3 like windows, is an anomaly.
 */
final class RowCounts {
  static final int MIN_HISTORY = 3;

  private final long windowMillis;
  private final int days;
  private final double threshold;
  private final long slotsPerDay; // 0: no daily season
  private final Map<Long, ArrayDeque<Long>> bySlot = new HashMap<>();

  RowCounts(Duration window, int days, double threshold) {
    this.windowMillis = window.toMillis();
    this.days = days;
    this.threshold = threshold;
    long day = Duration.ofDays(1).toMillis();
    this.slotsPerDay = windowMillis < day && day % windowMillis == 0 ? day / windowMillis : 0;
  }

  record Finding(double observed, double median, double z, int history, String baseline) {}

  /** Checks a window's rows against its like windows, then remembers them. */
  Optional<Finding> observe(Instant start, long rows) {
    long index = Math.floorDiv(start.toEpochMilli(), windowMillis);
    long slot = slotsPerDay == 0 ? 0 : Math.floorMod(index, slotsPerDay);
    ArrayDeque<Long> past = bySlot.computeIfAbsent(slot, k -> new ArrayDeque<>());
    Optional<Finding> out = Optional.empty();
    if (past.size() >= MIN_HISTORY) {
      double[] v = past.stream().mapToDouble(Long::doubleValue).sorted().toArray();
      double median = median(v);
      double[] dev = Arrays.stream(v).map(x -> Math.abs(x - median)).sorted().toArray();
      double scale = Math.max(1.4826 * median(dev), Math.max(Math.sqrt(median), 0.05 * median));
      scale = Math.max(scale, 1);
      double z = (rows - median) / scale;
      if (Math.abs(z) >= threshold) {
        String like = slotsPerDay == 0 ? "the previous " + past.size() + " windows"
            : "the same time of day on the previous " + past.size() + " days";
        out = Optional.of(new Finding(rows, median, z, past.size(), like));
      }
    }
    past.addLast(rows);
    if (past.size() > days) {
      past.pollFirst();
    }
    return out;
  }

  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
