package dev.loupe.core.segments;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The key of one segment: the value of each segment column, in the order the columns were
 * given ({@code country=NZ, device=mobile}). Values are strings, as whylogs stores them in a
 * segmented file's {@code whylogs.tag.<column>} tags; {@link #valueOf(Object)} says how a
 * tracked value becomes one.
 */
public final class Segment implements Comparable<Segment> {
  /** The value a null (or missing) key column gets; configurable with {@link SegmentedProfile.Builder#nullKey}. */
  public static final String DEFAULT_NULL_KEY = "(null)";

  private final List<String> columns;
  private final List<String> values;

  private Segment(List<String> columns, List<String> values) {
    if (columns.size() != values.size()) {
      throw new IllegalArgumentException("a segment needs one value per column: columns " + columns + ", values " + values);
    }
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("a segment needs at least one column");
    }
    if (columns.stream().distinct().count() != columns.size()) {
      throw new IllegalArgumentException("segment columns must be distinct: " + columns);
    }
    for (int i = 0; i < columns.size(); i++) {
      Objects.requireNonNull(columns.get(i), "segment column");
      Objects.requireNonNull(values.get(i), "value of segment column '" + columns.get(i) + "'");
    }
    this.columns = List.copyOf(columns);
    this.values = List.copyOf(values);
  }

  /** A segment on one column. */
  public static Segment of(String column, String value) {
    return new Segment(List.of(column), List.of(value));
  }

  /** A segment on several columns: {@code columns.get(i)} has {@code values.get(i)}. */
  public static Segment of(List<String> columns, List<String> values) {
    return new Segment(new ArrayList<>(columns), new ArrayList<>(values));
  }

  /** A segment from column-value pairs, in the map's iteration order. */
  public static Segment of(Map<String, String> key) {
    return new Segment(new ArrayList<>(key.keySet()), new ArrayList<>(key.values()));
  }

  public List<String> columns() {
    return columns;
  }

  public List<String> values() {
    return values;
  }

  /** Column to value, in column order. */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      m.put(columns.get(i), values.get(i));
    }
    return Collections.unmodifiableMap(m);
  }

  public String value(String column) {
    int i = columns.indexOf(column);
    if (i < 0) {
      throw new IllegalArgumentException("segment " + this + " has no column '" + column + "'");
    }
    return values.get(i);
  }

  /**
   * A tracked value's string form in a segment key, close to whylogs' {@code str(value)}: strings
   * as they are, integers in decimal, booleans {@code True}/{@code False}, other numbers by
   * {@link Double#toString}; {@code null} becomes {@code nullKey}.
   */
  public static String valueOf(Object v, String nullKey) {
    if (v == null) {
      return nullKey;
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof java.math.BigInteger) {
      return v.toString();
    }
    if (v instanceof Double d) {
      return d.isNaN() ? nullKey : d.toString();
    }
    if (v instanceof Float f) {
      return f.isNaN() ? nullKey : Double.toString(f);
    }
    if (v instanceof java.math.BigDecimal bd) {
      return bd.toPlainString();
    }
    if (v instanceof byte[] b) {
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
    return v.toString();
  }

  /** Orders by values, column by column, then by columns. */
  @Override
  public int compareTo(Segment o) {
    int n = Math.min(values.size(), o.values.size());
    for (int i = 0; i < n; i++) {
      int c = values.get(i).compareTo(o.values.get(i));
      if (c != 0) {
        return c;
      }
    }
    if (values.size() != o.values.size()) {
      return Integer.compare(values.size(), o.values.size());
    }
    for (int i = 0; i < columns.size(); i++) {
      int c = columns.get(i).compareTo(o.columns.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Segment s && columns.equals(s.columns) && values.equals(s.values);
  }

  @Override
  public int hashCode() {
    return columns.hashCode() * 31 + values.hashCode();
  }

  /** {@code country=NZ, device=mobile} */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(columns.get(i)).append('=').append(values.get(i));
    }
    return sb.toString();
  }
}
