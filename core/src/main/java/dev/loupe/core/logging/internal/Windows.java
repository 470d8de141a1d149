package dev.loupe.core.logging.internal;

import dev.loupe.core.logging.LateDataException;
import dev.loupe.core.logging.WindowInfo;
import java.time.Duration;
import java.util.Objects;

/**
 * The window arithmetic, in one place: windows are aligned to UTC multiples of their length; the
 * window of a timestamp starts at {@code floor(ts / length) * length}; it takes rows until its end
 * plus the lateness, and is written then. Sums saturate instead of overflowing, so a timestamp near
 * {@code Long.MAX_VALUE} is simply far in the future, never a window in year -292275055.
 *
 * <p>{@link dev.loupe.core.logging.RollingLogger} and the server's admission both ask this class, so the lateness check a
 * request passes is the one the logger makes; {@code loupe profile --time-column} and Spark's partition profiler
 * align their windows with it too (Serializable, so Spark ships it to executors).
 */
public final class Windows implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final Duration window;
  private final Duration lateness;
  private final long windowMillis;
  private final long latenessMillis;

  private Windows(Duration window, Duration lateness) {
    this.window = Objects.requireNonNull(window, "window");
    this.lateness = Objects.requireNonNull(lateness, "lateness");
    if (window.toMillis() < 1) {
      throw new IllegalArgumentException("window " + window + " is shorter than a millisecond");
    }
    if (lateness.isNegative()) {
      throw new IllegalArgumentException("negative lateness " + lateness);
    }
    this.windowMillis = window.toMillis();
    this.latenessMillis = lateness.toMillis();
  }

  public static Windows of(Duration window, Duration lateness) {
    return new Windows(window, lateness);
  }

  public Duration window() {
    return window;
  }

  public Duration lateness() {
    return lateness;
  }

  public long windowMillis() {
    return windowMillis;
  }

  public long latenessMillis() {
    return latenessMillis;
  }

  /** The start of the window holding {@code ts} (epoch millis). */
  public long startOf(long ts) {
    long mod = Math.floorMod(ts, windowMillis);
    return ts < Long.MIN_VALUE + mod ? Long.MIN_VALUE : ts - mod; // the first window saturates, never wraps
  }

  /** The end (exclusive) of the window starting at {@code start}. */
  public long endOf(long start) {
    return saturatedAdd(start, windowMillis);
  }

  /** When the window starting at {@code start} stops taking rows and is written: its end plus the lateness. */
  public long closesAt(long start) {
    return saturatedAdd(endOf(start), latenessMillis);
  }

  /** True when the window starting at {@code start} is due at {@code now}. */
  public boolean isDue(long start, long now) {
    return closesAt(start) <= now;
  }

  /** True when a row stamped {@code ts} comes too late at {@code now}: its window has been written. */
  public boolean isLate(long ts, long now) {
    return isDue(startOf(ts), now);
  }

  /**
   * The late-row check every path makes (the logger's {@link OpenWindows#log}, a service's admission):
   * throws {@link LateDataException} when a row stamped {@code ts} comes after its window was written.
   */
  public void checkNotLate(String datasetId, long ts, long now) {
    if (isLate(ts, now)) {
      throw new LateDataException(datasetId, java.time.Instant.ofEpochMilli(ts),
          java.time.Instant.ofEpochMilli(endOf(startOf(ts))), lateness);
    }
  }

  /** The window starting at {@code start} as a {@link WindowInfo}: end = start + length. */
  public WindowInfo info(String datasetId, long start, int part, java.util.Map<String, String> tags) {
    return new WindowInfo(datasetId, java.time.Instant.ofEpochMilli(start), java.time.Instant.ofEpochMilli(endOf(start)),
        part, tags);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  @Override
  public String toString() {
    return "windows of " + window + ", lateness " + lateness;
  }
}
