package dev.loupe.core;

import java.nio.charset.StandardCharsets;

/**
 * The one columnar entry into a profile: typed appends to one column of a {@link DatasetProfile}
 * ({@link DatasetProfile#column(String)}). Every door (CSV, JSON lines, Parquet, Arrow IPC, the
 * server's JSON and Arrow bodies, Spark, rows and records) ends here, so the same values give the
 * same profile whatever they came through. Which append a value takes is the value table of
 * {@link ValueKind}; {@link #appendValue(Object)} applies it to a Java object.
 *
 * <p>Appends are buffered per kind and flushed in batches (one vectorized KLL update, moments
 * folded with Chan's formula, integers and strings pre-aggregated before the HLL and
 * frequent-items sketches), so a tight loop of appends costs no per-value allocation for numbers.
 * Not thread-safe: it belongs to its profile's thread.
 */
public final class ColumnAppender {
  private final ColumnTracker t;

  ColumnAppender(ColumnTracker t) {
    this.t = t;
  }

  /** An integral value (any integer width that fits 64 bits). */
  public void appendLong(long v) {
    t.addLong(v);
  }

  /** The integral values {@code v[from..to)}. */
  public void appendLongs(long[] v, int from, int to) {
    t.addLongs(v, from, to);
  }

  /** A fractional value; NaN counts as null and NaN, ±infinity also in counts/inf. */
  public void appendDouble(double v) {
    t.addDouble(v);
  }

  /** The fractional values {@code v[from..to)}. */
  public void appendDoubles(double[] v, int from, int to) {
    t.addDoubles(v, from, to);
  }

  public void appendBoolean(boolean v) {
    t.addBooleans(v ? 1 : 0, v ? 0 : 1);
  }

  /** {@code trues} true and {@code falses} false values at once. */
  public void appendBooleans(long trues, long falses) {
    t.addBooleans(trues, falses);
  }

  /** A string value (the empty string is a string, not a null). */
  public void appendString(String s) {
    t.addString(s);
  }

  /** A string value given as {@code len} UTF-8 bytes of {@code utf8} from {@code off}. */
  public void appendUtf8(byte[] utf8, int off, int len) {
    t.addString(new String(utf8, off, len, StandardCharsets.UTF_8));
  }

  /**
   * The string values {@code buf[starts[i]..ends[i])} for {@code i} in {@code [from, to)}, as UTF-8
   * bytes; a cell whose start is negative is a null. The batch is pre-aggregated straight from the
   * array (no {@code String} per cell), exactly as an Arrow UTF-8 vector of the same cells is
   * tracked ({@link DatasetProfile#trackColumn}): the same values give the same profile, update for
   * update. The array is only read during the call.
   *
   * @throws IndexOutOfBoundsException if {@code from..to} is not within both index arrays, or a
   *     cell lies outside {@code buf} (its end before its start or past the array)
   */
  public void appendUtf8(byte[] buf, int[] starts, int[] ends, int from, int to) {
    ArrowColumns.utf8Cells(t, buf, starts, ends, from, to);
  }

  /** {@code count} string values equal to the UTF-8 bytes {@code utf8} (all of them). */
  public void appendUtf8Repeated(byte[] utf8, long count) {
    t.addDistinctUtf8(utf8, count);
  }

  public void appendNull() {
    t.addNulls(1);
  }

  public void appendNulls(long count) {
    t.addNulls(count);
  }

  /** Values that are neither numbers, strings, booleans, times nor tensors (binary, nested, ...): counted only. */
  public void appendObjects(long count) {
    t.addObjects(count);
  }

  /** Non-empty arrays of numbers (any shape): counted only. */
  public void appendTensors(long count) {
    t.addTensors(count);
  }

  /**
   * A point in time (a date is its UTC midnight), as epoch milliseconds. Time is profiled as an
   * integral value (so whylogs reads the file) and the column is marked as time, which makes its
   * min, max and quantiles read as ISO-8601 UTC instants (see docs/file-format.md).
   */
  public void appendEpochMillis(long epochMillis) {
    t.addTime(epochMillis);
  }

  /** The points in time {@code v[from..to)}, as epoch milliseconds (see {@link #appendEpochMillis(long)}). */
  public void appendEpochMillis(long[] v, int from, int to) {
    t.addTimes(v, from, to);
  }

  /** A Java value, classified by the value table ({@link ValueKind#of(Object)}). */
  public void appendValue(Object v) {
    RowValues.add(t, v);
  }

  /** Values appended to the column so far (nulls included), over the profile's life. */
  public long count() {
    return t.count();
  }
}
